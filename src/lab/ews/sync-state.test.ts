import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSyncState, encodeSyncState, type Known } from './sync-state.ts';

const secret = Buffer.alloc(32, 1);
const known: Known = new Map([
  ['aa', { v: 3, r: 1 }],
  ['bb', { v: 1, r: 0 }],
]);

describe('lab SyncState', () => {
  it('round-trips what the client has seen, and is stable for the same content', () => {
    const s = encodeSyncState(secret, 'items:1:f', known);
    assert.deepEqual(decodeSyncState(secret, 'items:1:f', s), known);
    assert.equal(encodeSyncState(secret, 'items:1:f', new Map([...known].reverse())), s);
  });

  it('refuses forged, truncated, foreign and other-scope states', () => {
    const s = encodeSyncState(secret, 'items:1:f', known);
    const raw = Buffer.from(s, 'base64');
    raw[5] = raw[5]! ^ 1;
    assert.equal(decodeSyncState(secret, 'items:1:f', raw.toString('base64')), undefined);
    assert.equal(decodeSyncState(secret, 'items:1:f', s.slice(0, 12)), undefined);
    assert.equal(decodeSyncState(Buffer.alloc(32, 2), 'items:1:f', s), undefined);
    assert.equal(decodeSyncState(secret, 'items:1:g', s), undefined);
    assert.equal(decodeSyncState(secret, 'items:1:f', 'H4sIAAA=='), undefined);
  });
});
