import { NtlmFlags } from './flags.ts';
import { type NtlmVersion, assemble, expectHeader, readField, readVersion, writeVersion } from './wire.ts';

/**
 * NEGOTIATE_MESSAGE (type 1, [MS-NLMP] 2.2.1.1).
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/b34032e5-3aae-4bc6-84c3-c6d80eadf7f2
 */
export type NegotiateMessage = {
  flags: number;
  /** OEM strings, sent only with the *_SUPPLIED flags; Dovetail's client sends neither. */
  domain: string;
  workstation: string;
  version?: NtlmVersion;
};

/**
 * What Dovetail's client asks for: Unicode, NTLM with extended session security (the NTLMv2
 * path), target info, 128-bit keys and key exchange. Never LM_KEY, never anything that would
 * let a server fall back to NTLMv1 responses (the client only ever computes NTLMv2).
 */
export const DEFAULT_CLIENT_FLAGS =
  (NtlmFlags.NEGOTIATE_UNICODE |
    NtlmFlags.NEGOTIATE_OEM |
    NtlmFlags.REQUEST_TARGET |
    NtlmFlags.NEGOTIATE_SIGN |
    NtlmFlags.NEGOTIATE_NTLM |
    NtlmFlags.NEGOTIATE_ALWAYS_SIGN |
    NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NtlmFlags.NEGOTIATE_TARGET_INFO |
    NtlmFlags.NEGOTIATE_VERSION |
    NtlmFlags.NEGOTIATE_128 |
    NtlmFlags.NEGOTIATE_KEY_EXCH |
    NtlmFlags.NEGOTIATE_56) >>>
  0;

/** The VERSION Dovetail's client announces (informational only per the spec: 10.0, NTLM revision 15). */
export const CLIENT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 0, revision: 15 };

export function encodeNegotiate(message: Partial<NegotiateMessage> = {}): Buffer {
  const flags = (message.flags ?? DEFAULT_CLIENT_FLAGS) >>> 0;
  const version = message.version ?? (flags & NtlmFlags.NEGOTIATE_VERSION ? CLIENT_VERSION : undefined);
  const header = Buffer.alloc(version ? 40 : 32);
  Buffer.from('NTLMSSP\0', 'latin1').copy(header, 0);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(flags, 12);
  if (version) writeVersion(version).copy(header, 32);
  return assemble(header, [
    { slot: 16, bytes: Buffer.from(message.domain ?? '', 'latin1') },
    { slot: 24, bytes: Buffer.from(message.workstation ?? '', 'latin1') },
  ]);
}

export function decodeNegotiate(bytes: Uint8Array): NegotiateMessage {
  const buf = expectHeader(bytes, 1, 16);
  const flags = buf.readUInt32LE(12);
  // Domain/workstation fields and Version are optional in old clients' 16-byte messages.
  const domain = buf.length >= 24 ? readField(buf, 16) : undefined;
  const workstation = buf.length >= 32 ? readField(buf, 24) : undefined;
  const payloadStart = Math.min(
    ...[domain, workstation].filter((f) => f && f.bytes.length > 0).map((f) => f!.offset),
    buf.length,
  );
  const result: NegotiateMessage = {
    flags,
    domain: domain?.bytes.toString('latin1') ?? '',
    workstation: workstation?.bytes.toString('latin1') ?? '',
  };
  if (flags & NtlmFlags.NEGOTIATE_VERSION && payloadStart >= 40 && buf.length >= 40) result.version = readVersion(buf, 32);
  return result;
}
