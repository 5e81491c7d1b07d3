import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorKind } from '../errors.ts';
import { backoffDelay, backoffMaxMs, decide, isSendQuotaError, type PipelineName, type PipelineStep } from './policy.ts';

const kinds: ErrorKind[] = ['transient', 'throttled', 'auth', 'not-found', 'cursor-invalid', 'conflict', 'permanent', 'invalid-input'];
const steps: PipelineStep[] = ['connect', 'sync-folder', 'org-stamp', 'fetch-item', 'track-item', 'mark-item', 'send', 'find-sent'];
const pipelines: PipelineName[] = ['incoming', 'outgoing', 'act'];

describe('error policy', () => {
  it('never disables anything for a transient or throttled error, at any step of any pipeline', () => {
    for (const p of pipelines) {
      for (const s of steps) {
        for (const kind of ['transient', 'throttled'] as const) {
          const a = decide(p, s, { kind, code: 'x' }, 3);
          assert.equal(a.type, 'retry', `${p}/${s}/${kind}`);
        }
      }
    }
  });

  it('disables the pipeline with a remedy for auth errors at any step', () => {
    for (const s of steps) {
      const a = decide('incoming', s, { kind: 'auth', code: 'unauthorized', providerCode: 'ErrorImpersonateUserDenied' }, 0);
      assert.equal(a.type, 'disable-pipeline');
      if (a.type !== 'disable-pipeline') return;
      assert.equal(a.alert.level, 'error');
      assert.match(a.alert.message, /ErrorImpersonateUserDenied/);
      assert.match(a.alert.remedy, /impersonat/i);
    }
  });

  it('disables on a mailbox that is gone, but skips an item that is gone', () => {
    assert.equal(decide('incoming', 'connect', { kind: 'not-found', code: 'mailbox_not_found' }, 0).type, 'disable-pipeline');
    assert.equal(decide('incoming', 'sync-folder', { kind: 'not-found', code: 'x' }, 0).type, 'disable-pipeline');
    assert.equal(decide('incoming', 'fetch-item', { kind: 'not-found', code: 'x' }, 0).type, 'skip-item');
    assert.equal(decide('outgoing', 'find-sent', { kind: 'not-found', code: 'x' }, 0).type, 'skip-item');
  });

  it('disables on a mailbox that is gone even when an item step says so, on both providers', () => {
    const gone = [
      { kind: 'not-found' as const, code: 'ews_error', providerCode: 'ErrorNonExistentMailbox' },
      { kind: 'not-found' as const, code: 'graph_mailbox_not_found', providerCode: 'ErrorInvalidUser' },
      { kind: 'not-found' as const, code: 'graph_mailbox_not_in_cloud', providerCode: 'MailboxNotEnabledForRESTAPI' },
    ];
    for (const e of gone) {
      for (const step of ['send', 'fetch-item', 'find-sent', 'mark-item'] as const) {
        const a = decide(step === 'send' || step === 'find-sent' ? 'outgoing' : 'incoming', step, e, 0);
        assert.equal(a.type, 'disable-pipeline', `${e.providerCode} at ${step}`);
        if (a.type === 'disable-pipeline') assert.match(a.alert.remedy, /mailbox was not found/);
      }
    }
    assert.equal(decide('incoming', 'fetch-item', { kind: 'not-found', code: 'ews_error', providerCode: 'ErrorItemNotFound' }, 0).type, 'skip-item');
  });

  it('re-enumerates a folder whose cursor was forgotten', () => {
    assert.equal(decide('incoming', 'sync-folder', { kind: 'cursor-invalid', code: 'sync_state_invalid' }, 0).type, 're-enumerate');
    assert.equal(decide('act', 'sync-folder', { kind: 'cursor-invalid', code: 'sync_state_invalid' }, 0).type, 're-enumerate');
  });

  it('fails only the item for permanent errors at item steps, the pipeline at mailbox steps', () => {
    const item = decide('incoming', 'track-item', { kind: 'permanent', code: 'activity_rejected' }, 0);
    assert.deepEqual(item.type, 'fail-item');
    assert.equal(decide('incoming', 'connect', { kind: 'permanent', code: 'x' }, 0).type, 'disable-pipeline');
  });

  it('keeps an email queued and alerts on send quota errors, whatever kind the driver gave them', () => {
    for (const kind of kinds) {
      const a = decide('outgoing', 'send', { kind, code: 'send_failed', providerCode: 'ErrorSubmissionQuotaExceeded' }, 0);
      assert.equal(a.type, 'retry', kind);
      if (a.type === 'retry') assert.equal(a.alert?.level, 'warning');
    }
    assert.equal(isSendQuotaError({ kind: 'permanent', code: 'x', providerCode: 'ErrorQuotaExceeded' }), true);
    assert.equal(isSendQuotaError({ kind: 'permanent', code: 'x', providerCode: 'ErrorInvalidRecipients' }), false);
    // A permanent non-quota error fails the email.
    assert.equal(decide('outgoing', 'send', { kind: 'permanent', code: 'x', providerCode: 'ErrorInvalidRecipients' }, 0).type, 'fail-item');
  });

  it('honours the server retry-after for throttling and bounds back-off', () => {
    const a = decide('incoming', 'sync-folder', { kind: 'throttled', code: 'throttled', retryAfterMs: 120_000 }, 0);
    assert.equal(a.type === 'retry' && a.delayMs, 120_000);
    assert.equal(backoffDelay(0), 30_000);
    assert.equal(backoffDelay(1), 60_000);
    assert.equal(backoffDelay(50), backoffMaxMs);
    for (let i = 1; i < 40; i++) assert.ok(backoffDelay(i) >= backoffDelay(i - 1));
  });

  it('has an answer for every kind at every step', () => {
    for (const p of pipelines) for (const s of steps) for (const k of kinds) assert.ok(decide(p, s, { kind: k, code: 'c' }, 0).type);
  });
});
