import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assignConversationIndex,
  conversationIdOf,
  fileTime,
  headerFileTime,
  isConversationIndex,
  newConversationIndex,
  parentMessageIds,
  replyConversationIndex,
} from './conversation-index.ts';

const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const at = Date.parse('2026-12-06T10:00:00Z');

describe('conversation index (MS-OXOMSG PidTagConversationIndex)', () => {
  it('starts a conversation with a 22-byte header: 0x01, the FILETIME, the GUID', () => {
    const header = newConversationIndex(at, guid);
    assert.equal(header.length, 22);
    assert.equal(header[0], 0x01);
    assert.deepEqual(header.subarray(6), guid);
    // Only the low 16 bits of the FILETIME are dropped (6.5 ms).
    assert.ok(fileTime(at) - headerFileTime(header) < 65_536n);
    assert.ok(headerFileTime(header) <= fileTime(at));
    // A real index of 2015 starts "AdE…" (01 D1 …); one of 2026 starts with 01 DC/DD.
    assert.match(header.toString('base64'), /^Ad[w-z0-9]/);
  });

  it('appends one 5-byte response level per reply, with the time since the header', () => {
    const header = newConversationIndex(at, guid);
    const reply = replyConversationIndex(header, at + 3_600_000, 0xab);
    assert.equal(reply.length, 27);
    assert.deepEqual(reply.subarray(0, 22), header);
    const word = reply.readUInt32BE(22);
    assert.equal(word >>> 31, 0, 'DC = 0 for less than 1.7 years');
    const delta = BigInt(word & 0x7fffffff) << 18n;
    const expected = fileTime(at + 3_600_000) - headerFileTime(header);
    assert.ok(expected - delta < 1n << 18n && expected >= delta, 'bits 48..18 of the difference');
    assert.equal(reply[26], 0xab);
    const second = replyConversationIndex(reply, at + 7_200_000, 1);
    assert.equal(second.length, 32);
    assert.deepEqual(second.subarray(0, 27), reply);
  });

  it('uses the coarse form (DC = 1, bits 53..23) for replies years later', () => {
    const header = newConversationIndex(at, guid);
    const late = replyConversationIndex(header, at + 3 * 365 * 86_400_000, 0);
    const word = late.readUInt32BE(22);
    assert.equal(word >>> 31, 1);
    const delta = BigInt(word & 0x7fffffff) << 23n;
    const expected = fileTime(at + 3 * 365 * 86_400_000) - headerFileTime(header);
    assert.ok(expected - delta < 1n << 23n && expected >= delta);
  });

  it('derives one ConversationId per thread from the GUID', () => {
    const header = newConversationIndex(at, guid);
    const reply = replyConversationIndex(header, at + 1000, 7);
    assert.equal(conversationIdOf(reply), conversationIdOf(header));
    assert.notEqual(conversationIdOf(newConversationIndex(at, Buffer.alloc(16, 1))), conversationIdOf(header));
    assert.equal(conversationIdOf(Buffer.alloc(10)), null);
    assert.equal(isConversationIndex(Buffer.alloc(23, 1)), false);
  });

  it('assigns the carried index, else a reply under the named parent, else a new conversation', () => {
    const parent = newConversationIndex(at, guid).toString('base64');
    const carried = replyConversationIndex(Buffer.from(parent, 'base64'), at + 5, 9).toString('base64');
    const lookup = (id: string) => (id === '<p@x>' ? parent : undefined);
    const random = Buffer.alloc(16, 0x42);
    assert.equal(assignConversationIndex({ carried, parentIds: ['<p@x>'], lookup, nowMs: at + 10, random }).toString('base64'), carried);
    const reply = assignConversationIndex({ parentIds: parentMessageIds('<other@x>', '<p@x> <q@x>'), lookup, nowMs: at + 10, random });
    assert.equal(reply.length, 27);
    assert.equal(reply.subarray(0, 22).toString('base64'), parent);
    const fresh = assignConversationIndex({ carried: 'bm90IGFuIGluZGV4', parentIds: ['<none@x>'], lookup, nowMs: at, random });
    assert.deepEqual(fresh.subarray(6), random);
  });

  it('looks for the parent by In-Reply-To first, then References from the newest', () => {
    assert.deepEqual(parentMessageIds('<c@x>', '<a@x> <b@x> <c@x>'), ['<c@x>', '<b@x>', '<a@x>']);
    assert.deepEqual(parentMessageIds(undefined, ['<a@x>', '<b@x>']), ['<b@x>', '<a@x>']);
  });
});
