/**
 * An API over a test store, with an administrator token and captured logs, for inject() tests.
 */
import { Writable } from 'node:stream';
import { seededRandom } from '../../src/clock.ts';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { openTestStore, type TestStore } from './test-store.ts';

export type ApiHarness = TestStore & { api: Api; adminToken: string; logs: string[]; close(): Promise<void> };

export async function openApiHarness(engine: 'pglite' | 'postgres' = 'pglite'): Promise<ApiHarness> {
  const t = await openTestStore(engine);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const random = seededRandom(99);
  const api = await buildApi({
    store: t.store, clock: t.clock, random, logger: createLogger({ level: 'debug', destination }), metrics: createMetrics({ defaultMetrics: false }), version: 'test',
  });
  const first = await ensureFirstAdministratorToken(t.store, random);
  if (first === undefined) throw new Error('expected a first administrator token');
  return {
    ...t, api, adminToken: first.token, logs,
    close: async () => {
      await api.close();
      await t.dispose();
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
