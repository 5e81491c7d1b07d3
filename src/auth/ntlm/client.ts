import type { Clock, Random } from '../../clock.ts';
import { encodeAuthenticate, MIC_OFFSET } from './authenticate-message.ts';
import { AV_FLAG_MIC_PROVIDED, type AvPair, AvId, encodeAvPairs } from './av-pairs.ts';
import { decodeChallenge } from './challenge-message.ts';
import { buildClientBlob, computeMic, fileTime, lmv2Response, ntlmv2Response, ntowfv2, rc4 } from './crypto.ts';
import { NtlmFlags } from './flags.ts';
import { CLIENT_VERSION, DEFAULT_CLIENT_FLAGS, encodeNegotiate } from './negotiate-message.ts';

export type NtlmCredentials = { username: string; password: string; domain: string; workstation?: string };

/** The client's first message, with Dovetail's default flags. */
export function createNegotiateMessage(): Buffer {
  return encodeNegotiate({ flags: DEFAULT_CLIENT_FLAGS });
}

export type AuthenticateResult = {
  message: Buffer;
  /** The flags both sides agreed on (what the AUTHENTICATE message carries). */
  flags: number;
  exportedSessionKey: Buffer;
};

/**
 * Answers a CHALLENGE with an NTLMv2 AUTHENTICATE message ([MS-NLMP] 3.1.5.1.2). Never NTLMv1 or
 * LM: the NT response is always the NTLMv2 one, whatever the server offered.
 *
 * - The 8-byte client challenge and (with key exchange) the 16-byte session key come from `random`.
 * - The blob's timestamp is the server's MsvAvTimestamp when present (and then the LM response is
 *   24 zero bytes, MsvAvFlags announces a MIC, and the MIC is computed), else FILETIME of `clock.now()`.
 */
export function createAuthenticateMessage(input: {
  negotiateMessage: Uint8Array;
  challengeMessage: Uint8Array;
  credentials: NtlmCredentials;
  clock: Clock;
  random: Random;
  /** MsvAvChannelBindings (16 bytes, see tlsChannelBindings) when NTLM runs over TLS. */
  channelBindings?: Uint8Array;
  /** MsvAvTargetName, the SPN of the service, e.g. "HTTP/mail.contoso.com". */
  targetSpn?: string;
}): AuthenticateResult {
  const challenge = decodeChallenge(input.challengeMessage);
  let flags = (DEFAULT_CLIENT_FLAGS & challenge.flags) >>> 0;
  const unicode = (flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  if (unicode) flags = (flags & ~NtlmFlags.NEGOTIATE_OEM) >>> 0;
  flags = (flags | NtlmFlags.NEGOTIATE_NTLM | NtlmFlags.NEGOTIATE_VERSION) >>> 0;

  const { username, password, domain } = input.credentials;
  const responseKey = ntowfv2(password, username, domain);
  const clientChallenge = input.random.bytes(8);
  const withMic = challenge.timestamp !== undefined;
  const timestamp = challenge.timestamp ?? fileTime(input.clock.now());

  const pairs: AvPair[] = challenge.targetInfo.map((p) => ({ id: p.id, value: Buffer.from(p.value) }));
  if (withMic) {
    const existing = pairs.find((p) => p.id === AvId.MsvAvFlags);
    if (existing) existing.value.writeUInt32LE((existing.value.readUInt32LE(0) | AV_FLAG_MIC_PROVIDED) >>> 0);
    else {
      const value = Buffer.alloc(4);
      value.writeUInt32LE(AV_FLAG_MIC_PROVIDED);
      pairs.push({ id: AvId.MsvAvFlags, value });
    }
  }
  if (input.channelBindings) {
    setPair(pairs, AvId.MsvAvChannelBindings, Buffer.from(input.channelBindings));
  }
  if (input.targetSpn) setPair(pairs, AvId.MsvAvTargetName, Buffer.from(input.targetSpn, 'utf16le'));
  const blob = buildClientBlob({ timestamp, clientChallenge, avPairs: encodeAvPairs(pairs) });
  const response = ntlmv2Response(responseKey, challenge.serverChallenge, blob);
  // With MsvAvTimestamp the client sends Z(24) for LmChallengeResponse ([MS-NLMP] 3.1.5.1.2).
  const lm = withMic ? Buffer.alloc(24) : lmv2Response(responseKey, challenge.serverChallenge, clientChallenge);

  let exportedSessionKey = response.sessionBaseKey;
  let encryptedKey: Buffer = Buffer.alloc(0);
  if (flags & NtlmFlags.NEGOTIATE_KEY_EXCH) {
    exportedSessionKey = input.random.bytes(16);
    encryptedKey = rc4(response.sessionBaseKey, exportedSessionKey);
  }

  const message = encodeAuthenticate({
    flags,
    lmChallengeResponse: lm,
    ntChallengeResponse: response.ntChallengeResponse,
    domain,
    user: username,
    workstation: input.credentials.workstation ?? '',
    encryptedRandomSessionKey: encryptedKey,
    version: CLIENT_VERSION,
    ...(withMic ? { mic: Buffer.alloc(16) } : {}),
  });
  if (withMic) {
    computeMic(exportedSessionKey, input.negotiateMessage, input.challengeMessage, message).copy(message, MIC_OFFSET);
  }
  return { message, flags, exportedSessionKey };
}

function setPair(pairs: AvPair[], id: number, value: Buffer): void {
  const existing = pairs.find((p) => p.id === id);
  if (existing) existing.value = value;
  else pairs.push({ id, value });
}
