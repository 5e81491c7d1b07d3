import { NtlmFlags } from './flags.ts';
import { type NtlmVersion, assemble, decodeString, encodeString, expectHeader, readField, readVersion, writeVersion } from './wire.ts';

/**
 * AUTHENTICATE_MESSAGE (type 3, [MS-NLMP] 2.2.1.3).
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/033d32cc-88f9-4483-9bf2-b273055038ce
 */
export type AuthenticateMessage = {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: NtlmVersion;
  /** 16 bytes at offset 72; present only when the client signals it with MsvAvFlags. */
  mic?: Buffer;
};

/** Offset of the MIC field within the message (after the 8-byte Version). */
export const MIC_OFFSET = 72;

/**
 * Payload order is Domain, User, Workstation, LM, NT, session key: the order of the MS-NLMP
 * 4.2.x.3 examples, so this encoder reproduces them byte for byte.
 */
export function encodeAuthenticate(message: AuthenticateMessage): Buffer {
  const unicode = (message.flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  const header = Buffer.alloc(message.mic ? 88 : 72);
  Buffer.from('NTLMSSP\0', 'latin1').copy(header, 0);
  header.writeUInt32LE(3, 8);
  header.writeUInt32LE(message.flags >>> 0, 60);
  if (message.version) writeVersion(message.version).copy(header, 64);
  if (message.mic) message.mic.copy(header, MIC_OFFSET);
  return assemble(header, [
    { slot: 28, bytes: encodeString(message.domain, unicode) },
    { slot: 36, bytes: encodeString(message.user, unicode) },
    { slot: 44, bytes: encodeString(message.workstation, unicode) },
    { slot: 12, bytes: message.lmChallengeResponse },
    { slot: 20, bytes: message.ntChallengeResponse },
    { slot: 52, bytes: message.encryptedRandomSessionKey },
  ]);
}

export function decodeAuthenticate(bytes: Uint8Array): AuthenticateMessage {
  const buf = expectHeader(bytes, 3, 64);
  const flags = buf.readUInt32LE(60);
  const unicode = (flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  const fields = [12, 20, 28, 36, 44, 52].map((slot) => readField(buf, slot));
  const [lm, nt, domain, user, workstation, key] = fields as [ReturnType<typeof readField>, ...ReturnType<typeof readField>[]];
  const payloadStart = Math.min(...fields.filter((f) => f.bytes.length > 0).map((f) => f.offset), buf.length);
  const result: AuthenticateMessage = {
    flags,
    lmChallengeResponse: lm.bytes,
    ntChallengeResponse: nt!.bytes,
    domain: decodeString(domain!.bytes, unicode),
    user: decodeString(user!.bytes, unicode),
    workstation: decodeString(workstation!.bytes, unicode),
    encryptedRandomSessionKey: key!.bytes,
  };
  if (payloadStart >= 72) result.version = readVersion(buf, 64);
  if (payloadStart >= 88) result.mic = Buffer.from(buf.subarray(MIC_OFFSET, MIC_OFFSET + 16));
  return result;
}
