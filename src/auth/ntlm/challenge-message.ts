import { type AvPair, AvId, decodeAvPairs, encodeAvPairs, findAvPair } from './av-pairs.ts';
import { NtlmFlags } from './flags.ts';
import { type NtlmVersion, assemble, decodeString, encodeString, expectHeader, malformed, readField, readVersion, writeVersion } from './wire.ts';

/**
 * CHALLENGE_MESSAGE (type 2, [MS-NLMP] 2.2.1.2).
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/801a4681-8809-4be9-ab0d-61dcfe762786
 */
export type ChallengeMessage = {
  flags: number;
  /** 8 bytes. */
  serverChallenge: Buffer;
  targetName: string;
  /** The AV pairs of TargetInfo, in wire order, without the MsvAvEOL. */
  targetInfo: AvPair[];
  version?: NtlmVersion;
};

export type DecodedChallenge = ChallengeMessage & {
  /** TargetInfo exactly as received (including MsvAvEOL); the client echoes it in its NTLMv2 blob. */
  targetInfoBytes: Buffer;
  /** MsvAvTimestamp (FILETIME, 8 bytes) when the server sent one; then the client must send a MIC. */
  timestamp?: Buffer;
};

export function encodeChallenge(message: ChallengeMessage): Buffer {
  const unicode = (message.flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  if (message.serverChallenge.length !== 8) throw malformed('server challenge must be 8 bytes');
  const header = Buffer.alloc(56);
  Buffer.from('NTLMSSP\0', 'latin1').copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt32LE(message.flags >>> 0, 20);
  message.serverChallenge.copy(header, 24);
  if (message.version) writeVersion(message.version).copy(header, 48);
  return assemble(header, [
    { slot: 12, bytes: encodeString(message.targetName, unicode) },
    { slot: 40, bytes: message.targetInfo.length > 0 ? encodeAvPairs(message.targetInfo) : Buffer.alloc(0) },
  ]);
}

export function decodeChallenge(bytes: Uint8Array): DecodedChallenge {
  const buf = expectHeader(bytes, 2, 48);
  const flags = buf.readUInt32LE(20);
  const unicode = (flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  const targetName = readField(buf, 12);
  const targetInfo = readField(buf, 40);
  const pairs = targetInfo.bytes.length > 0 ? decodeAvPairs(targetInfo.bytes) : [];
  const payloadStart = Math.min(
    ...[targetName, targetInfo].filter((f) => f.bytes.length > 0).map((f) => f.offset),
    buf.length,
  );
  const result: DecodedChallenge = {
    flags,
    serverChallenge: Buffer.from(buf.subarray(24, 32)),
    targetName: decodeString(targetName.bytes, unicode),
    targetInfo: pairs,
    targetInfoBytes: targetInfo.bytes,
  };
  if (payloadStart >= 56 && buf.length >= 56) result.version = readVersion(buf, 48);
  const timestamp = findAvPair(pairs, AvId.MsvAvTimestamp);
  if (timestamp) {
    if (timestamp.length !== 8) throw malformed('MsvAvTimestamp must be 8 bytes');
    result.timestamp = timestamp;
  }
  return result;
}
