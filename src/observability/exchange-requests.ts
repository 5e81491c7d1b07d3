/**
 * One seam for what Exchange answered: the EWS transport and the Graph client report every request
 * (each attempt, retries included) to an ExchangeRequestObserver they are given in their options.
 * Drivers given none record nothing. Implementations: the Prometheus metrics below, and the hourly
 * totals kept in the database for the admin center (exchange-request-hours.ts).
 */
import type { Metrics } from './metrics.ts';

export type ExchangeProvider = 'ews' | 'graph';

/** ok: answered; throttled: the answer was (or carried) a throttling refusal; error: anything else that failed. */
export type ExchangeOutcome = 'ok' | 'throttled' | 'error';

export type ExchangeRequest = {
  provider: ExchangeProvider;
  /** EWS operation (SOAPAction), "Autodiscover", or a Graph method and resource ("GET messages/delta"). */
  operation: string;
  outcome: ExchangeOutcome;
  /** From sending the request (a connection in hand; an NTLM handshake counts) to its response head, or to the failure. */
  latencyMs: number;
  /** Throttling answers in this response: 1 for a refused request, one per refused part of a batch. */
  throttled: number;
};

export interface ExchangeRequestObserver {
  observe(request: ExchangeRequest): void;
}

/** Records into dovetail_exchange_request_seconds and dovetail_exchange_throttled_total. */
export function exchangeRequestMetrics(metrics: Pick<Metrics, 'exchangeRequestSeconds' | 'exchangeThrottled'>): ExchangeRequestObserver {
  return {
    observe(request) {
      metrics.exchangeRequestSeconds.observe({ provider: request.provider, operation: request.operation, outcome: request.outcome }, Math.max(0, request.latencyMs) / 1000);
      if (request.throttled > 0) metrics.exchangeThrottled.inc({ provider: request.provider }, request.throttled);
    },
  };
}

/** Reports each request to every observer; one that throws does not keep the others from seeing it. */
export function observeAll(...observers: ReadonlyArray<ExchangeRequestObserver>): ExchangeRequestObserver {
  return {
    observe(request) {
      for (const observer of observers) {
        try {
          observer.observe(request);
        } catch {
          // Telemetry never fails a request.
        }
      }
    },
  };
}

/**
 * Keeps operation labels few and free of ids: a name of letters (and "$", ".", "/") up to 64
 * characters, else "other". Mailbox addresses and item ids never become label values.
 */
export function operationLabel(name: string | undefined): string {
  if (name === undefined || name === '') return 'other';
  return /^[A-Za-z$][\w$./ ]{0,63}$/.test(name) ? name : 'other';
}

/** Calls the observer without letting a faulty one reach the request path. */
export function report(observer: ExchangeRequestObserver | undefined, request: ExchangeRequest): void {
  if (observer === undefined) return;
  try {
    observer.observe(request);
  } catch {
    // Telemetry never fails a request.
  }
}
