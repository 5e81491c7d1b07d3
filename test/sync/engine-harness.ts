/**
 * An engine on an in-memory PGlite and the in-memory Exchange, with a frozen clock, for tests
 * that drive the worker round by round.
 */
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { defaultEngineOptions, type EngineDeps, type EngineLog, type EngineOptions } from '../../src/sync/engine-deps.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import { seededRandom } from '../../src/clock.ts';
import { openTestStore, type TestStore } from '../foundation/test-store.ts';
import { FakeDriver } from './fake-driver.ts';

export type Harness = TestStore & {
  fake: FakeDriver;
  deps: EngineDeps;
  worker: Worker;
  logs: Array<{ level: string; message: string; fields: Record<string, unknown> }>;
  useCases: UseCaseContext;
};

export async function openHarness(options: Partial<EngineOptions> = {}, engine: 'pglite' | 'postgres' = 'pglite'): Promise<Harness> {
  const t = await openTestStore(engine);
  const fake = new FakeDriver();
  const logs: Harness['logs'] = [];
  const log: EngineLog = {
    info: (fields, message) => logs.push({ level: 'info', message, fields }),
    warn: (fields, message) => logs.push({ level: 'warn', message, fields }),
    error: (fields, message) => logs.push({ level: 'error', message, fields }),
  };
  const random = seededRandom(99);
  const deps: EngineDeps = {
    store: t.store,
    clock: t.clock,
    random,
    openDriver: () => fake,
    workerId: 'worker-test',
    log,
    options: { ...defaultEngineOptions, testArrivalTimeoutMs: 0, testArrivalPollMs: 0, messageIdDomain: 'crm.example', ...options },
    sleep: async () => undefined,
  };
  return {
    ...t,
    fake,
    deps,
    worker: createWorker(deps),
    logs,
    useCases: { store: t.store, clock: t.clock, random, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'test' } } },
  };
}
