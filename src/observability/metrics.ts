/**
 * Prometheus metrics: one registry per process (or per test), the default Node metrics, the HTTP
 * metrics the API records, and the Exchange request metrics the EWS transport and the Graph client
 * record (through exchange-requests.ts). Other modules register their own metrics on the same registry.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** Time from sending an Exchange request to its response head, per attempt (a retry is another request). */
  exchangeRequestSeconds: Histogram<'provider' | 'operation' | 'outcome'>;
  /** Throttling answers: EWS ErrorServerBusy and kin, 503, 401 right after an NTLM handshake; Graph 429 and 503 (each part of a $batch counts). */
  exchangeThrottled: Counter<'provider'>;
};

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'dovetail_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'dovetail_http_requests_total',
      help: 'Admin API requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'dovetail_http_request_duration_seconds',
      help: 'Admin API request duration',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    exchangeRequestSeconds: new Histogram({
      name: 'dovetail_exchange_request_seconds',
      help: 'Exchange requests (EWS, Autodiscover, Graph) by provider, operation and outcome: seconds until the response head',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    exchangeThrottled: new Counter({
      name: 'dovetail_exchange_throttled_total',
      help: 'Throttling answers from Exchange by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
  };
}
