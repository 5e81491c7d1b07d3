import { AppError } from '../../errors.ts';

/** "NTLMSSP\0", the signature every NTLM message starts with ([MS-NLMP] 2.2.1). */
export const NTLM_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** Windows VERSION structure ([MS-NLMP] 2.2.2.10): 8 bytes, NTLM revision 15. */
export type NtlmVersion = { major: number; minor: number; build: number; revision: number };

export function malformed(what: string): AppError {
  return new AppError('ntlm_malformed_message', `Malformed NTLM message: ${what}`, { kind: 'permanent' });
}

/** Checks signature and message type, so decoders never read a message of another kind. */
export function expectHeader(message: Uint8Array, type: 1 | 2 | 3, minLength: number): Buffer {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (buf.length < minLength) throw malformed(`message type ${type} is ${buf.length} bytes, needs at least ${minLength}`);
  if (!buf.subarray(0, 8).equals(NTLM_SIGNATURE)) throw malformed('missing NTLMSSP signature');
  const actual = buf.readUInt32LE(8);
  if (actual !== type) throw malformed(`expected message type ${type}, got ${actual}`);
  return buf;
}

/** Reads a security buffer (Len, MaxLen, Offset) and returns the bytes it points at. */
export function readField(buf: Buffer, at: number): { bytes: Buffer; offset: number } {
  const length = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (length === 0) return { bytes: Buffer.alloc(0), offset };
  if (offset + length > buf.length) throw malformed(`field at ${at} points past the end of the message`);
  return { bytes: Buffer.from(buf.subarray(offset, offset + length)), offset };
}

export function readVersion(buf: Buffer, at: number): NtlmVersion {
  return { major: buf.readUInt8(at), minor: buf.readUInt8(at + 1), build: buf.readUInt16LE(at + 2), revision: buf.readUInt8(at + 7) };
}

export function writeVersion(version: NtlmVersion): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt8(version.major, 0);
  out.writeUInt8(version.minor, 1);
  out.writeUInt16LE(version.build, 2);
  out.writeUInt8(version.revision, 7);
  return out;
}

/**
 * Lays out a message: a fixed header with security-buffer slots, then the payload fields in
 * the order given (the order the MS-NLMP examples use, so encoders reproduce them byte for byte).
 */
export function assemble(header: Buffer, fields: ReadonlyArray<{ slot: number; bytes: Uint8Array }>): Buffer {
  let offset = header.length;
  for (const field of fields) {
    header.writeUInt16LE(field.bytes.length, field.slot);
    header.writeUInt16LE(field.bytes.length, field.slot + 2);
    header.writeUInt32LE(offset, field.slot + 4);
    offset += field.bytes.length;
  }
  return Buffer.concat([header, ...fields.map((f) => Buffer.from(f.bytes))]);
}

/** Strings are UTF-16LE when NEGOTIATE_UNICODE is negotiated, else the OEM code page (Latin-1 here). */
export function encodeString(value: string, unicode: boolean): Buffer {
  return Buffer.from(value, unicode ? 'utf16le' : 'latin1');
}

export function decodeString(bytes: Buffer, unicode: boolean): string {
  return bytes.toString(unicode ? 'utf16le' : 'latin1');
}
