import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixedClock, seededRandom, systemRandom } from '../clock.ts';
import { isAppError } from '../errors.ts';
import { addKeyToFile, loadKeyring } from './keyring-source.ts';
import { createSealer, keyringOf, secretKey } from './sealing.ts';

const clock = fixedClock(Date.parse('2026-01-05T09:00:00Z'));
const keyA = secretKey(Buffer.alloc(32, 1));
const keyB = secretKey(Buffer.alloc(32, 2));

describe('sealing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-seal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips and names the key, never showing the plain text', () => {
    const s = createSealer(keyringOf(keyA), systemRandom);
    const sealed = s.seal('hunter2-password');
    assert.match(sealed, new RegExp(`^dvs1\\.${keyA.id}\\.`));
    assert.equal(sealed.includes('hunter2'), false);
    assert.equal(s.open(sealed), 'hunter2-password');
    assert.notEqual(s.seal('hunter2-password'), sealed, 'a fresh IV per seal');
    assert.equal(s.keyIdOf(sealed), keyA.id);
  });

  it('fails clearly when the key that sealed a value is not configured', () => {
    const sealed = createSealer(keyringOf(keyA), systemRandom).seal('x');
    const other = createSealer(keyringOf(keyB), systemRandom);
    assert.throws(() => other.open(sealed), (e) => isAppError(e, 'secret_key_missing') && e.message.includes(keyA.id) && e.message.includes('DOVETAIL_SECRET_KEY'));
  });

  it('fails clearly when a value was altered or the key under that id is different', () => {
    const s = createSealer(keyringOf(keyA), systemRandom);
    const parts = s.seal('value').split('.');
    parts[3] = Buffer.from('garbage!').toString('base64url');
    assert.throws(() => s.open(parts.join('.')), (e) => isAppError(e, 'secret_unseal_failed'));
    // Same id, different key bytes: authentication fails rather than returning garbage.
    const forged = createSealer({ current: keyA, keys: new Map([[keyA.id, { id: keyA.id, key: keyB.key }]]) }, systemRandom);
    assert.throws(() => forged.open(s.seal('value')), (e) => isAppError(e, 'secret_unseal_failed'));
    assert.throws(() => s.open('not sealed'), (e) => isAppError(e, 'secret_unseal_failed'));
  });

  it('opens values of older keys in the keyring and seals with the current one', () => {
    const old = createSealer(keyringOf(keyA), systemRandom).seal('kept');
    const rotated = createSealer(keyringOf(keyB, keyA), systemRandom);
    assert.equal(rotated.open(old), 'kept');
    assert.equal(rotated.keyIdOf(rotated.seal('x')), keyB.id);
  });

  it('creates a key file with mode 0600 on first run and reuses it', () => {
    const path = join(dir, 'keys', 'secret-key.json');
    const first = loadKeyring({ kind: 'file', path }, seededRandom(1), clock);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const again = loadKeyring({ kind: 'file', path }, seededRandom(2), clock);
    assert.equal(again.current.id, first.current.id);
    const rotated = addKeyToFile({ kind: 'file', path }, seededRandom(3), clock);
    assert.notEqual(rotated.current.id, first.current.id);
    assert.equal(rotated.keys.has(first.current.id), true);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).current, rotated.current.id);
  });

  it('reads keys from DOVETAIL_SECRET_KEY (hex or base64, current first) and rejects bad ones', () => {
    const ring = loadKeyring({ kind: 'env', value: `${keyB.key.toString('hex')},${keyA.key.toString('base64')}` }, systemRandom, clock);
    assert.equal(ring.current.id, keyB.id);
    assert.equal(ring.keys.has(keyA.id), true);
    assert.throws(() => loadKeyring({ kind: 'env', value: 'short' }, systemRandom, clock), (e) => isAppError(e, 'secret_key_invalid'));
    assert.throws(() => addKeyToFile({ kind: 'env', value: 'x' }, systemRandom, clock), (e) => isAppError(e, 'secret_rotation_env'));
  });
});
