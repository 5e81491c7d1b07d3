import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../errors.ts';
import { afterSendError, assertTransition, canTransition, isTestMessageId, planSend, stampMessageId, testMessageId, type EmailStatus } from './outbox.ts';
import { decide } from './policy.ts';

describe('outbox', () => {
  it('allows only the outbox transitions', () => {
    const ok: Array<[EmailStatus, EmailStatus]> = [
      ['draft', 'pending-send'],
      ['pending-send', 'sending'],
      ['sending', 'sent'],
      ['sending', 'failed'],
      ['sending', 'pending-send'],
      ['failed', 'pending-send'],
    ];
    for (const [a, b] of ok) assert.equal(canTransition(a, b), true, `${a}->${b}`);
    const bad: Array<[EmailStatus, EmailStatus]> = [
      ['draft', 'sending'],
      ['pending-send', 'sent'],
      ['sent', 'pending-send'],
      ['sent', 'sending'],
      ['received', 'pending-send'],
      ['failed', 'sent'],
    ];
    for (const [a, b] of bad) {
      assert.equal(canTransition(a, b), false, `${a}->${b}`);
      assert.throws(() => assertTransition(a, b), (e) => isAppError(e, 'invalid_email_status_transition'));
    }
  });

  it('sends at once on the first attempt', () => {
    assert.deepEqual(planSend({ status: 'sending', internetMessageId: '<a@b>', sendAttempts: 1 }), [{ type: 'send', internetMessageId: '<a@b>' }]);
  });

  it('looks in Sent Items first after any earlier attempt began', () => {
    const steps = planSend({ status: 'sending', internetMessageId: '<a@b>', sendAttempts: 2 });
    assert.deepEqual(steps.map((s) => s.type), ['find-in-sent-items', 'send']);
  });

  it('refuses to send an unclaimed or unstamped email', () => {
    assert.throws(() => planSend({ status: 'pending-send', internetMessageId: '<a@b>', sendAttempts: 0 }));
    assert.throws(() => planSend({ status: 'sending', internetMessageId: null, sendAttempts: 1 }));
  });

  it('keeps quota errors queued with an alert, fails permanent errors', () => {
    const quota = afterSendError(decide('outgoing', 'send', { kind: 'throttled', code: 'x', providerCode: 'ErrorSubmissionQuotaExceeded' }, 0));
    assert.equal(quota.status, 'pending-send');
    assert.equal(quota.status === 'pending-send' && quota.alert, true);
    const transient = afterSendError(decide('outgoing', 'send', { kind: 'transient', code: 'timeout' }, 0));
    assert.equal(transient.status, 'pending-send');
    assert.equal(transient.status === 'pending-send' && transient.alert, false);
    assert.equal(afterSendError(decide('outgoing', 'send', { kind: 'permanent', code: 'x', providerCode: 'ErrorInvalidRecipients' }, 0)).status, 'failed');
  });

  it('holds the email, not fails it, when the mailbox itself cannot send (credentials)', () => {
    assert.equal(afterSendError(decide('outgoing', 'send', { kind: 'auth', code: 'unauthorized' }, 0)).status, 'held');
  });

  it('stamps Message-IDs in angle brackets under our domain', () => {
    assert.equal(stampMessageId('0f8fad5b-d9cb-469f-a165-70867728950e', 'crm.example'), '<0f8fad5bd9cb469fa16570867728950e.dovetail@crm.example>');
  });

  it('tells test messages apart by their Message-ID', () => {
    const id = testMessageId('0f8fad5b-d9cb-469f-a165-70867728950e', 'crm.example');
    assert.equal(isTestMessageId(id), true);
    assert.equal(isTestMessageId(stampMessageId('0f8fad5b-d9cb-469f-a165-70867728950e', 'crm.example')), false);
    assert.equal(isTestMessageId('<test-123@else.example>'), false);
  });
});
