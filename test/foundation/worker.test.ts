import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { startWorker, type EngineFactoryDeps } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { Store } from '../../src/store/store.ts';

const quiet = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
const base = {
  store: {} as Store, clock: fixedClock(0), random: seededRandom(1), logger: quiet, metrics: createMetrics({ defaultMetrics: false }),
  workerId: 'w-test', leaseSeconds: 60, concurrency: 2, pollMs: 5,
};

describe('startWorker', () => {
  it('runs the injected engine back to back while it claims work, idles when it does not, and stops it', async () => {
    let passes = 0;
    let stopped = false;
    let seen: EngineFactoryDeps | undefined;
    let reachedIdle!: () => void;
    const idle = new Promise<void>((r) => (reachedIdle = r));
    const worker = startWorker({
      ...base,
      engineFactory: (deps) => {
        seen = deps;
        return {
          runOnce: async () => {
            passes++;
            if (passes === 6) reachedIdle();
            return { claimed: passes <= 3 ? 1 : 0 };
          },
          stop: async () => {
            stopped = true;
          },
        };
      },
    });
    await idle;
    await worker.stop();
    assert.equal(stopped, true);
    assert.equal(seen?.workerId, 'w-test');
    assert.equal(seen?.concurrency, 2);
    assert.ok(worker.passes() >= 6);
    const after = worker.passes();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(worker.passes(), after, 'no pass after stop');
  });

  it('keeps going after a failed pass and reports it in readiness until a pass succeeds', async () => {
    let passes = 0;
    let failedOnce!: () => void;
    const failed = new Promise<void>((r) => (failedOnce = r));
    let recovered!: () => void;
    const ok = new Promise<void>((r) => (recovered = r));
    const worker = startWorker({
      ...base,
      engineFactory: () => ({
        runOnce: async () => {
          passes++;
          if (passes === 1) {
            queueMicrotask(failedOnce);
            throw new Error('database unreachable');
          }
          if (passes === 3) recovered();
          return { claimed: 0 };
        },
        stop: async () => undefined,
      }),
    });
    await failed;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(worker.readiness(), { worker: { ok: false, message: 'last sync pass failed: database unreachable' } });
    await ok;
    await worker.stop();
    assert.deepEqual(worker.readiness(), { worker: { ok: true } });
  });
});
