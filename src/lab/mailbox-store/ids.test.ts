import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChangeKey, decodeId, encodeChangeKey, encodeId } from './ids.ts';

const key = '00112233445566778899aabbccddeeff';

describe('lab ids and change keys', () => {
  it('round-trip item, folder and attachment ids', () => {
    assert.deepEqual(decodeId(encodeId('item', 3, key)), { kind: 'item', mailboxNo: 3, key });
    assert.deepEqual(decodeId(encodeId('folder', 1, key)), { kind: 'folder', mailboxNo: 1, key });
    assert.deepEqual(decodeId(encodeId('attachment', 2, key, key)), { kind: 'attachment', mailboxNo: 2, key, attachmentKey: key });
  });

  it('calls anything else malformed', () => {
    for (const bad of ['', 'AAMk!!', 'AQ==', Buffer.alloc(20).toString('base64'), encodeId('item', 1, key).slice(0, -4)]) {
      assert.equal(decodeId(bad), undefined, bad);
    }
  });

  it('change keys carry the version and reject garbage', () => {
    assert.deepEqual(decodeChangeKey(encodeChangeKey(key, 7)), { keyPrefix: key.slice(0, 8), version: 7 });
    assert.notEqual(encodeChangeKey(key, 7), encodeChangeKey(key, 8));
    assert.equal(decodeChangeKey('CQAAABYA'), undefined);
  });
});
