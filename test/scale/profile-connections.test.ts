/**
 * A profile's maximum concurrent connections holds across every worker sharing one PostgreSQL.
 *
 * 1. Claimers on separate connections race for the same due mailboxes, round after round, while
 *    other connections reschedule some of them (so claimers looking at the same instant may rank
 *    them differently: a claim that trusted its own snapshot's free room leased 4 of 3 in the
 *    first rounds). No one releases during a round, so the live leases the database holds at its
 *    end are the most ever held at once: never more than the limit, the limit is used, and the
 *    other profile's due mailboxes are leased in the same round (not starved by the capped one).
 * 2. Three worker processes service two profiles. The fake Exchange sees every call and counts the
 *    capped profile's mailboxes with a call in flight; a watcher samples the live leases in the
 *    database. Neither ever exceeds the limit, and every mailbox of both profiles is serviced.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock, systemRandom } from '../../src/clock.ts';
import type { EmailServerProfile } from '../../src/domain/profile.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { claimDueMailboxes } from '../../src/sync/leases.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { FakeDriver } from '../sync/fake-driver.ts';
import { createProfile, createReadyMailbox } from '../sync/fixtures.ts';
import { serveFakeDriver } from '../sync/serve-fake-driver.ts';
import { spawnWorkers, type Workers } from './spawn-workers.ts';

const key = randomBytes(32);
const open = (url: string) =>
  openStore({ target: { engine: 'postgres', url, poolSize: 2 }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(key)), systemRandom) });

async function liveLeases(store: Store, profileId: string): Promise<number> {
  const r = await syncDb(store.kysely)
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('profile_id', '=', profileId)
    .where('lease_expires_at', '>=', new Date())
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('maximum concurrent connections across workers (PostgreSQL)', { skip: postgresSkip() }, () => {
  describe('claimers racing on separate connections', () => {
    let pgdb: TestDatabase;
    const stores: Store[] = [];
    const reschedulers: Store[] = [];
    before(async () => {
      pgdb = await createTestDatabase('dovetail_conn_race');
      for (let i = 0; i < 6; i++) stores.push(await open(pgdb.url));
      for (let i = 0; i < 2; i++) reschedulers.push(await open(pgdb.url));
    });
    after(async () => {
      for (const s of [...stores, ...reschedulers]) await s.close();
      await pgdb?.drop();
    });

    it('never leases more of a profile than its limit, and leases the other profiles in the same round', async (t) => {
      const store = stores[0]!;
      const capped = await createProfile(store, { name: 'Capped', maximumConcurrentConnections: 3 });
      const other = await createProfile(store, { name: 'Other', maximumConcurrentConnections: 10 });
      const cappedIds: string[] = [];
      const otherIds: string[] = [];
      for (let i = 0; i < 20; i++) cappedIds.push((await createReadyMailbox(store, capped, `capped${i}@us.example`, { now: Date.now() })).id);
      for (let i = 0; i < 4; i++) otherIds.push((await createReadyMailbox(store, other, `other${i}@us.example`, { now: Date.now() })).id);
      const db = syncDb(store.kysely);
      const rounds = 40;
      let filled = 0;
      for (let round = 0; round < rounds; round++) {
        const now = Date.now();
        // The capped profile's mailboxes are due first, so a claimer that ignored the limit would take them.
        await db.updateTable('mailboxes').set({ lease_owner: null, lease_expires_at: null, next_incoming_at: new Date(now - 60_000) }).where('profile_id', '=', capped.id).execute();
        await db.updateTable('mailboxes').set({ lease_owner: null, lease_expires_at: null, next_incoming_at: new Date(now) }).where('profile_id', '=', other.id).execute();
        // Meanwhile other connections reschedule capped mailboxes (as the API, a job, or another
        // machine's clock would), so claimers that look at the same instant rank them differently.
        const rescheduling = reschedulers.map(async (s) => {
          for (let k = 0; k < 8; k++) {
            const id = cappedIds[Math.floor(Math.random() * cappedIds.length)]!;
            await syncDb(s.kysely).updateTable('mailboxes').set({ next_incoming_at: new Date(now - 60_000 - Math.floor(Math.random() * 600_000)) }).where('id', '=', id).execute();
          }
        });
        const [claims] = await Promise.all([
          Promise.all(stores.map((s, i) => claimDueMailboxes(syncDb(s.kysely), { owner: `claimer-${i}`, now: Date.now(), ttlMs: 60_000, limit: 4 }))),
          Promise.all(rescheduling),
        ]);
        const all = claims.flat();
        assert.equal(new Set(all.map((c) => c.mailboxId)).size, all.length, `round ${round}: no mailbox claimed twice`);
        assert.ok(claims.every((c) => c.length <= 4), `round ${round}: no claimer took more than its room`);
        const live = await liveLeases(store, capped.id);
        assert.ok(live <= 3, `round ${round}: the capped profile holds ${live} live leases, over its limit of 3`);
        assert.equal(all.filter((c) => cappedIds.includes(c.mailboxId)).length, live);
        filled += live === 3 ? 1 : 0;
        assert.deepEqual(all.filter((c) => otherIds.includes(c.mailboxId)).map((c) => c.mailboxId).sort(), [...otherIds].sort(), `round ${round}: the other profile is not starved`);
      }
      // A claimer skips a row another connection is rescheduling at that moment, so a round may
      // end below the limit; most rounds use all of it.
      t.diagnostic(`the limit was used in ${filled} of ${rounds} rounds`);
      assert.ok(filled >= rounds / 2, `the limit was used in ${filled} of ${rounds} rounds`);
    });
  });

  describe('three worker processes', () => {
    let pgdb: TestDatabase;
    let store: Store;
    let server: { url: string; close(): Promise<void> };
    let spawned: Workers | undefined;
    const fake = new FakeDriver();
    before(async () => {
      pgdb = await createTestDatabase('dovetail_conn_workers');
      store = await open(pgdb.url);
      server = await serveFakeDriver(fake);
    });
    after(async () => {
      spawned?.kill();
      await store?.close();
      await server?.close();
      await pgdb?.drop();
    });

    it('keeps the capped profile within its limit as Exchange and the database see it, and services every mailbox', async (t) => {
      const limit = 2;
      await store.settings.save({ ...(await store.settings.get()), trackEmails: 'all' });
      const capped = await createProfile(store, { name: 'Capped', maximumConcurrentConnections: limit });
      const other = await createProfile(store, { name: 'Other', maximumConcurrentConnections: 50 });
      const cappedAddresses = new Set<string>();
      const ids = new Map<string, EmailServerProfile>();
      const delivered: string[] = [];
      const add = async (profile: EmailServerProfile, address: string) => {
        fake.addMailbox(address);
        const m = await createReadyMailbox(store, profile, address, { now: Date.now() });
        ids.set(m.id, profile);
        for (let j = 0; j < 3; j++) delivered.push(fake.deliver(address, { subject: `${address} ${j}`, from: { address: 'pat@customer.example' } }).internetMessageId);
      };
      for (let i = 0; i < 10; i++) {
        await add(capped, `capped${i}@us.example`);
        cappedAddresses.add(`capped${i}@us.example`);
      }
      for (let i = 0; i < 8; i++) await add(other, `other${i}@us.example`);

      // Exchange's view: how many of the capped profile's mailboxes have a call in flight.
      let cappedInFlightMax = 0;
      let otherInFlightMax = 0;
      fake.onCall = async () => {
        const busy = fake.busyMailboxes();
        cappedInFlightMax = Math.max(cappedInFlightMax, busy.filter((a) => cappedAddresses.has(a)).length);
        otherInFlightMax = Math.max(otherInFlightMax, busy.filter((a) => !cappedAddresses.has(a)).length);
        await delay(15);
      };

      const db = syncDb(store.kysely);
      await db.updateTable('mailboxes').set({ next_incoming_at: null }).execute();
      spawned = await spawnWorkers(['cw1', 'cw2', 'cw3'], { CHILD_DB: pgdb.url, CHILD_SECRET_KEY: key.toString('hex'), CHILD_DRIVER_URL: server.url, CHILD_LEASE_TTL_MS: '10000', CHILD_PAGE_SIZE: '1' });
      await db.updateTable('mailboxes').set({ next_incoming_at: new Date() }).execute();

      // The database's view, sampled while the workers run: live leases of the capped profile.
      let dbMax = 0;
      let samples = 0;
      const deadline = Date.now() + 120_000;
      for (;;) {
        dbMax = Math.max(dbMax, await liveLeases(store, capped.id));
        samples++;
        const tracked = await db.selectFrom('email_activities').select((eb) => eb.fn.countAll<number>().as('n')).where('direction', '=', 'incoming').executeTakeFirstOrThrow();
        if (Number(tracked.n) === delivered.length) break;
        assert.ok(Date.now() < deadline, `timed out: ${tracked.n}/${delivered.length} tracked`);
        await delay(5);
      }
      await spawned.stop();

      assert.ok(cappedInFlightMax <= limit, `Exchange saw ${cappedInFlightMax} mailboxes of the capped profile at once (limit ${limit})`);
      assert.ok(dbMax <= limit, `the database held ${dbMax} live leases of the capped profile (limit ${limit}, ${samples} samples)`);
      assert.equal(fake.maxOverlap, 1, 'no two workers ever talked to one mailbox at the same time');

      const runs = await db.selectFrom('sync_runs').select(['mailbox_id', 'worker']).where('pipeline', '=', 'incoming').where('outcome', '!=', 'skipped').execute();
      assert.deepEqual(new Set(runs.map((r) => r.mailbox_id)), new Set(ids.keys()), 'every mailbox of both profiles was serviced');
      assert.ok(new Set(runs.map((r) => r.worker)).size >= 2, 'the work was shared');
      const activities = await db.selectFrom('email_activities').select('message_id').where('direction', '=', 'incoming').execute();
      assert.deepEqual(activities.map((a) => a.message_id).sort(), [...delivered].sort(), 'each email tracked once');
      // Measured, not asserted (timing): how far the capped and the other profile ran in parallel.
      t.diagnostic(`capped profile in flight at most ${cappedInFlightMax}, other profile ${otherInFlightMax}; database max ${dbMax} over ${samples} samples`);
    });
  });
});
