/**
 * What a worker process records about Exchange, in one piece for the composition root: the
 * observer to hand to the drivers (Prometheus metrics plus hourly totals), and the loop that adds
 * the hourly totals to the database every minute and once more when stopped.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { ExchangeRequestHours, startRequestHoursFlush } from './exchange-request-hours.ts';
import { exchangeRequestMetrics, observeAll, type ExchangeRequestObserver } from './exchange-requests.ts';
import type { Metrics } from './metrics.ts';

export type ExchangeTelemetry = { requests: ExchangeRequestObserver; stop(): Promise<void> };

export function startExchangeTelemetry(deps: {
  metrics: Metrics;
  clock: Clock;
  db: Kysely<any>;
  flushIntervalMs?: number;
  onFlushError?: (error: unknown) => void;
}): ExchangeTelemetry {
  const hours = new ExchangeRequestHours(deps.clock);
  const flush = startRequestHoursFlush({
    hours,
    db: deps.db,
    ...(deps.flushIntervalMs === undefined ? {} : { intervalMs: deps.flushIntervalMs }),
    ...(deps.onFlushError === undefined ? {} : { onError: deps.onFlushError }),
  });
  return { requests: observeAll(exchangeRequestMetrics(deps.metrics), hours), stop: () => flush.stop() };
}
