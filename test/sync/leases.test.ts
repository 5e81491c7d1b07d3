import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.ts';
import { claimDueMailboxes, fenced, heartbeat, release } from '../../src/sync/leases.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { openTestStore, type TestStore } from '../foundation/test-store.ts';
import { postgresSkip } from '../support/env.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`mailbox leases (${engine})`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(engine);
    });
    after(async () => t?.dispose());

    it('claims due mailboxes once, with a new epoch, and fences writes by it', async () => {
      const { store, clock } = t;
      const db = syncDb(store.kysely);
      const profile = await createProfile(store, { maximumConcurrentConnections: 2 });
      const a = await createReadyMailbox(store, profile, 'a@us.example', { now: clock.now() });
      await createReadyMailbox(store, profile, 'b@us.example', { now: clock.now() });
      await createReadyMailbox(store, profile, 'c@us.example', { now: clock.now() });
      await createReadyMailbox(store, profile, 'idle@us.example', { now: clock.now(), enabled: false });

      const first = await claimDueMailboxes(db, { owner: 'w1', now: clock.now(), ttlMs: 60_000, limit: 10 });
      assert.equal(first.length, 2, 'the profile allows two concurrent connections');
      assert.ok(first.every((c) => c.due.incoming && !c.due.outgoing));
      const second = await claimDueMailboxes(db, { owner: 'w2', now: clock.now(), ttlMs: 60_000, limit: 10 });
      assert.equal(second.length, 0, 'leased mailboxes and the connection limit keep others out');

      const lease = first.find((c) => c.mailboxId === a.id) ?? first[0]!;
      assert.equal(await fenced(db, lease, async () => 'wrote'), 'wrote');
      assert.equal(await heartbeat(db, lease, clock.now(), 60_000), true);

      // The lease expires; another worker takes it over with a higher epoch.
      clock.advance(61_000);
      const taken = await claimDueMailboxes(db, { owner: 'w2', now: clock.now(), ttlMs: 60_000, limit: 10 });
      const mine = taken.find((c) => c.mailboxId === lease.mailboxId);
      assert.ok(mine);
      assert.ok(mine.epoch > lease.epoch);
      await assert.rejects(fenced(db, lease, async () => 'stale'), (e) => isAppError(e, 'lease_lost'));
      assert.equal(await heartbeat(db, lease, clock.now(), 60_000), false);
      assert.equal(await release(db, lease), false, 'a stale release changes nothing');
      assert.equal(await release(db, mine), true);
      const row = await store.mailboxes.require(mine.mailboxId);
      assert.equal(row.leaseOwner, null);
    });

    it('keeps concurrent claimers within the profile limit, and does not revive an expired lease', async () => {
      const { store, clock } = t;
      const db = syncDb(store.kysely);
      const profile = await createProfile(store, { name: 'Two at once', maximumConcurrentConnections: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await createReadyMailbox(store, profile, `race${i}@us.example`, { now: clock.now() })).id);
      const claims = (await Promise.all([1, 2, 3, 4].map((i) => claimDueMailboxes(db, { owner: `w${i}`, now: clock.now(), ttlMs: 60_000, limit: 10 })))).flat();
      const mine = claims.filter((c) => ids.includes(c.mailboxId));
      assert.equal(mine.length, 2, 'two leases, however many claim at once');

      clock.advance(60_001);
      assert.equal(await heartbeat(db, mine[0]!, clock.now(), 60_000), false, 'an expired lease stays expired');
      const again = (await claimDueMailboxes(db, { owner: 'w5', now: clock.now(), ttlMs: 60_000, limit: 10 })).filter((c) => ids.includes(c.mailboxId));
      assert.equal(again.length, 2, 'the expired leases freed their room');
    });

    it('claims mailboxes due for appointments, contacts and tasks under the same budget', async () => {
      const { store, clock } = t;
      const db = syncDb(store.kysely);
      const profile = await createProfile(store, { name: 'Shared budget', maximumConcurrentConnections: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await createReadyMailbox(store, profile, `act${i}@us.example`, { now: clock.now() })).id);
      const now = new Date(clock.now());
      // act0 is due for email only; the others for ACT only.
      await db.updateTable('mailboxes').set({ next_incoming_at: null }).where('id', 'in', ids.slice(1)).execute();
      await db.updateTable('mailboxes').set({ act_enabled: true, next_act_at: now }).where('id', 'in', ids.slice(1)).execute();
      const email = (await claimDueMailboxes(db, { owner: 'w1', now: clock.now(), ttlMs: 60_000, limit: 10 })).filter((c) => ids.includes(c.mailboxId));
      assert.deepEqual(email.map((c) => c.mailboxId), [ids[0]]);
      const only = await claimDueMailboxes(db, { owner: 'w2', now: clock.now(), ttlMs: 60_000, limit: 10, pipelines: 'act', onlyMailboxId: ids[3]! });
      assert.deepEqual(only.map((c) => [c.mailboxId, c.due.act]), [[ids[3], true]]);
      const more = await claimDueMailboxes(db, { owner: 'w3', now: clock.now(), ttlMs: 60_000, limit: 10, pipelines: 'act' });
      assert.deepEqual(more, [], 'one email and one ACT lease use the budget of two');
      assert.equal(await release(db, email[0]!), true);
      const freed = await claimDueMailboxes(db, { owner: 'w3', now: clock.now(), ttlMs: 60_000, limit: 10, pipelines: 'act' });
      assert.equal(freed.length, 1);
      assert.ok(ids.slice(1, 3).includes(freed[0]!.mailboxId));
    });
  });
}
