import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDraft, getEmail, retryEmail, sendEmail } from '../../src/crm/email-activities.ts';
import { AppError } from '../../src/errors.ts';
import { listFailures } from '../../src/sync/item-failures.ts';
import { mailboxSchedule } from '../../src/sync/schedule-view.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

describe('the outbox (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  let sam: Awaited<ReturnType<typeof createReadyMailbox>>;
  before(async () => {
    h = await openHarness();
    const profile = await createProfile(h.store);
    sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    // The mailbox is idle: its next incoming poll is far away, so only the outbox makes it due.
    await h.worker.runUntilIdle();
  });
  after(async () => h?.dispose());

  const draft = (subject: string) => createDraft(h.useCases, { mailboxId: sam.id, to: [{ address: 'pat@customer.example' }], subject, body: 'x', bodyType: 'text' });

  it('picks up Pending Send at once, not at the next poll', async () => {
    const before = await h.store.mailboxes.require(sam.id);
    assert.ok(Date.parse(before.nextIncomingAt!) > h.clock.now());
    const e = await draft('now');
    await sendEmail(h.useCases, e.id);
    assert.equal((await h.store.mailboxes.require(sam.id)).nextOutgoingAt, new Date(h.clock.now()).toISOString());
    await h.worker.tick();
    const sent = await getEmail(h.useCases, e.id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.sendAttempts, 1);
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1);
    const sched = await mailboxSchedule(syncDb(h.store.kysely), sam.id, h.clock.now());
    assert.equal(sched?.pipelines.find((p) => p.pipeline === 'outgoing')?.reason, 'outbox-empty');
    assert.equal(sched?.lease, null, 'released after the run');
  });

  it('after a lost reply finds the email in Sent Items and does not send it again', async () => {
    const e = await draft('lost reply');
    await sendEmail(h.useCases, e.id);
    h.fake.failAfterNext('sendMessage', new AppError('timeout', 'The response did not arrive.', { kind: 'transient' }));
    await h.worker.runUntilIdle();
    let now = await getEmail(h.useCases, e.id);
    assert.equal(now.status, 'pending-send', 'a transient error keeps it queued');
    assert.ok(now.messageId !== null);
    assert.equal(h.fake.sendsPerMessageId.get(now.messageId!), 1);
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    now = await getEmail(h.useCases, e.id);
    assert.equal(now.status, 'sent');
    assert.equal(now.sendAttempts, 2);
    assert.equal(h.fake.sendsPerMessageId.get(now.messageId!), 1, 'sent exactly once');
    assert.ok(h.fake.calls.some((c) => c.method === 'findByInternetMessageId'));
  });

  it('keeps quota-limited email queued with a warning, then sends it', async () => {
    const e = await draft('quota');
    await sendEmail(h.useCases, e.id);
    h.fake.failNext('sendMessage', new AppError('send_failed', 'Submission quota exceeded', { kind: 'permanent', providerCode: 'ErrorSubmissionQuotaExceeded' }));
    await h.worker.runUntilIdle();
    const waiting = await getEmail(h.useCases, e.id);
    assert.equal(waiting.status, 'pending-send');
    assert.ok(waiting.nextAttemptAt !== null && Date.parse(waiting.nextAttemptAt) > h.clock.now());
    const alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: sam.id, level: 'warning' });
    assert.ok(alerts.some((a) => a.code === 'send_quota'));
    assert.equal((await h.store.mailboxes.require(sam.id)).outgoingEnabled, true);
    h.clock.advance(2 * 60 * 60_000);
    await h.worker.runUntilIdle();
    assert.equal((await getEmail(h.useCases, e.id)).status, 'sent');
  });

  it('fails an email the server refuses, records it, and retries it on request', async () => {
    const e = await draft('refused');
    await sendEmail(h.useCases, e.id);
    h.fake.failNext('sendMessage', new AppError('send_failed', 'One or more recipients are invalid.', { kind: 'permanent', providerCode: 'ErrorInvalidRecipients' }));
    await h.worker.runUntilIdle();
    const failed = await getEmail(h.useCases, e.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.lastError ?? '', /ErrorInvalidRecipients/);
    const [f] = await listFailures(syncDb(h.store.kysely), { mailboxId: sam.id });
    assert.equal(f?.emailId, e.id);
    await assert.rejects(sendEmail(h.useCases, e.id), (err) => err instanceof AppError && err.code === 'invalid_email_status_transition');
    await retryEmail(h.useCases, e.id);
    await h.worker.runUntilIdle();
    const sent = await getEmail(h.useCases, e.id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.messageId, failed.messageId, 'the Message-ID is kept across attempts');
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1, 'the server refused the first attempt; only the retry went out');
    assert.equal((await listFailures(syncDb(h.store.kysely), { id: f!.id }))[0]?.status, 'resolved');
  });

  it('holds email and disables outgoing when the mailbox cannot send; Test & Enable lets it go', async () => {
    const e = await draft('held');
    await sendEmail(h.useCases, e.id);
    h.fake.failNext('sendMessage', new AppError('unauthorized', 'Access denied', { kind: 'auth', providerCode: 'ErrorAccessDenied' }));
    await h.worker.runUntilIdle();
    assert.equal((await getEmail(h.useCases, e.id)).status, 'pending-send');
    const m = await h.store.mailboxes.require(sam.id);
    assert.equal(m.outgoingEnabled, false);
    assert.equal(m.outgoingStatus, 'failure');
    await h.store.mailboxes.saveSyncState(sam.id, { nextTestAt: new Date(h.clock.now()).toISOString() });
    await h.worker.runUntilIdle();
    const after = await getEmail(h.useCases, e.id);
    assert.equal(after.status, 'sent');
    assert.equal((await h.store.mailboxes.require(sam.id)).outgoingEnabled, true);
  });
});
