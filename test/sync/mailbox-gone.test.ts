/**
 * Errors that speak for the whole mailbox stop its pipeline with an alert, even when an item
 * step raised them: a send answered ErrorNonExistentMailbox keeps the email queued instead of
 * failing it, and a GetItem refused for the mailbox (impersonation withdrawn, mailbox gone)
 * leaves the folder cursor where it was, so the email is tracked once the mailbox is fixed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDraft, getEmail, listEmails, sendEmail } from '../../src/crm/email-activities.ts';
import { AppError } from '../../src/errors.ts';
import { listFailures } from '../../src/sync/item-failures.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { openHarness, type Harness } from './engine-harness.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';

describe('a mailbox that is gone or closed to the service account (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all' });
  });
  after(async () => h?.dispose());

  it('holds queued email and disables outgoing with an alert when the sender mailbox no longer exists', async () => {
    const profile = await createProfile(h.store, { name: 'Gone sender' });
    const kim = await createReadyMailbox(h.store, profile, 'kim@us.example', { now: h.clock.now() });
    h.fake.addMailbox('kim@us.example');
    await h.worker.runUntilIdle();
    const drafts = [];
    for (const subject of ['first', 'second']) {
      const d = await createDraft(h.useCases, { mailboxId: kim.id, to: [{ address: 'pat@customer.example' }], subject, body: 'x', bodyType: 'text' });
      await sendEmail(h.useCases, d.id);
      drafts.push(d);
    }
    h.fake.failNext('sendMessage', new AppError('mailbox_not_found', 'The SMTP address has no mailbox associated with it.', { kind: 'not-found', providerCode: 'ErrorNonExistentMailbox' }), 5);
    await h.worker.runUntilIdle();

    for (const d of drafts) assert.equal((await getEmail(h.useCases, d.id)).status, 'pending-send', 'the email waits; it did not fail');
    const m = await h.store.mailboxes.require(kim.id);
    assert.equal(m.outgoingEnabled, false);
    assert.equal(m.outgoingStatus, 'failure');
    assert.equal(m.lastErrorCode, 'ErrorNonExistentMailbox');
    const alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: kim.id, level: 'error' });
    assert.ok(alerts.some((a) => /Outgoing email/.test(a.message) && /mailbox was not found/.test(a.message)), JSON.stringify(alerts.map((a) => a.message)));
    assert.deepEqual(await listFailures(syncDb(h.store.kysely), { mailboxId: kim.id }), [], 'no email was recorded as failed');
    assert.equal(h.fake.calls.filter((c) => c.method === 'sendMessage' && c.mailbox === 'kim@us.example').length, 1, 'it stopped at the first refusal');
  });

  it('stops incoming on an item refused for the mailbox, keeps the cursor, and tracks the email after Test & Enable', async () => {
    const profile = await createProfile(h.store, { name: 'Withdrawn impersonation' });
    const lou = await createReadyMailbox(h.store, profile, 'lou@us.example', { now: h.clock.now() });
    h.fake.addMailbox('lou@us.example');
    await h.worker.runUntilIdle();
    const msg = h.fake.deliver('lou@us.example', { subject: 'Order 1001', from: { address: 'pat@customer.example' } });
    h.fake.itemErrors.set(msg.id, new AppError('impersonation_denied', 'The account does not have permission to impersonate the requested user.', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' }));
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();

    let m = await h.store.mailboxes.require(lou.id);
    assert.equal(m.incomingEnabled, false, 'incoming stopped');
    assert.equal(m.incomingStatus, 'failure');
    assert.equal(m.lastErrorCode, 'ErrorImpersonateUserDenied');
    const tracked = async () => (await listEmails(h.useCases, { limit: 1000 })).filter((e) => e.messageId === msg.internetMessageId);
    assert.deepEqual(await tracked(), []);

    // The administrator grants impersonation again and tests the mailbox.
    h.fake.itemErrors.delete(msg.id);
    await h.store.mailboxes.saveSyncState(lou.id, { nextTestAt: new Date(h.clock.now()).toISOString() });
    await h.worker.runUntilIdle();
    m = await h.store.mailboxes.require(lou.id);
    assert.equal(m.incomingEnabled, true);
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    assert.equal((await tracked()).length, 1, 'the email the refusal held back is tracked once');
  });
});
