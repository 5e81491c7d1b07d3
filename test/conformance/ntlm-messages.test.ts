/** Client/server NTLM message properties beyond the published vectors: MIC, OEM strings, malformed input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AvId,
  createAuthenticateMessage,
  createNegotiateMessage,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  DEFAULT_CLIENT_FLAGS,
  encodeChallenge,
  fileTime,
  MIC_OFFSET,
  NtlmFlags,
  verifyAuthenticate,
} from '../../src/auth/ntlm/index.ts';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { AppError } from '../../src/errors.ts';

const NOW = Date.UTC(2026, 10, 22, 3, 0, 0);
const credentials = { username: 'Alice', password: 'pässwörd', domain: 'Lab', workstation: 'WS01' };
const password = (user: string, domain: string): string | undefined => (user === 'Alice' && domain === 'Lab' ? credentials.password : undefined);

function challenge(flags: number, withTimestamp: boolean): Buffer {
  return encodeChallenge({
    flags,
    serverChallenge: Buffer.from('0011223344556677', 'hex'),
    targetName: 'LAB',
    targetInfo: [
      { id: AvId.MsvAvNbDomainName, value: Buffer.from('LAB', 'utf16le') },
      ...(withTimestamp ? [{ id: AvId.MsvAvTimestamp, value: fileTime(NOW) }] : []),
    ],
  });
}

const UNICODE_FLAGS = (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_NTLM | NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY | NtlmFlags.NEGOTIATE_TARGET_INFO | NtlmFlags.NEGOTIATE_KEY_EXCH | NtlmFlags.NEGOTIATE_128) >>> 0;

describe('NTLM messages', () => {
  it('NEGOTIATE carries the default client flags: Unicode, extended session security, never LM_KEY', () => {
    const negotiate = decodeNegotiate(createNegotiateMessage());
    assert.equal(negotiate.flags, DEFAULT_CLIENT_FLAGS);
    assert.equal(negotiate.flags & NtlmFlags.NEGOTIATE_LM_KEY, 0);
    assert.ok(negotiate.flags & NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY);
    assert.deepEqual(negotiate.version, { major: 10, minor: 0, build: 0, revision: 15 });
  });

  it('with MsvAvTimestamp: the server timestamp is used, LM is Z(24), MsvAvFlags announces a MIC that verifies', () => {
    const negotiate = createNegotiateMessage();
    const challengeMessage = challenge(UNICODE_FLAGS, true);
    const out = createAuthenticateMessage({ negotiateMessage: negotiate, challengeMessage, credentials, clock: fixedClock(0), random: seededRandom(4) });
    const a = decodeAuthenticate(out.message);
    assert.deepEqual(a.lmChallengeResponse, Buffer.alloc(24));
    assert.ok(a.mic && !a.mic.equals(Buffer.alloc(16)));
    const blob = a.ntChallengeResponse.subarray(16);
    assert.deepEqual(blob.subarray(8, 16), fileTime(NOW));
    assert.deepEqual(decodeAvPairs(blob.subarray(28)).find((p) => p.id === AvId.MsvAvFlags)?.value, Buffer.from([2, 0, 0, 0]));
    assert.equal(verifyAuthenticate({ negotiateMessage: negotiate, challengeMessage, authenticateMessage: out.message, password }).ok, true);

    const tampered = Buffer.from(out.message);
    tampered[MIC_OFFSET] = (tampered[MIC_OFFSET]! + 1) & 0xff;
    assert.deepEqual(verifyAuthenticate({ negotiateMessage: negotiate, challengeMessage, authenticateMessage: tampered, password }), { ok: false, reason: 'mic_mismatch', user: 'Alice' });
    assert.deepEqual(verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password }), { ok: false, reason: 'mic_missing', user: 'Alice' });
  });

  it('without MsvAvTimestamp: the clock gives the FILETIME and no MIC is sent', () => {
    const challengeMessage = challenge(UNICODE_FLAGS, false);
    const out = createAuthenticateMessage({ negotiateMessage: createNegotiateMessage(), challengeMessage, credentials, clock: fixedClock(NOW + 5_000), random: seededRandom(4) });
    const a = decodeAuthenticate(out.message);
    assert.equal(a.mic, undefined);
    assert.deepEqual(a.ntChallengeResponse.subarray(16 + 8, 16 + 16), fileTime(NOW + 5_000));
    assert.equal(a.lmChallengeResponse.length, 24);
    assert.equal(verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password }).ok, true);
  });

  it('without NEGOTIATE_UNICODE the names travel in the OEM code page and still verify', () => {
    const challengeMessage = challenge((UNICODE_FLAGS & ~NtlmFlags.NEGOTIATE_UNICODE) | NtlmFlags.NEGOTIATE_OEM, false);
    const out = createAuthenticateMessage({ negotiateMessage: createNegotiateMessage(), challengeMessage, credentials, clock: fixedClock(NOW), random: seededRandom(4) });
    assert.equal(out.flags & NtlmFlags.NEGOTIATE_UNICODE, 0);
    assert.ok(out.message.includes(Buffer.from('Alice', 'latin1')));
    assert.ok(!out.message.includes(Buffer.from('Alice', 'utf16le')));
    const a = decodeAuthenticate(out.message);
    assert.deepEqual([a.user, a.domain, a.workstation], ['Alice', 'Lab', 'WS01']);
    assert.equal(verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password }).ok, true);
  });

  it('refuses unknown users and wrong passwords by name', () => {
    const challengeMessage = challenge(UNICODE_FLAGS, false);
    const out = createAuthenticateMessage({ negotiateMessage: createNegotiateMessage(), challengeMessage, credentials: { ...credentials, password: 'nope' }, clock: fixedClock(NOW), random: seededRandom(4) });
    assert.deepEqual(verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password }), { ok: false, reason: 'wrong_password', user: 'Alice' });
    assert.deepEqual(verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password: () => undefined }), { ok: false, reason: 'unknown_user', user: 'Alice' });
  });

  it('malformed messages give ntlm_malformed_message, never a crash', () => {
    const bad = [Buffer.alloc(0), Buffer.from('NTLMSSP\0\x02\0\0\0', 'latin1'), Buffer.concat([Buffer.from('XXXXXXXX'), Buffer.alloc(60)])];
    for (const message of bad) {
      assert.throws(() => decodeChallenge(message), (e: unknown) => e instanceof AppError && e.code === 'ntlm_malformed_message');
    }
    const truncated = challenge(UNICODE_FLAGS, true).subarray(0, 60);
    assert.throws(() => decodeChallenge(truncated), (e: unknown) => e instanceof AppError && e.code === 'ntlm_malformed_message');
    assert.deepEqual(verifyAuthenticate({ challengeMessage: challenge(UNICODE_FLAGS, false), authenticateMessage: Buffer.alloc(10), password }), { ok: false, reason: 'malformed' });
  });
});
