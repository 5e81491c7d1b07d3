/**
 * Lab ids are base64 like Exchange's, and just as opaque to clients. Layout (bytes):
 * 'L', kind ('I' item, 'F' folder, 'A' attachment), mailbox number (uint16 BE), 16-byte key
 * [, 16-byte attachment key]. A value that does not decode to this layout is "malformed"
 * (ErrorInvalidIdMalformed), one that decodes but names nothing is "not found".
 */
export type IdKind = 'item' | 'folder' | 'attachment';

const KIND_BYTE: Record<IdKind, number> = { item: 0x49, folder: 0x46, attachment: 0x41 };

export type DecodedId = { kind: IdKind; mailboxNo: number; key: string; attachmentKey?: string };

export function encodeId(kind: IdKind, mailboxNo: number, key: string, attachmentKey?: string): string {
  const head = Buffer.from([0x4c, KIND_BYTE[kind], (mailboxNo >> 8) & 0xff, mailboxNo & 0xff]);
  const parts = [head, Buffer.from(key, 'hex')];
  if (attachmentKey !== undefined) parts.push(Buffer.from(attachmentKey, 'hex'));
  return Buffer.concat(parts).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeId(id: string): DecodedId | undefined {
  if (!BASE64.test(id)) return undefined;
  const raw = Buffer.from(id, 'base64');
  if (raw.length !== 20 && raw.length !== 36) return undefined;
  if (raw[0] !== 0x4c) return undefined;
  const kind = (Object.keys(KIND_BYTE) as IdKind[]).find((k) => KIND_BYTE[k] === raw[1]);
  if (!kind) return undefined;
  if ((kind === 'attachment') !== (raw.length === 36)) return undefined;
  const decoded: DecodedId = { kind, mailboxNo: raw.readUInt16BE(2), key: raw.subarray(4, 20).toString('hex') };
  if (kind === 'attachment') decoded.attachmentKey = raw.subarray(20, 36).toString('hex');
  return decoded;
}

/** ChangeKey: 'C','K', first 4 key bytes, version (uint32 BE). Changes on every modification. */
export function encodeChangeKey(key: string, version: number): string {
  const b = Buffer.alloc(10);
  b[0] = 0x43;
  b[1] = 0x4b;
  Buffer.from(key, 'hex').copy(b, 2, 0, 4);
  b.writeUInt32BE(version >>> 0, 6);
  return b.toString('base64');
}

export type DecodedChangeKey = { keyPrefix: string; version: number };

export function decodeChangeKey(changeKey: string): DecodedChangeKey | undefined {
  if (!BASE64.test(changeKey)) return undefined;
  const b = Buffer.from(changeKey, 'base64');
  if (b.length !== 10 || b[0] !== 0x43 || b[1] !== 0x4b) return undefined;
  return { keyPrefix: b.subarray(2, 6).toString('hex'), version: b.readUInt32BE(6) };
}
