/**
 * What the crash tests share: a PGlite data directory set up by the test, the fake Exchange
 * served on loopback, and worker child processes that SIGKILL themselves at a named step.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { projectRoot } from '../support/env.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { FakeDriver } from '../sync/fake-driver.ts';
import { serveFakeDriver } from '../sync/serve-fake-driver.ts';

export type ChildExit = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

export type CrashHarness = {
  fake: FakeDriver;
  db: string;
  /** Opens the store in this process (only while no child runs: PGlite has one user at a time). */
  withStore<T>(fn: (store: Store, useCases: UseCaseContext) => Promise<T>): Promise<T>;
  runChild(env: Record<string, string>): Promise<ChildExit>;
  dispose(): Promise<void>;
};

/**
 * engine 'postgres' uses a fresh database on the test server (fast process starts);
 * 'pglite' a data directory (the embedded store recovering from SIGKILL, but each child start
 * pays PGlite's start-up, so keep those runs short).
 */
export async function openCrashHarness(engine: 'postgres' | 'pglite'): Promise<CrashHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-crash-'));
  const pgdb = engine === 'postgres' ? await createTestDatabase('dovetail_crash') : undefined;
  const dbSpec = pgdb === undefined ? `pglite:${dir}` : pgdb.url;
  const key = randomBytes(32);
  const sealer = createSealer(keyringOf(secretKey(key)), systemRandom);
  const fake = new FakeDriver();
  const server = await serveFakeDriver(fake);
  const target = dbSpec.startsWith('pglite:') ? { engine: 'pglite' as const, dataDir: dir } : { engine: 'postgres' as const, url: dbSpec, poolSize: 4 };
  return {
    fake,
    db: dbSpec,
    async withStore(fn) {
      const store = await openStore({ target, clock: systemClock, random: systemRandom, sealer });
      try {
        return await fn(store, { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'crash-test' } } });
      } finally {
        await store.close();
      }
    },
    runChild(extra) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/sync/worker-child.ts')], {
          cwd: projectRoot,
          env: {
            ...process.env,
            CHILD_DB: dbSpec,
            CHILD_SECRET_KEY: key.toString('hex'),
            CHILD_DRIVER_URL: server.url,
            CHILD_WORKER_ID: 'crash-worker',
            CHILD_MODE: 'until-idle',
            ...extra,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stderr });
        });
      });
    },
    async dispose() {
      await server.close();
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
