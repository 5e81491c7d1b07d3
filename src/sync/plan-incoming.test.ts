import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmailMessage, RemoteFolderId, RemoteItemId, RemoteVersion } from '../exchange/driver.ts';
import type { TrackedEmail } from '../crm/correlation.ts';
import { isTrackableClass, planIncoming, type IncomingSettings } from './plan-incoming.ts';

const settings: IncomingSettings = {
  orgId: 'org-1',
  processFrom: 1_000,
  trackingRule: 'responses',
  correlation: { inReplyTo: true, trackingToken: true, tokenFormat: { prefix: 'CRM:', digits: 7 }, conversationIndex: true, smartMatching: false },
  resolution: { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' },
  maxAttachmentBytes: 100,
};

function msg(over: Partial<EmailMessage> = {}): EmailMessage {
  return {
    id: 'i1' as RemoteItemId,
    version: 'v1' as RemoteVersion,
    folderId: 'inbox' as RemoteFolderId,
    internetMessageId: '<reply@customer>',
    references: [],
    subject: 'RE: Quote CRM:0000042',
    from: { address: 'pat@customer.example' },
    to: [{ address: 'sam@us.example' }],
    cc: [],
    bcc: [],
    replyTo: [],
    receivedAt: new Date(5_000),
    body: { type: 'text', content: 'yes' },
    attachments: [],
    categories: [],
    isDraft: false,
    isRead: false,
    importance: 'normal',
    itemClass: 'IPM.Note',
    ...over,
  };
}

const parent: TrackedEmail = {
  activityId: 'act-parent',
  internetMessageId: '<quote@crm>',
  trackingToken: 'CRM:0000042',
  conversationIndex: null,
  subjectKey: 'quote',
  addresses: [],
  regarding: { type: 'account', id: 'acc-1' },
  conversationId: 'conv-1',
  createdAt: 1,
};

const facts = (over: Partial<Parameters<typeof planIncoming>[1]> = {}) => ({ message: msg(), existingActivityId: null, tracked: [], records: [], ...over });

describe('incoming plan', () => {
  it('tracks a reply, taking regarding and conversation from the tracked parent', () => {
    const d = planIncoming(settings, facts({ message: msg({ inReplyTo: '<quote@crm>' }), tracked: [parent] }));
    assert.equal(d.type, 'track');
    if (d.type !== 'track') return;
    assert.deepEqual(d.activity.regarding, { type: 'account', id: 'acc-1' });
    assert.equal(d.activity.conversationId, 'conv-1');
    assert.deepEqual(d.activity.correlatedWith, { activityId: 'act-parent', method: 'in-reply-to' });
    assert.equal(d.activity.trackingToken, 'CRM:0000042');
  });

  it('ignores a non-response under the default rule, tracks it under "all"', () => {
    assert.equal(planIncoming(settings, facts({ message: msg({ subject: 'hello' }) })).type, 'ignore');
    assert.equal(planIncoming({ ...settings, trackingRule: 'all' }, facts({ message: msg({ subject: 'hello' }) })).type, 'track');
  });

  it('tracks email from a contact under crm-records', () => {
    const records = [{ kind: 'contact' as const, id: 'c1', address: 'pat@customer.example', createdAt: 1 }];
    const d = planIncoming({ ...settings, trackingRule: 'crm-records' }, facts({ message: msg({ subject: 'hello' }), records }));
    assert.equal(d.type, 'track');
    if (d.type === 'track') assert.deepEqual(d.activity.parties[0]?.records, [{ kind: 'contact', id: 'c1' }]);
  });

  it('links instead of tracking twice', () => {
    assert.deepEqual(planIncoming(settings, facts({ existingActivityId: 'a9', tracked: [parent] })), { type: 'link', activityId: 'a9', reason: 'already tracked' });
    const stamped = msg({ stamp: { orgId: 'org-1', activityId: 'a7' } });
    assert.equal(planIncoming(settings, facts({ message: stamped })).type, 'link');
    assert.equal(planIncoming(settings, facts({ message: msg({ stamp: { orgId: 'org-1' } }), tracked: [parent] })).type, 'skip');
    const otherOrg = msg({ stamp: { orgId: 'org-2', activityId: 'a7' }, inReplyTo: '<quote@crm>' });
    assert.equal(planIncoming(settings, facts({ message: otherOrg, tracked: [parent] })).type, 'track');
  });

  it('skips drafts, receipts and email from before "process email from"', () => {
    assert.equal(planIncoming(settings, facts({ message: msg({ isDraft: true }), tracked: [parent] })).type, 'skip');
    assert.equal(planIncoming({ ...settings, trackingRule: 'all' }, facts({ message: msg({ internetMessageId: '<test-0f8fad5bd9cb469fa16570867728950e.dovetail@crm.example>' }) })).type, 'skip');
    assert.equal(planIncoming(settings, facts({ message: msg({ itemClass: 'REPORT.IPM.Note.NDR' }), tracked: [parent] })).type, 'skip');
    assert.equal(planIncoming(settings, facts({ message: msg({ receivedAt: new Date(999) }), tracked: [parent] })).type, 'skip');
    assert.equal(planIncoming({ ...settings, processFrom: null }, facts({ message: msg({ receivedAt: new Date(999), inReplyTo: '<quote@crm>' }), tracked: [parent] })).type, 'track');
    assert.equal(isTrackableClass('IPM.Note.SMIME'), true);
    assert.equal(isTrackableClass('IPM.Schedule.Meeting.Request'), false);
  });

  it('keeps attachments up to the size limit and names the others', () => {
    const attachments = [
      { id: 'a', name: 'small.txt', contentType: 'text/plain', size: 100, isInline: false },
      { id: 'b', name: 'big.bin', contentType: 'application/octet-stream', size: 101, isInline: false },
    ];
    const d = planIncoming(settings, facts({ message: msg({ attachments, inReplyTo: '<quote@crm>' }), tracked: [parent] }));
    assert.equal(d.type === 'track' && d.activity.attachments.map((a) => a.name).join(), 'small.txt');
    assert.deepEqual(d.type === 'track' && d.activity.omittedAttachments, [
      { name: 'big.bin', contentType: 'application/octet-stream', size: 101, reason: 'over-size-limit', limitBytes: 100 },
    ]);
  });

  it('tracks everything in a tracked folder, regarding the folder record unless correlation finds one', () => {
    const inFolder = { ...settings, trackingRule: 'none' as const, trackedFolder: { regarding: { type: 'lead', id: 'lead-1' } } };
    const plain = planIncoming(inFolder, facts({ message: msg({ subject: 'hello' }) }));
    assert.equal(plain.type, 'track');
    assert.deepEqual(plain.type === 'track' && plain.activity.regarding, { type: 'lead', id: 'lead-1' });
    const reply = planIncoming(inFolder, facts({ message: msg({ inReplyTo: '<quote@crm>' }), tracked: [parent] }));
    assert.deepEqual(reply.type === 'track' && reply.activity.regarding, { type: 'account', id: 'acc-1' });
  });
});
