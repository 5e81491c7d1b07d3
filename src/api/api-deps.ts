/** What buildApi needs; src/main.ts (or a test) builds it. */
import type { Logger } from 'pino';
import type { Clock, Random } from '../clock.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Store } from '../store/store.ts';

export type Readiness = { ready: boolean; checks: Record<string, { ok: boolean; message?: string }> };

export type ApiDeps = {
  store: Store;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  version: string;
  /** Extra readiness checks (the worker, the web assets…); the store is always checked. */
  readiness?: () => Promise<Readiness['checks']>;
  /** Serve the built admin center from this directory (src/web/serve-web.ts); tests leave it out. */
  webRoot?: string;
};
