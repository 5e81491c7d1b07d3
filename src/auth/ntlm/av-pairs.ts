import { malformed } from './wire.ts';

/**
 * AV_PAIR ids ([MS-NLMP] 2.2.2.1), the attribute/value list carried in a CHALLENGE's TargetInfo
 * and echoed (with additions) inside the client's NTLMv2 response.
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/83f5e789-660d-4781-8491-5f8c6641f75e
 */
export const AvId = {
  MsvAvEOL: 0,
  MsvAvNbComputerName: 1,
  MsvAvNbDomainName: 2,
  MsvAvDnsComputerName: 3,
  MsvAvDnsDomainName: 4,
  MsvAvDnsTreeName: 5,
  MsvAvFlags: 6,
  MsvAvTimestamp: 7,
  MsvAvSingleHost: 8,
  MsvAvTargetName: 9,
  MsvAvChannelBindings: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC_PROVIDED = 0x00000002;

export type AvPair = { id: number; value: Buffer };

/** Parses an AV_PAIR list up to MsvAvEOL; the EOL itself is not returned. */
export function decodeAvPairs(bytes: Uint8Array): AvPair[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pairs: AvPair[] = [];
  let at = 0;
  while (at + 4 <= buf.length) {
    const id = buf.readUInt16LE(at);
    const length = buf.readUInt16LE(at + 2);
    if (id === AvId.MsvAvEOL) return pairs;
    if (at + 4 + length > buf.length) throw malformed(`AV pair ${id} runs past the end of TargetInfo`);
    pairs.push({ id, value: Buffer.from(buf.subarray(at + 4, at + 4 + length)) });
    at += 4 + length;
  }
  throw malformed('TargetInfo has no MsvAvEOL terminator');
}

/** Serializes pairs in the order given and appends MsvAvEOL. */
export function encodeAvPairs(pairs: ReadonlyArray<AvPair>): Buffer {
  const parts: Buffer[] = [];
  for (const pair of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(pair.id, 0);
    head.writeUInt16LE(pair.value.length, 2);
    parts.push(head, pair.value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function findAvPair(pairs: ReadonlyArray<AvPair>, id: number): Buffer | undefined {
  return pairs.find((p) => p.id === id)?.value;
}
