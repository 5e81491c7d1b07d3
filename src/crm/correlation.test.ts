import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCorrelation, correlationKeys, type CorrelationOptions, type TrackedEmail } from './correlation.ts';
import { subjectKey } from './subject-key.ts';

const fmt = { prefix: 'CRM:', digits: 7 };
const all: CorrelationOptions = { inReplyTo: true, trackingToken: true, tokenFormat: fmt, conversationIndex: true, smartMatching: true };
const root = Buffer.alloc(22, 9);
const parentIndex = Buffer.concat([root, Buffer.alloc(5, 1)]);
const replyIndex = Buffer.concat([parentIndex, Buffer.alloc(5, 2)]).toString('base64');

function tracked(over: Partial<TrackedEmail>): TrackedEmail {
  return {
    activityId: 'a',
    internetMessageId: null,
    trackingToken: null,
    conversationIndex: null,
    subjectKey: 'quote',
    addresses: [],
    regarding: null,
    conversationId: null,
    createdAt: 1,
    ...over,
  };
}

const reply = {
  inReplyTo: '<m1@crm>',
  references: ['<m0@crm>', '<m1@crm>'],
  subject: 'RE: Quote CRM:0000042',
  conversationIndex: replyIndex,
  from: { address: 'Pat@Customer.example' },
  to: [{ address: 'sam@us.example' }],
  cc: [{ address: 'lee@us.example' }],
};

const byMessageId = tracked({ activityId: 'by-mid', internetMessageId: '<m1@crm>' });
const byReference = tracked({ activityId: 'by-ref', internetMessageId: '<m0@crm>' });
const byToken = tracked({ activityId: 'by-token', trackingToken: 'CRM:0000042' });
const byIndex = tracked({ activityId: 'by-index', conversationIndex: parentIndex.toString('base64') });
const bySubject = tracked({ activityId: 'by-subject', subjectKey: subjectKey('Quote'), addresses: ['pat@customer.example', 'sam@us.example'] });

describe('correlation', () => {
  it('asks only for the keys of enabled methods', () => {
    const none = correlationKeys(reply, { ...all, inReplyTo: false, trackingToken: false, conversationIndex: false, smartMatching: false });
    assert.deepEqual(none, { messageIds: [], token: null, conversationIndexes: [], subjectKey: null });
    const keys = correlationKeys(reply, all);
    assert.deepEqual(keys.messageIds, ['<m1@crm>', '<m0@crm>']);
    assert.equal(keys.token, 'CRM:0000042');
    assert.equal(keys.conversationIndexes.length, 2);
    assert.equal(keys.subjectKey, 'quote');
  });

  it('follows Dynamics order: In-Reply-To, token, conversation index, smart matching', () => {
    const keys = correlationKeys(reply, all);
    const found = [bySubject, byIndex, byToken, byReference, byMessageId];
    assert.equal(chooseCorrelation(reply, keys, found).parent?.activityId, 'by-mid');
    assert.equal(chooseCorrelation(reply, keys, found.filter((t) => t !== byMessageId)).method, 'in-reply-to');
    assert.equal(chooseCorrelation(reply, keys, found.filter((t) => t !== byMessageId)).parent?.activityId, 'by-ref');
    assert.equal(chooseCorrelation(reply, keys, [bySubject, byIndex, byToken]).method, 'tracking-token');
    assert.equal(chooseCorrelation(reply, keys, [bySubject, byIndex]).method, 'conversation-index');
    assert.equal(chooseCorrelation(reply, keys, [bySubject]).method, 'smart-matching');
    assert.equal(chooseCorrelation(reply, keys, []).method, null);
  });

  it('needs two shared addresses for smart matching', () => {
    const keys = correlationKeys(reply, all);
    const onlyOne = tracked({ subjectKey: 'quote', addresses: ['pat@customer.example', 'other@x.example'] });
    assert.equal(chooseCorrelation(reply, keys, [onlyOne]).method, null);
    const otherSubject = tracked({ subjectKey: 'invoice', addresses: ['pat@customer.example', 'sam@us.example'] });
    assert.equal(chooseCorrelation(reply, keys, [otherSubject]).method, null);
  });

  it('turning a method off skips it even when it would match', () => {
    const keys = correlationKeys(reply, { ...all, inReplyTo: false, trackingToken: false });
    assert.equal(chooseCorrelation(reply, keys, [byMessageId, byToken, byIndex]).parent?.activityId, 'by-index');
  });

  it('prefers the nearest conversation ancestor and the newest among equals', () => {
    const keys = correlationKeys(reply, all);
    const atRoot = tracked({ activityId: 'root', conversationIndex: root.toString('base64'), createdAt: 100 });
    assert.equal(chooseCorrelation(reply, keys, [atRoot, byIndex]).parent?.activityId, 'by-index');
    const older = tracked({ activityId: 'old', trackingToken: 'CRM:0000042', createdAt: 1 });
    const newer = tracked({ activityId: 'new', trackingToken: 'CRM:0000042', createdAt: 2 });
    assert.equal(chooseCorrelation(reply, keys, [newer, older]).parent?.activityId, 'new');
  });
});
