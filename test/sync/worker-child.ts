/**
 * A sync worker as its own process, for the crash and scale-out tests. It reaches Exchange
 * through the test's FakeDriver over loopback, so the Exchange outlives the worker.
 *
 * Environment:
 *   CHILD_DB            "pglite:<data dir>" or a PostgreSQL URL
 *   CHILD_SECRET_KEY    hex of the 32-byte sealing key the test used
 *   CHILD_DRIVER_URL    where serveFakeDriver listens, or "registry": the real driver the
 *                       profile names (src/exchange/index.ts), e.g. against the Exchange lab
 *   CHILD_WORKER_ID     the worker's name (lease holder)
 *   CHILD_MODE          "until-idle": run until nothing is due or leased, then exit 0;
 *                       "poll": run the polling loop until SIGTERM
 *   CHILD_PAGE_SIZE     changes per folder sync call (default 2, so runs span pages)
 *   CHILD_DUE_NOW       "1": make every enabled mailbox's incoming pipeline due at start
 *   DOVETAIL_TEST_KILL_AT  a persisted step ("incoming:after-commit", …): SIGKILL ourselves there
 */
import { systemClock, systemRandom } from '../../src/clock.ts';
import { openDriver } from '../../src/exchange/index.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore } from '../../src/store/store.ts';
import { defaultEngineOptions, type EngineDeps } from '../../src/sync/engine-deps.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createWorker } from '../../src/sync/worker.ts';
import { remoteDriver } from './remote-driver.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};

const dbSpec = env('CHILD_DB');
const target = dbSpec.startsWith('pglite:') ? { engine: 'pglite' as const, dataDir: dbSpec.slice('pglite:'.length) } : { engine: 'postgres' as const, url: dbSpec, poolSize: 4 };
const sealer = createSealer(keyringOf(secretKey(Buffer.from(env('CHILD_SECRET_KEY'), 'hex'))), systemRandom);
const store = await openStore({ target, clock: systemClock, random: systemRandom, sealer });
const driverUrl = env('CHILD_DRIVER_URL');
const driver = driverUrl === 'registry' ? undefined : remoteDriver(driverUrl);
const killAt = process.env['DOVETAIL_TEST_KILL_AT'];
const db = syncDb(store.kysely);

const deps: EngineDeps = {
  store,
  clock: systemClock,
  random: systemRandom,
  openDriver: async (profile) => driver ?? openDriver(profile, await store.profiles.getSecrets(profile.id), { clock: systemClock, random: systemRandom }),
  workerId: env('CHILD_WORKER_ID'),
  log: {
    info: () => undefined,
    warn: (f, m) => process.stderr.write(`warn ${m} ${JSON.stringify(f)}\n`),
    error: (f, m) => process.stderr.write(`error ${m} ${JSON.stringify(f)}\n`),
  },
  options: { ...defaultEngineOptions, leaseTtlMs: Number(process.env['CHILD_LEASE_TTL_MS'] ?? 2_000), pollIntervalMs: 100, concurrency: 4, pageSize: Number(process.env['CHILD_PAGE_SIZE'] ?? 2), testArrivalTimeoutMs: 2_000, testArrivalPollMs: 50 },
  reached: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
};

if (process.env['CHILD_DUE_NOW'] === '1') {
  await db.updateTable('mailboxes').set({ next_incoming_at: new Date() }).where('incoming_enabled', '=', true).execute();
}

const worker = createWorker(deps);
if (process.env['CHILD_MODE'] === 'poll') {
  worker.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void worker.stop().then(() => store.close()).then(() => process.exit(0));
  });
} else {
  // Until nothing is due now and no lease (a killed predecessor's) is still running out.
  for (let i = 0; i < 400; i++) {
    await worker.runUntilIdle();
    const now = new Date();
    const waiting = await db
      .selectFrom('mailboxes')
      .select('id')
      .where((eb) => eb.or([eb('next_incoming_at', '<=', now), eb('next_outgoing_at', '<=', now), eb('next_test_at', '<=', now)]))
      .execute();
    if (waiting.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await store.close();
  process.exit(0);
}
