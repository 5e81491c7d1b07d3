/**
 * Dovetail's NTLM against the MS-NLMP section 4.2 values, read from the conformance kit as published.
 * NTLMv1 and LM are never produced by Dovetail; their published values are used to prove that
 * (the client's answer to the 4.2.2 challenge is NTLMv2, the server refuses a v1 AUTHENTICATE).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Random } from '../../src/clock.ts';
import { fixedClock } from '../../src/clock.ts';
import {
  AvId,
  buildClientBlob,
  clientSealingKey,
  clientSigningKey,
  createAuthenticateMessage,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  hmacMd5,
  lmv2Response,
  ntlmFlagNames,
  NtlmFlags,
  ntlmv2Response,
  ntowfv1,
  ntowfv2,
  ntProofStr,
  rc4,
  sealMessage,
  verifyAuthenticate,
} from '../../src/auth/ntlm/index.ts';
import { conformancePath, conformanceSkip } from '../support/env.ts';

type Vectors = Record<string, any>;
const skip = conformanceSkip();
const v: Vectors = skip ? {} : JSON.parse(readFileSync(conformancePath('ntlm/ms-nlmp-4.2-test-vectors.json'), 'utf8'));
const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');
const flagsOf = (s: string): number => hex(s).readUInt32LE(0);
/** FILETIME 0 (the spec's Time) expressed in the Clock's epoch milliseconds. */
const FILETIME_ZERO_MS = -11644473600000;

/** Hands out the given byte strings in order: the spec's ClientChallenge, then RandomSessionKey. */
function scriptedRandom(...chunks: Buffer[]): Random {
  return {
    bytes(length) {
      const next = chunks.shift();
      assert.ok(next && next.length === length, `unexpected random request of ${length} bytes`);
      return next;
    },
    uuid: () => assert.fail('uuid not expected'),
  };
}

describe('MS-NLMP 4.2 test vectors', { skip }, () => {
  const common = v['4.2.1_common_values'];
  const v1 = v['4.2.2_ntlmv1'];
  const v1cc = v['4.2.3_ntlmv1_with_client_challenge'];
  const v2 = v['4.2.4_ntlmv2'];

  describe('4.2.2 / 4.2.3 (NTLMv1: decoded and refused, never produced)', () => {
    it('NTOWFv1 (the MD4 key under NTOWFv2) matches 4.2.2.1.2 and 4.2.3', () => {
      assert.deepEqual(ntowfv1(common.Passwd), hex(v1['4.2.2.1.2_NTOWFv1'].value));
      assert.deepEqual(ntowfv1(common.Passwd), hex(v1cc.NTOWFv1));
    });

    it('RC4 reproduces the three published encrypted session keys of 4.2.2.2.3', () => {
      const k = v1['4.2.2.2.3_Encrypted_Session_Key'];
      const random = hex(common.RandomSessionKey);
      assert.deepEqual(rc4(hex(v1['4.2.2.1.3_SessionBaseKey_and_KeyExchangeKey'].KeyExchangeKey), random), hex(k['RC4(KeyExchangeKey,RandomSessionKey)']));
      assert.deepEqual(rc4(hex(k.with_NTLMSSP_REQUEST_NON_NT_SESSION_KEY.KeyExchangeKey), random), hex(k.with_NTLMSSP_REQUEST_NON_NT_SESSION_KEY.EncryptedSessionKey));
      assert.deepEqual(rc4(hex(k.with_NTLMSSP_NEGOTIATE_LM_KEY.KeyExchangeKey), random), hex(k.with_NTLMSSP_NEGOTIATE_LM_KEY.EncryptedSessionKey));
    });

    it('decodes the 4.2.2.3 CHALLENGE: flags, names, server challenge, target name, version', () => {
      const c = decodeChallenge(hex(v1['4.2.2.3_Messages'].CHALLENGE_MESSAGE));
      assert.equal(c.flags, flagsOf(v1.challenge_flags));
      assert.deepEqual(new Set(ntlmFlagNames(c.flags).map((n) => n.replace(/^NEGOTIATE_OEM$/, 'NTLM_NEGOTIATE_OEM'))), new Set(v1.challenge_flags_names.map((n: string) => n.replace(/^NTLMSSP_/, ''))));
      assert.deepEqual(c.serverChallenge, hex(common.ServerChallenge));
      assert.equal(c.targetName, common.ServerName);
      assert.deepEqual(c.targetInfo, []);
      assert.deepEqual(c.version, { major: 6, minor: 0, build: 6000, revision: 15 });
      assert.equal(c.timestamp, undefined);
    });

    it('decodes the 4.2.2.3 AUTHENTICATE (v1 responses) and the server side refuses it as NTLMv1', () => {
      const m = v1['4.2.2.3_Messages'];
      const a = decodeAuthenticate(hex(m.AUTHENTICATE_MESSAGE));
      assert.equal(a.flags, hex('35 82 80 e2').readUInt32LE(0));
      assert.equal(a.user, common.User);
      assert.equal(a.domain, common.UserDom);
      assert.equal(a.workstation, common.WorkstationName);
      assert.deepEqual(a.lmChallengeResponse, hex(v1['4.2.2.2.2_LMv1_Response'].value));
      assert.deepEqual(a.ntChallengeResponse, hex(v1['4.2.2.2.1_NTLMv1_Response'].value));
      assert.deepEqual(a.encryptedRandomSessionKey, hex(v1['4.2.2.2.3_Encrypted_Session_Key']['RC4(KeyExchangeKey,RandomSessionKey)']));
      assert.deepEqual(a.version, { major: 5, minor: 1, build: 2600, revision: 15 });
      assert.equal(a.mic, undefined);
      const result = verifyAuthenticate({ challengeMessage: hex(m.CHALLENGE_MESSAGE), authenticateMessage: hex(m.AUTHENTICATE_MESSAGE), password: () => common.Passwd });
      assert.deepEqual(result, { ok: false, reason: 'ntlmv1_refused', user: common.User });
    });

    it('answers the 4.2.2 (v1-only) CHALLENGE with NTLMv2, never the published v1/LM responses', () => {
      const challengeMessage = hex(v1['4.2.2.3_Messages'].CHALLENGE_MESSAGE);
      const out = createAuthenticateMessage({
        negotiateMessage: Buffer.alloc(0),
        challengeMessage,
        credentials: { username: common.User, password: common.Passwd, domain: common.UserDom },
        clock: fixedClock(FILETIME_ZERO_MS),
        random: scriptedRandom(hex(common.ClientChallenge), hex(common.RandomSessionKey)),
      });
      const a = decodeAuthenticate(out.message);
      assert.ok(a.ntChallengeResponse.length > 24);
      assert.notDeepEqual(a.ntChallengeResponse, hex(v1['4.2.2.2.1_NTLMv1_Response'].value));
      assert.notDeepEqual(a.ntChallengeResponse, hex(v1cc.NTLMv1_Response.value));
      assert.notDeepEqual(a.lmChallengeResponse, hex(v1['4.2.2.2.2_LMv1_Response'].value));
      assert.notDeepEqual(a.lmChallengeResponse, hex(v1cc.LMv1_Response.value));
      assert.equal(a.flags & NtlmFlags.NEGOTIATE_LM_KEY, 0);
      const ok = verifyAuthenticate({ challengeMessage, authenticateMessage: out.message, password: () => common.Passwd });
      assert.equal(ok.ok, true);
    });

    it('4.2.3 signing key and HMAC checksum (session security keys, shared with NTLMv2)', () => {
      const g = v1cc.GSS_WrapEx;
      const signKey = clientSigningKey(hex(v1cc.KeyExchangeKey.value));
      assert.deepEqual(signKey, hex(g.SignKey));
      const checksum = hmacMd5(signKey, Buffer.alloc(4), hex(v['4.2.4_ntlmv2']['4.2.4.4_GSS_WrapEx'].Plaintext)).subarray(0, 8);
      assert.deepEqual(Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, Buffer.alloc(4)]), hex(g.Signature));
    });
  });

  describe('4.2.4 NTLMv2', () => {
    const responseKey = (): Buffer => ntowfv2(common.Passwd, common.User, common.UserDom);
    const temp = (): Buffer =>
      buildClientBlob({ timestamp: hex(common.Time), clientChallenge: hex(common.ClientChallenge), avPairs: hex(v2.TargetInfo) });

    it('TargetInfo decodes to the published AV pairs and re-encodes byte for byte', () => {
      const pairs = decodeAvPairs(hex(v2.TargetInfo));
      assert.deepEqual(pairs, [
        { id: AvId.MsvAvNbDomainName, value: hex(v2.AV_Pair_2_NetBIOS_Domain_name) },
        { id: AvId.MsvAvNbComputerName, value: hex(v2.AV_Pair_1_NetBIOS_Server_name) },
      ]);
      assert.deepEqual(encodeAvPairs(pairs), hex(v2.TargetInfo));
    });

    it('NTOWFv2 (user upper-cased, domain as given) = 4.2.4.1.1', () => {
      assert.deepEqual(responseKey(), hex(v2['4.2.4.1.1_NTOWFv2_and_LMOWFv2'].value));
      assert.deepEqual(ntowfv2(common.Passwd, common.User.toLowerCase(), common.UserDom), responseKey());
      assert.notDeepEqual(ntowfv2(common.Passwd, common.User, common.UserDom.toUpperCase()), responseKey());
    });

    it('temp = 4.2.4.1.3; NTProofStr, NtChallengeResponse, SessionBaseKey = 4.2.4.2.2 / 4.2.4.1.2', () => {
      assert.deepEqual(temp(), hex(v2['4.2.4.1.3_temp'].value));
      const r = ntlmv2Response(responseKey(), hex(common.ServerChallenge), temp());
      assert.deepEqual(r.ntProofStr, hex(v2['4.2.4.2.2_NTLMv2_Response'].NTProofStr_as_published));
      assert.deepEqual(ntProofStr(responseKey(), hex(common.ServerChallenge), temp()), r.ntProofStr);
      assert.deepEqual(r.ntChallengeResponse, hex(v2['4.2.4.2.2_NTLMv2_Response']['full_NtChallengeResponse(NTProofStr||temp)']));
      assert.deepEqual(r.sessionBaseKey, hex(v2['4.2.4.1.2_SessionBaseKey'].value));
    });

    it('LMv2 response = 4.2.4.2.1; encrypted session key = 4.2.4.2.3', () => {
      assert.deepEqual(lmv2Response(responseKey(), hex(common.ServerChallenge), hex(common.ClientChallenge)), hex(v2['4.2.4.2.1_LMv2_Response'].value));
      assert.deepEqual(rc4(hex(v2['4.2.4.1.2_SessionBaseKey'].value), hex(common.RandomSessionKey)), hex(v2['4.2.4.2.3_Encrypted_Session_Key'].value));
    });

    it('CHALLENGE 4.2.4.3 decodes to its fields and encodes back byte for byte', () => {
      const bytes = hex(v2['4.2.4.3_Messages'].CHALLENGE_MESSAGE);
      const c = decodeChallenge(bytes);
      assert.equal(c.flags, flagsOf(v2.challenge_flags));
      assert.deepEqual(new Set(ntlmFlagNames(c.flags).map((n) => n.replace(/^NEGOTIATE_OEM$/, 'NTLM_NEGOTIATE_OEM'))), new Set(v2.challenge_flags_names.map((n: string) => n.replace(/^NTLMSSP_/, ''))));
      assert.deepEqual(c.serverChallenge, hex(common.ServerChallenge));
      assert.equal(c.targetName, common.ServerName);
      assert.deepEqual(c.targetInfoBytes, hex(v2.TargetInfo));
      assert.equal(c.timestamp, undefined);
      assert.ok(c.version);
      assert.deepEqual(encodeChallenge({ flags: c.flags, serverChallenge: c.serverChallenge, targetName: c.targetName, targetInfo: c.targetInfo, version: c.version }), bytes);
    });

    it('AUTHENTICATE 4.2.4.3 is reproduced byte for byte from the computed values, and decodes back', () => {
      const bytes = hex(v2['4.2.4.3_Messages'].AUTHENTICATE_MESSAGE);
      const r = ntlmv2Response(responseKey(), hex(common.ServerChallenge), temp());
      const encoded = encodeAuthenticate({
        flags: hex('35 82 88 e2').readUInt32LE(0),
        lmChallengeResponse: lmv2Response(responseKey(), hex(common.ServerChallenge), hex(common.ClientChallenge)),
        ntChallengeResponse: r.ntChallengeResponse,
        domain: common.UserDom,
        user: common.User,
        workstation: common.WorkstationName,
        encryptedRandomSessionKey: rc4(r.sessionBaseKey, hex(common.RandomSessionKey)),
        version: { major: 5, minor: 1, build: 2600, revision: 15 },
      });
      assert.deepEqual(encoded, bytes);
      const a = decodeAuthenticate(bytes);
      assert.equal(a.user, common.User);
      assert.equal(a.domain, common.UserDom);
      assert.equal(a.workstation, common.WorkstationName);
      assert.deepEqual(a.ntChallengeResponse, r.ntChallengeResponse);
      assert.equal(a.mic, undefined);
    });

    it('the client answers the 4.2.4.3 CHALLENGE with the published LMv2, NTLMv2 and encrypted key', () => {
      const challengeMessage = hex(v2['4.2.4.3_Messages'].CHALLENGE_MESSAGE);
      const out = createAuthenticateMessage({
        negotiateMessage: Buffer.alloc(0),
        challengeMessage,
        credentials: { username: common.User, password: common.Passwd, domain: common.UserDom, workstation: common.WorkstationName },
        clock: fixedClock(FILETIME_ZERO_MS),
        random: scriptedRandom(hex(common.ClientChallenge), hex(common.RandomSessionKey)),
      });
      const a = decodeAuthenticate(out.message);
      const published = decodeAuthenticate(hex(v2['4.2.4.3_Messages'].AUTHENTICATE_MESSAGE));
      assert.deepEqual(a.lmChallengeResponse, published.lmChallengeResponse);
      assert.deepEqual(a.ntChallengeResponse, published.ntChallengeResponse);
      assert.deepEqual(a.encryptedRandomSessionKey, published.encryptedRandomSessionKey);
      assert.deepEqual([a.user, a.domain, a.workstation], [published.user, published.domain, published.workstation]);
      assert.deepEqual(out.exportedSessionKey, hex(common.RandomSessionKey));
    });

    it('the server side accepts the published AUTHENTICATE with the right password only', () => {
      const m = v2['4.2.4.3_Messages'];
      const check = (password: string) =>
        verifyAuthenticate({ challengeMessage: hex(m.CHALLENGE_MESSAGE), authenticateMessage: hex(m.AUTHENTICATE_MESSAGE), password: () => password });
      const good = check(common.Passwd);
      assert.equal(good.ok, true);
      if (good.ok) assert.deepEqual(good.exportedSessionKey, hex(common.RandomSessionKey));
      assert.deepEqual(check('password'), { ok: false, reason: 'wrong_password', user: common.User });
    });

    it('4.2.4.4 GSS_WrapEx: seal and sign keys, sealed data, checksum and signature', () => {
      const g = v2['4.2.4.4_GSS_WrapEx'];
      const exported = hex(common.RandomSessionKey);
      assert.deepEqual(clientSealingKey(exported), hex(g.SealKey));
      assert.deepEqual(clientSigningKey(exported), hex(g.SignKey));
      assert.deepEqual(hmacMd5(hex(g.SignKey), hex(g.SeqNum), hex(g.Plaintext)).subarray(0, 8), hex(g.Checksum_HMAC_MD5_first8));
      const sealed = sealMessage(hex(g.SignKey), hex(g.SealKey), 0, hex(g.Plaintext));
      assert.deepEqual(sealed.data, hex(g.Data));
      assert.deepEqual(sealed.signature.subarray(4, 12), hex(g.Checksum_RC4));
      assert.deepEqual(sealed.signature, hex(g.Signature));
    });
  });
});
