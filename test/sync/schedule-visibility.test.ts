/**
 * The schedule of a mailbox, as the engine keeps it and as administrators read it.
 *
 * - Idle mailboxes back off, doubling, never beyond 15 minutes; a run that finds mail polls again
 *   at the profile's minimum interval and starts the back-off over (engine on PGlite, frozen clock).
 * - While a worker runs a mailbox, the API and the CLI show the lease holder and epoch; afterwards
 *   the next run per pipeline with its back-off reason (PostgreSQL, a worker and a CLI sharing it).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { buildApi, type Api } from '../../src/api/build-api.ts';
import { runCli } from '../../src/cli/index.ts';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { defaultEngineOptions } from '../../src/sync/engine-deps.ts';
import { mailboxSchedule, type MailboxSchedule } from '../../src/sync/schedule-view.ts';
import { idleBackoffCapMs, pollingFloorMs } from '../../src/sync/schedule.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import { ensureFirstAdministratorToken } from '../../src/use-cases/tokens.ts';
import { childEnv } from '../foundation/cli-process.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { FakeDriver } from './fake-driver.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

const incomingOf = (s: MailboxSchedule | undefined) => s!.pipelines.find((p) => p.pipeline === 'incoming')!;

describe('idle back-off and prompt polling (engine, frozen clock)', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => h?.dispose());

  it('backs an idle mailbox off to 15 minutes at most, and polls promptly again once mail arrives', async () => {
    const profile = await createProfile(h.store, { name: 'One minute', minimumPollingIntervalMinutes: 1 });
    const m = await createReadyMailbox(h.store, profile, 'idle@us.example', { now: h.clock.now() });
    h.fake.addMailbox('idle@us.example');
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all' });
    const db = syncDb(h.store.kysely);
    // Runs the mailbox once its next incoming run is due; returns how long until the one after.
    const pollWhenDue = async (): Promise<{ delay: number; reason: string | null; idleStreak: number }> => {
      const before = await h.store.mailboxes.require(m.id);
      h.clock.set(Date.parse(before.nextIncomingAt!));
      assert.equal(await h.worker.tick(), 1, 'the mailbox is due and runs');
      const s = incomingOf(await mailboxSchedule(db, m.id, h.clock.now()));
      return { delay: Date.parse(s.nextRunAt!) - h.clock.now(), reason: s.reason, idleStreak: s.idleStreak };
    };

    // The first run finds the mailbox empty; so does every run after it.
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await pollWhenDue();
      assert.equal(r.reason, 'idle-backoff');
      assert.equal(r.idleStreak, i + 1);
      delays.push(r.delay);
    }
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `the back-off never shrinks while idle: ${delays.join(', ')}`);
    assert.ok(delays.every((d) => d >= pollingFloorMs(1) && d <= idleBackoffCapMs), `between the minimum interval and 15 minutes: ${delays.join(', ')}`);
    assert.equal(delays.at(-1), idleBackoffCapMs, 'it reaches 15 minutes and stays there');
    assert.ok(delays[0]! < idleBackoffCapMs, 'it starts well below 15 minutes');

    // Mail arrives while the mailbox sits at 15 minutes: the next poll takes it, and the one after
    // comes at the minimum interval, with the back-off started over.
    h.fake.deliver('idle@us.example', { subject: 'news', from: { address: 'pat@customer.example' } });
    const busy = await pollWhenDue();
    assert.equal(busy.reason, 'mail-arrived');
    assert.equal(busy.delay, pollingFloorMs(1));
    assert.equal(busy.idleStreak, 0);
    const calm = await pollWhenDue();
    assert.equal(calm.reason, 'idle-backoff');
    assert.equal(calm.delay, delays[0], 'the back-off starts over from its first step');
  });
});

describe('the schedule in the API and the CLI while a worker runs (PostgreSQL)', { skip: postgresSkip() }, () => {
  let pgdb: TestDatabase;
  let store: Store;
  let api: Api;
  let worker: Worker | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const key = randomBytes(32);
  const fake = new FakeDriver();
  const cli = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
    const code = await runCli(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, stdin: Readable.from([]) });
    assert.equal(code, 0, stderr);
    return stdout;
  };
  before(async () => {
    pgdb = await createTestDatabase('dovetail_schedule_view');
    store = await openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 4 }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(key)), systemRandom) });
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    api = await buildApi({ store, clock: systemClock, random: systemRandom, logger: createLogger({ level: 'silent', destination: quiet }), metrics: createMetrics({ defaultMetrics: false }), version: 'test' });
    dir = mkdtempSync(join(tmpdir(), 'dovetail-schedule-view-'));
    env = childEnv({ DATABASE_URL: pgdb.url, DOVETAIL_SECRET_KEY: key.toString('hex'), DOVETAIL_DATA_DIR: dir });
  });
  after(async () => {
    await worker?.stop();
    await api?.close();
    await store?.close();
    await pgdb?.drop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the lease holder during a run, then the next run per pipeline with its reason', async () => {
    const token = await ensureFirstAdministratorToken(store, systemRandom);
    const headers = { authorization: `Bearer ${token!.token}` };
    const profile = await createProfile(store);
    const m = await createReadyMailbox(store, profile, 'sam@us.example', { now: Date.now() });
    fake.addMailbox('sam@us.example');
    // The run waits inside its first Exchange call until the test has looked at the schedule.
    let entered!: () => void;
    const inCall = new Promise<void>((r) => (entered = r));
    let proceed!: () => void;
    const released = new Promise<void>((r) => (proceed = r));
    fake.onCall = async () => {
      entered();
      await released;
    };
    worker = createWorker({
      store, clock: systemClock, random: systemRandom, openDriver: () => fake, workerId: 'worker-on-view',
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      options: { ...defaultEngineOptions, leaseTtlMs: 60_000 },
    });
    assert.equal(await worker.pass(), 1);
    await inCall;

    const during = await api.inject({ method: 'GET', url: `/api/mailboxes/${m.id}/schedule`, headers });
    assert.equal(during.statusCode, 200, during.body);
    const lease = (during.json() as MailboxSchedule).lease;
    assert.equal(lease?.holder, 'worker-on-view');
    assert.ok(Number.isInteger(lease?.epoch) && lease!.epoch >= 1);
    const shownDuring = await cli('schedule', 'show', m.id);
    assert.match(shownDuring, new RegExp(`^lease: worker-on-view epoch ${lease!.epoch} until \\d{4}-`, 'm'));
    const jsonDuring = JSON.parse(await cli('--json', 'schedule', 'show', m.id)) as MailboxSchedule;
    assert.deepEqual(jsonDuring.lease, lease);

    proceed();
    await worker.stop();
    worker = undefined;

    const afterRun = (await api.inject({ method: 'GET', url: `/api/mailboxes/${m.id}/schedule`, headers })).json() as MailboxSchedule;
    assert.equal(afterRun.lease, null, 'released after the run');
    const incoming = incomingOf(afterRun);
    assert.equal(incoming.reason, 'idle-backoff');
    assert.match(incoming.detail ?? '', /no changes in 1 run/);
    assert.ok(incoming.nextRunAt !== null && Date.parse(incoming.nextRunAt) > Date.now());
    assert.ok(Date.parse(incoming.nextRunAt) - Date.now() <= idleBackoffCapMs);
    assert.deepEqual(afterRun.pipelines.map((p) => p.pipeline), ['incoming', 'outgoing', 'act', 'test']);
    assert.equal(afterRun.recentRuns[0]?.worker, 'worker-on-view');

    const shown = await cli('schedule', 'show', m.id);
    assert.match(shown, /^lease: none$/m);
    assert.match(shown, new RegExp(`^incoming +enabled, success; next ${incoming.nextRunAt!.replace(/[.]/g, '\\.')} \\(idle-backoff: no changes in 1 run\\(s\\) in a row\\)`, 'm'));
    assert.match(shown, /^ {2}\S+ {2}incoming +idle +0\/0 +worker-on-view/m);
  });
});
