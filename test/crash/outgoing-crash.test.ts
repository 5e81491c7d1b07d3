/**
 * Kill the worker (SIGKILL) at every persisted step of sending, restart it, and check that every
 * queued email was sent exactly once and ended Sent: no double send, no lost email.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDraft, listEmails, sendEmail } from '../../src/crm/email-activities.ts';
import { createProfile, createReadyMailbox } from '../sync/fixtures.ts';
import { postgresSkip } from '../support/env.ts';
import { openCrashHarness, type CrashHarness } from './crash-harness.ts';

const steps = ['outgoing:after-claim', 'outgoing:after-send', 'outgoing:after-mark-sent'];

describe('outgoing email survives SIGKILL at every persisted step (PostgreSQL)', { skip: postgresSkip() }, () => {
  let h: CrashHarness;
  before(async () => {
    h = await openCrashHarness('postgres');
    h.fake.addMailbox('sam@us.example');
    await h.withStore(async (store, useCases) => {
      const profile = await createProfile(store);
      const sam = await createReadyMailbox(store, profile, 'sam@us.example', { now: Date.now() });
      for (let i = 0; i < 5; i++) {
        const d = await createDraft(useCases, { mailboxId: sam.id, to: [{ address: `customer${i}@customer.example` }], subject: `Offer ${i}`, body: 'x', bodyType: 'text' });
        await sendEmail(useCases, d.id);
      }
    });
  });
  after(async () => h?.dispose());

  for (const step of steps) {
    it(`dies at ${step}`, async () => {
      const exit = await h.runChild({ DOVETAIL_TEST_KILL_AT: step });
      assert.equal(exit.signal, 'SIGKILL', `the worker reached ${step} and was killed there (stderr: ${exit.stderr})`);
    });
  }

  it('after a clean restart every email was sent exactly once and is Sent', async () => {
    const exit = await h.runChild({});
    assert.equal(exit.code, 0, exit.stderr);
    await h.withStore(async (_store, useCases) => {
      const emails = await listEmails(useCases, { direction: 'outgoing', limit: 100 });
      assert.equal(emails.length, 5);
      for (const e of emails) {
        assert.equal(e.status, 'sent', `${e.subject} is sent`);
        assert.equal(h.fake.sendsPerMessageId.get(e.messageId!), 1, `${e.subject} went out once`);
        assert.equal(h.fake.items('sam@us.example', 'sentitems').filter((m) => m.internetMessageId === e.messageId).length, 1);
      }
      // The email that was sent just before a kill was found in Sent Items instead of resent.
      assert.ok(emails.some((e) => e.sendAttempts >= 2));
    });
  });
});
