import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDraft, listEmails, sendEmail } from '../../src/crm/email-activities.ts';
import { listFailures, requestRetry } from '../../src/sync/item-failures.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { AppError } from '../../src/errors.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

describe('incoming email tracking (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  let sam: Awaited<ReturnType<typeof createReadyMailbox>>;
  let contactId: string;
  before(async () => {
    h = await openHarness();
    const profile = await createProfile(h.store);
    sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    h.fake.addMailbox('pat@customer.example');
    contactId = (await h.store.crm.createContact({ lastName: 'Customer', firstName: 'Pat', emailAddresses: ['pat@customer.example'] })).id;
  });
  after(async () => h?.dispose());

  it('sends a CRM email once, then tracks the reply with regarding and conversation, and ignores unrelated mail', async () => {
    const account = await h.store.crm.createAccount({ name: 'Customer Inc' });
    const draft = await createDraft(h.useCases, {
      mailboxId: sam.id,
      to: [{ address: 'pat@customer.example' }],
      subject: 'Your quote',
      body: '<p>Attached.</p>',
      regarding: { type: 'account', id: account.id },
    });
    assert.equal(draft.status, 'draft');
    assert.deepEqual(draft.parties.find((p) => p.role === 'to'), { role: 'to', address: 'pat@customer.example', name: null, partyType: 'contact', partyId: contactId });
    await sendEmail(h.useCases, draft.id);
    await h.worker.runUntilIdle();
    const [sent] = await listEmails(h.useCases, { direction: 'outgoing', status: 'sent' });
    assert.ok(sent);
    assert.match(sent.subject, /^Your quote CRM:\d{8}$/, 'the tracking token is appended');
    assert.match(sent.messageId ?? '', /^<[0-9a-f]{32}\.dovetail@crm\.example>$/);
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1);

    // The customer answers (In-Reply-To) and, separately, writes about something else.
    h.fake.deliver('sam@us.example', { subject: `RE: ${sent.subject}`, from: { address: 'pat@customer.example' }, inReplyTo: sent.messageId! });
    h.fake.deliver('sam@us.example', { subject: 'Lunch?', from: { address: 'friend@else.example' } });
    h.clock.advance(60_000);
    await h.worker.runUntilIdle();

    const incoming = await listEmails(h.useCases, { direction: 'incoming' });
    assert.equal(incoming.length, 1, 'only the response is tracked under the default rule');
    const reply = incoming[0]!;
    assert.deepEqual(reply.regarding, { type: 'account', id: account.id });
    assert.equal(reply.conversationId, sent.conversationId);
    assert.equal(reply.correlationMethod, 'in-reply-to');
    assert.equal(reply.status, 'received');
    assert.deepEqual(reply.parties.find((p) => p.role === 'from')?.partyId, contactId);

    const item = h.fake.items('sam@us.example').find((m) => m.internetMessageId === reply.messageId)!;
    assert.deepEqual(item.stamp, { orgId: (await h.store.settings.get()).orgId, activityId: reply.id });
    assert.ok(item.categories.includes('Tracked to Dovetail'));
  });

  it('correlates by tracking token when In-Reply-To is missing', async () => {
    const [sent] = await listEmails(h.useCases, { direction: 'outgoing', status: 'sent' });
    const token = sent!.trackingToken!;
    h.fake.deliver('sam@us.example', { subject: `Fwd: about ${token}`, from: { address: 'someone@customer.example' } });
    h.clock.advance(60_000);
    await h.worker.runUntilIdle();
    const hit = (await listEmails(h.useCases, { direction: 'incoming' })).find((e) => e.subject.startsWith('Fwd: about'));
    assert.equal(hit?.correlationMethod, 'tracking-token');
  });

  it('re-enumerates a forgotten cursor without creating anything twice', async () => {
    const before = (await listEmails(h.useCases, { limit: 1000 })).length;
    h.fake.forgetCursors('sam@us.example');
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    assert.equal((await listEmails(h.useCases, { limit: 1000 })).length, before);
    for (const [key, n] of h.fake.stampsPerItem) assert.equal(n, 1, `${key} stamped once`);
  });

  it('records an email that cannot be tracked, marks it Undeliverable, and tracks it on retry', async () => {
    const bad = h.fake.deliver('sam@us.example', { subject: 'RE: Your quote', from: { address: 'pat@customer.example' }, body: { type: 'text', content: 'bad \u0000 byte' } });
    const settings = await h.store.settings.get();
    await h.store.settings.save({ ...settings, trackEmails: 'all' });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const [failure] = await listFailures(syncDb(h.store.kysely), { mailboxId: sam.id });
    assert.ok(failure);
    assert.equal(failure.exchangeItemId, bad.id);
    assert.equal(failure.errorCode, 'activity_create_failed');
    assert.ok(new Date(failure.keepUntil).getTime() - new Date(failure.lastFailedAt).getTime() >= 30 * 86_400_000);
    assert.ok(h.fake.items('sam@us.example').find((m) => m.id === bad.id)?.categories.includes('Undeliverable'));
    const mailbox = await h.store.mailboxes.require(sam.id);
    assert.equal(mailbox.incomingEnabled, true, 'one bad email never disables the mailbox');
    assert.equal(mailbox.lastCycleFailed, 1);

    // Fix the content on the server side and retry.
    h.fake.items('sam@us.example').find((m) => m.id === bad.id)!.body = { type: 'text', content: 'fixed' };
    await requestRetry(syncDb(h.store.kysely), failure.id, new Date(h.clock.now()));
    await h.worker.runUntilIdle();
    const [after] = await listFailures(syncDb(h.store.kysely), { id: failure.id });
    assert.equal(after?.status, 'resolved');
    assert.ok((await listEmails(h.useCases, { limit: 1000 })).some((e) => e.messageId === bad.internetMessageId));
    await h.store.settings.save({ ...settings });
  });

  it('moves failed email to an Undeliverable folder it creates when the profile says so', async () => {
    const profile = await createProfile(h.store, { name: 'Move failed', moveFailedToUndeliverable: true });
    const lee = await createReadyMailbox(h.store, profile, 'lee@us.example', { now: h.clock.now() });
    h.fake.addMailbox('lee@us.example');
    const m = h.fake.deliver('lee@us.example', { subject: 'hello', from: { address: 'pat@customer.example' } });
    h.fake.corrupt.add(m.id);
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all' });
    await h.worker.runUntilIdle();
    const folder = h.fake.folderByName('lee@us.example', 'Undeliverable');
    assert.ok(folder, 'the folder was created');
    assert.equal(h.fake.items('lee@us.example', folder.id).length, 1);
    const [failure] = await listFailures(syncDb(h.store.kysely), { mailboxId: lee.id });
    assert.equal(failure?.providerCode, 'ErrorCorruptData');
    assert.notEqual(failure?.exchangeItemId, m.id, 'the failure follows the item to its new id');
  });

  it('a transient error retries later and never disables; bad credentials disable with an alert', async () => {
    h.fake.failNext('syncMessages', new AppError('timeout', 'timed out', { kind: 'transient' }), 1, 'sam@us.example');
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    let m = await h.store.mailboxes.require(sam.id);
    assert.equal(m.incomingEnabled, true);
    assert.equal(m.transientFailureCount, 1);
    assert.equal(m.lastErrorCode, 'timeout');
    assert.ok(m.nextIncomingAt !== null && Date.parse(m.nextIncomingAt) > h.clock.now());

    h.fake.failNext('getFolder', new AppError('unauthorized', 'denied', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' }), 1, 'sam@us.example');
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    m = await h.store.mailboxes.require(sam.id);
    assert.equal(m.incomingEnabled, false);
    assert.equal(m.incomingStatus, 'failure');
    assert.equal(m.nextIncomingAt, null);
    const alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: sam.id, level: 'error' });
    assert.ok(alerts.some((a) => /ErrorImpersonateUserDenied/.test(a.message) && /impersonat/i.test(a.message)));
    assert.equal(alerts[0]?.ownerUserId, sam.ownerId);
  });
});
