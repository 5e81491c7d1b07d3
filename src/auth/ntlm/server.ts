import { timingSafeEqual } from 'node:crypto';
import { decodeAuthenticate, MIC_OFFSET } from './authenticate-message.ts';
import { AV_FLAG_MIC_PROVIDED, type AvPair, AvId, decodeAvPairs, findAvPair } from './av-pairs.ts';
import { decodeChallenge } from './challenge-message.ts';
import { computeMic, hmacMd5, ntowfv2, ntProofStr, rc4 } from './crypto.ts';
import { NtlmFlags } from './flags.ts';

export type NtlmVerification =
  | { ok: true; user: string; domain: string; workstation: string; exportedSessionKey: Buffer; clientAvPairs: AvPair[] }
  | { ok: false; reason: 'malformed' | 'ntlmv1_refused' | 'unknown_user' | 'wrong_password' | 'mic_missing' | 'mic_mismatch' | 'channel_binding_mismatch'; user?: string };

/**
 * Server side of an NTLMv2 exchange: checks an AUTHENTICATE message against the CHALLENGE that was
 * sent on the same connection, by recomputing NTProofStr from the password and the client's blob
 * ([MS-NLMP] 3.2.5.1.2), and the MIC when the client announced one. Used by the lab's EWS
 * stand-in and by tests; NTLMv1 responses (24 bytes) are refused.
 */
export function verifyAuthenticate(input: {
  /** The NEGOTIATE message of this exchange, needed to check a MIC. */
  negotiateMessage?: Uint8Array;
  challengeMessage: Uint8Array;
  authenticateMessage: Uint8Array;
  /** The password of (user, domain) as the client sent them, or undefined when unknown. */
  password(user: string, domain: string): string | undefined;
  /** When set (Extended Protection required), the client's MsvAvChannelBindings must equal it. */
  channelBindings?: Uint8Array;
}): NtlmVerification {
  let auth;
  let challenge;
  try {
    auth = decodeAuthenticate(input.authenticateMessage);
    challenge = decodeChallenge(input.challengeMessage);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const nt = auth.ntChallengeResponse;
  if (nt.length <= 24) return { ok: false, reason: 'ntlmv1_refused', user: auth.user };
  const password = input.password(auth.user, auth.domain);
  if (password === undefined) return { ok: false, reason: 'unknown_user', user: auth.user };

  const responseKey = ntowfv2(password, auth.user, auth.domain);
  const proof = nt.subarray(0, 16);
  const blob = nt.subarray(16);
  if (blob.length < 28) return { ok: false, reason: 'malformed', user: auth.user };
  const expected = ntProofStr(responseKey, challenge.serverChallenge, blob);
  if (!timingSafeEqual(expected, proof)) return { ok: false, reason: 'wrong_password', user: auth.user };

  let clientAvPairs: AvPair[];
  try {
    clientAvPairs = decodeAvPairs(blob.subarray(28));
  } catch {
    return { ok: false, reason: 'malformed', user: auth.user };
  }
  const sessionBaseKey = hmacMd5(responseKey, proof);
  const exportedSessionKey =
    auth.flags & NtlmFlags.NEGOTIATE_KEY_EXCH && auth.encryptedRandomSessionKey.length === 16
      ? rc4(sessionBaseKey, auth.encryptedRandomSessionKey)
      : sessionBaseKey;

  const avFlags = findAvPair(clientAvPairs, AvId.MsvAvFlags);
  if (avFlags && avFlags.length >= 4 && avFlags.readUInt32LE(0) & AV_FLAG_MIC_PROVIDED) {
    if (!auth.mic || !input.negotiateMessage) return { ok: false, reason: 'mic_missing', user: auth.user };
    const zeroed = Buffer.from(input.authenticateMessage);
    zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
    const mic = computeMic(exportedSessionKey, input.negotiateMessage, input.challengeMessage, zeroed);
    if (!timingSafeEqual(mic, auth.mic)) return { ok: false, reason: 'mic_mismatch', user: auth.user };
  }
  if (input.channelBindings) {
    const sent = findAvPair(clientAvPairs, AvId.MsvAvChannelBindings);
    if (!sent || sent.length !== 16 || !timingSafeEqual(sent, Buffer.from(input.channelBindings))) {
      return { ok: false, reason: 'channel_binding_mismatch', user: auth.user };
    }
  }
  return { ok: true, user: auth.user, domain: auth.domain, workstation: auth.workstation, exportedSessionKey, clientAvPairs };
}
