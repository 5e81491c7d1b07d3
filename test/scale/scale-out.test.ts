/**
 * Scale-out on PostgreSQL: three worker processes share many mailboxes through leases alone.
 * The fake Exchange (in this process) sees every call, so it can tell whether two workers ever
 * worked on one mailbox at the same time, or whether an email was tracked or sent twice.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createDraft, sendEmail } from '../../src/crm/email-activities.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { FakeDriver } from '../sync/fake-driver.ts';
import { createProfile, createReadyMailbox } from '../sync/fixtures.ts';
import { serveFakeDriver } from '../sync/serve-fake-driver.ts';
import { spawnWorkers, type Workers } from './spawn-workers.ts';

const mailboxCount = 30;
const emailsPerMailbox = 3;
const workers = ['w1', 'w2', 'w3'];

describe('three workers, one PostgreSQL, many mailboxes', { skip: postgresSkip() }, () => {
  let pgdb: TestDatabase;
  let store: Store;
  let server: { url: string; close(): Promise<void> };
  const fake = new FakeDriver();
  const key = randomBytes(32);
  let spawned: Workers | undefined;
  const delivered: string[] = [];

  before(async () => {
    pgdb = await createTestDatabase('dovetail_scale');
    store = await openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 4 }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(key)), systemRandom) });
    server = await serveFakeDriver(fake);
    // A little latency per call, so runs overlap in time as they do against a real server.
    fake.onCall = () => new Promise((r) => setTimeout(r, 5));
  });
  after(async () => {
    spawned?.kill();
    await store?.close();
    await server?.close();
    await pgdb?.drop();
  });

  it('services every mailbox with zero double processing', async () => {
    const useCases: UseCaseContext = { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'scale-test' } } };
    await store.settings.save({ ...(await store.settings.get()), trackEmails: 'all' });
    const profile = await createProfile(store, { maximumConcurrentConnections: 300 });
    const ids: string[] = [];
    for (let i = 0; i < mailboxCount; i++) {
      const address = `user${i}@us.example`;
      fake.addMailbox(address);
      const m = await createReadyMailbox(store, profile, address, { now: Date.now() });
      ids.push(m.id);
      for (let j = 0; j < emailsPerMailbox; j++) delivered.push(fake.deliver(address, { subject: `m${i}.${j}`, from: { address: 'pat@customer.example' } }).internetMessageId);
      const d = await createDraft(useCases, { mailboxId: m.id, to: [{ address: 'pat@customer.example' }], subject: `out ${i}`, body: 'x', bodyType: 'text' });
      await sendEmail(useCases, d.id);
    }
    const db = syncDb(store.kysely);
    // Nothing is due until every worker is up, so all three compete from the start.
    await db.updateTable('mailboxes').set({ next_incoming_at: null, next_outgoing_at: null }).execute();
    spawned = await spawnWorkers(workers, { CHILD_DB: pgdb.url, CHILD_SECRET_KEY: key.toString('hex'), CHILD_DRIVER_URL: server.url, CHILD_LEASE_TTL_MS: '5000', CHILD_PAGE_SIZE: '50' });
    const now = new Date();
    await db.updateTable('mailboxes').set({ next_incoming_at: now, next_outgoing_at: now }).execute();

    const deadline = Date.now() + 90_000;
    for (;;) {
      const tracked = await db.selectFrom('email_activities').select((eb) => eb.fn.countAll<number>().as('n')).where('direction', '=', 'incoming').executeTakeFirstOrThrow();
      const sent = await db.selectFrom('email_activities').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow();
      if (Number(tracked.n) === delivered.length && Number(sent.n) === mailboxCount) break;
      assert.ok(Date.now() < deadline, `timed out: ${tracked.n}/${delivered.length} tracked, ${sent.n}/${mailboxCount} sent`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await spawned.stop();

    // Zero double processing, as Exchange saw it.
    assert.equal(fake.maxOverlap, 1, 'no two workers ever talked to one mailbox at the same time');
    for (const id of delivered) {
      const stamped = [...fake.stampsPerItem.entries()].filter(([k]) => k.endsWith(`|${id}`));
      assert.deepEqual(stamped.map(([, n]) => n), [1], `${id} tracked and stamped once`);
    }
    assert.equal(fake.sendsPerMessageId.size, mailboxCount);
    for (const [id, n] of fake.sendsPerMessageId) assert.equal(n, 1, `${id} sent once`);

    // As the database saw it: runs of one mailbox never overlap, and every mailbox was serviced.
    const runs = await db.selectFrom('sync_runs').select(['mailbox_id', 'worker', 'started_at', 'finished_at']).where('outcome', '!=', 'skipped').orderBy('mailbox_id').orderBy('started_at').execute();
    for (let i = 1; i < runs.length; i++) {
      const a = runs[i - 1]!;
      const b = runs[i]!;
      if (a.mailbox_id === b.mailbox_id && a.worker !== b.worker) assert.ok(new Date(b.started_at) >= new Date(a.finished_at), `runs of ${a.mailbox_id} by ${a.worker} and ${b.worker} overlap`);
    }
    assert.deepEqual(new Set(runs.map((r) => r.mailbox_id)), new Set(ids), 'all mailboxes serviced');
    const byWorker = new Map<string, number>();
    for (const r of runs) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
    assert.deepEqual([...byWorker.keys()].sort(), workers, `every worker took part (${JSON.stringify([...byWorker])})`);
  });
});
