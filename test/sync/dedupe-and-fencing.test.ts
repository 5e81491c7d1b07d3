import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { claimDueMailboxes } from '../../src/sync/leases.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

describe('one activity per email, and fenced writes (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all' });
  });
  after(async () => h?.dispose());

  it('a user and a queue receiving the same email, one sharing the other\'s address, make one activity', async () => {
    const profile = await createProfile(h.store);
    const sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    const support = await createReadyMailbox(h.store, profile, 'support@us.example', { now: h.clock.now(), owner: 'queue' });
    // A user who shares the queue's address (no mailbox of its own: mailbox addresses are unique).
    const shared = await h.store.users.create({ fullName: 'Support lead', emailAddress: 'support@us.example' });
    h.fake.addMailbox('sam@us.example');
    h.fake.addMailbox('support@us.example');
    const common = { subject: 'Help', from: { address: 'pat@customer.example' }, to: [{ address: 'sam@us.example' }, { address: 'support@us.example' }], internetMessageId: '<same@customer.example>' };
    h.fake.deliver('sam@us.example', common);
    h.fake.deliver('support@us.example', common);
    await h.worker.runUntilIdle();

    const emails = await listEmails(h.useCases, { direction: 'incoming' });
    assert.equal(emails.length, 1);
    const email = emails[0]!;
    const db = syncDb(h.store.kysely);
    const links = await db.selectFrom('email_item_links').select('mailbox_id').where('email_id', '=', email.id).execute();
    assert.deepEqual(links.map((l) => l.mailbox_id).sort(), [sam.id, support.id].sort());
    const to = email.parties.filter((p) => p.role === 'to' && p.address === 'support@us.example');
    assert.deepEqual(to.map((p) => p.partyType).sort(), ['queue', 'user']);
    assert.ok(to.some((p) => p.partyId === shared.id));
    // Both mailboxes' copies are stamped with the one activity.
    const orgId = (await h.store.settings.get()).orgId;
    for (const box of ['sam@us.example', 'support@us.example']) {
      assert.deepEqual(h.fake.items(box).find((m) => m.internetMessageId === '<same@customer.example>')?.stamp, { orgId, activityId: email.id });
    }
  });

  it('the database refuses a second activity with the same Message-ID', async () => {
    const db = syncDb(h.store.kysely);
    const [email] = await listEmails(h.useCases, { direction: 'incoming' });
    await assert.rejects(
      db.insertInto('email_activities').values({
        id: h.deps.random.uuid(), mailbox_id: null, direction: 'incoming', status: 'received', subject: 'dup', body_type: 'text', body: '',
        parties: '[]', message_id: email!.messageId, created_at: new Date(), updated_at: new Date(),
      }).execute(),
      (e: unknown) => (e as { code?: string }).code === '23505',
    );
  });

  it('a worker whose lease was taken over writes nothing', async () => {
    const profile = await createProfile(h.store, { name: 'Fenced' });
    const box = await createReadyMailbox(h.store, profile, 'slow@us.example', { now: h.clock.now() });
    h.fake.addMailbox('slow@us.example');
    h.fake.deliver('slow@us.example', { subject: 'hi', from: { address: 'pat@customer.example' } });
    const db = syncDb(h.store.kysely);
    // While the first worker talks to Exchange, its lease expires and a second worker claims the mailbox.
    let stolen = false;
    h.fake.onCall = async (method, mailbox) => {
      if (!stolen && method === 'getMessages' && mailbox === 'slow@us.example') {
        stolen = true;
        h.clock.advance(h.deps.options.leaseTtlMs + 1);
        await db.updateTable('mailboxes').set({ next_incoming_at: new Date(h.clock.now()) }).where('id', '=', box.id).execute();
        const taken = await claimDueMailboxes(db, { owner: 'other-worker', now: h.clock.now(), ttlMs: 600_000, limit: 10 });
        assert.ok(taken.some((t) => t.mailboxId === box.id));
      }
    };
    await h.worker.tick();
    h.fake.onCall = undefined;
    assert.equal(stolen, true);
    assert.equal((await listEmails(h.useCases, { mailboxId: box.id })).length, 0, 'nothing committed by the stale worker');
    assert.equal(await h.store.mailboxes.getCursor(box.id, 'inbox'), undefined, 'its cursor did not move');
    const row = await h.store.mailboxes.require(box.id);
    assert.equal(row.leaseOwner, 'other-worker', 'the stale worker did not release the new lease');
    assert.ok(h.logs.some((l) => /lease lost/.test(l.message)));
  });
});
