import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { profileAlertRule } from './profile-alert-rule.ts';

const base = { enabled: true, activeMailboxes: 10, failedMailboxes: 6, lastAlertAt: null, now: 10_000_000 };

describe('profile alert rule', () => {
  it('fires when more than half the mailboxes failed', () => {
    assert.equal(profileAlertRule(base), true);
    assert.equal(profileAlertRule({ ...base, failedMailboxes: 5 }), false, 'exactly half is not more than half');
    assert.equal(profileAlertRule({ ...base, activeMailboxes: 1, failedMailboxes: 1 }), true);
    assert.equal(profileAlertRule({ ...base, activeMailboxes: 0, failedMailboxes: 0 }), false);
  });
  it('respects the profile switch and sends at most one email an hour', () => {
    assert.equal(profileAlertRule({ ...base, enabled: false }), false);
    assert.equal(profileAlertRule({ ...base, lastAlertAt: base.now - 59 * 60_000 }), false);
    assert.equal(profileAlertRule({ ...base, lastAlertAt: base.now - 60 * 60_000 }), true);
  });
});
