import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOrgEmailSettings, recordsAlertLevel, validateOrgEmailSettings, type OrgEmailSettings } from './settings.ts';

const base = defaultOrgEmailSettings('00000000-0000-4000-8000-000000000001', '2026-01-01T00:00:00.000Z');
const issues = (over: Partial<OrgEmailSettings>) =>
  Object.fromEntries((validateOrgEmailSettings({ ...base, ...over })?.details?.['issues'] as Array<{ field: string; message: string }> | undefined ?? []).map((i) => [i.field, i.message]));

describe('org email settings: alerts, duplicate addresses, attachment size', () => {
  it("defaults to Dynamics': owners alerted, oldest sender record, all recipients, 5,120 KB", () => {
    assert.equal(base.alertMailboxOwners, true);
    assert.equal(base.senderDuplicateRule, 'oldest');
    assert.equal(base.recipientDuplicateRule, 'all');
    assert.equal(base.maxAttachmentSizeKb, 5120);
    assert.equal(validateOrgEmailSettings(base), undefined);
  });

  it('accepts the bounds and every rule, and names the field of anything else', () => {
    for (const ok of [{ maxAttachmentSizeKb: 1 }, { maxAttachmentSizeKb: 131_072 }, { senderDuplicateRule: 'newest' }, { senderDuplicateRule: 'unresolved' }, { recipientDuplicateRule: 'unresolved' }, { alertMailboxOwners: false }] as const) {
      assert.deepEqual(issues(ok), {}, JSON.stringify(ok));
    }
    assert.deepEqual(issues({ maxAttachmentSizeKb: 0 }), { maxAttachmentSizeKb: 'must be between 1 and 131072' });
    assert.deepEqual(issues({ maxAttachmentSizeKb: 131_073 }), { maxAttachmentSizeKb: 'must be between 1 and 131072' });
    assert.deepEqual(Object.keys(issues({ maxAttachmentSizeKb: 10.5 })), ['maxAttachmentSizeKb']);
    assert.deepEqual(Object.keys(issues({ senderDuplicateRule: 'first' as never, recipientDuplicateRule: 'some' as never, alertMailboxOwners: 'yes' as never })).sort(), [
      'alertMailboxOwners', 'recipientDuplicateRule', 'senderDuplicateRule',
    ]);
  });
});

describe('org email settings: alert levels', () => {
  it('records every level by default and accepts any subset, empty included', () => {
    assert.deepEqual(base.alertLevels, ['error', 'warning', 'information']);
    for (const alertLevels of [[], ['error'], ['warning', 'information'], ['information', 'error', 'warning']] as const) {
      assert.deepEqual(issues({ alertLevels: [...alertLevels] }), {}, JSON.stringify(alertLevels));
    }
  });

  it('refuses an unknown level, a repeated one and a non-list, naming the field', () => {
    assert.deepEqual(issues({ alertLevels: ['error', 'critical'] as never }), { alertLevels: 'must contain only error, warning, information' });
    assert.deepEqual(issues({ alertLevels: ['error', 'error'] }), { alertLevels: 'must not name a level twice' });
    assert.deepEqual(issues({ alertLevels: 'error' as never }), { alertLevels: 'must be a list of error, warning, information' });
  });

  it('tells whether a level is recorded', () => {
    const some = { ...base, alertLevels: ['error' as const] };
    assert.equal(recordsAlertLevel(some, 'error'), true);
    assert.equal(recordsAlertLevel(some, 'warning'), false);
    assert.equal(recordsAlertLevel(some, 'information'), false);
  });
});
