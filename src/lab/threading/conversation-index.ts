/**
 * How Exchange threads messages, for both labs (EWS and Graph): PidTagConversationIndex and the
 * ConversationId derived from it.
 *
 * A new conversation gets a 22-byte header: the top 48 bits of the FILETIME of delivery (its
 * first byte is the reserved 0x01, which is also the top byte of every FILETIME between 1829 and
 * 2057, so real indexes start "01 C9…", "01 D1…": base64 "Ac…", "AdE…"), then a 16-byte GUID made
 * for the conversation. A reply is its parent's index plus one 5-byte response level: one bit DC,
 * 31 bits of time since the header (bits 48..18 of the FILETIME difference when it fits in 49 bits,
 * DC = 0; otherwise bits 53..23, DC = 1), then one random byte.
 * The ConversationId is the header's GUID (PidTagConversationIndexTracking), so every copy of a
 * thread, in every mailbox it reached, has the same ConversationId.
 * @see https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxomsg/9e994fbb-b839-495f-84e3-2c8c02c7dd9b
 * @see https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxomsg/f8e4a5fa-cb73-4eca-b174-72e1fda821a6
 * @see https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/tracking-conversations
 */
export const headerLength = 22;
export const responseLevelLength = 5;

/** 100-ns intervals between 1601-01-01 (FILETIME) and 1970-01-01 (Unix epoch). */
const epochDelta = 116_444_736_000_000_000n;

export function fileTime(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 10_000n + epochDelta;
}

export function isConversationIndex(index: Buffer): boolean {
  return index.length >= headerLength && (index.length - headerLength) % responseLevelLength === 0 && index[0] === 0x01;
}

/** The header of a new conversation delivered at `nowMs`, named by `guid` (16 bytes). */
export function newConversationIndex(nowMs: number, guid: Buffer): Buffer {
  if (guid.length !== 16) throw new Error('a conversation GUID has 16 bytes');
  const header = Buffer.alloc(headerLength);
  const ft = fileTime(nowMs);
  for (let i = 0; i < 6; i++) header[i] = Number((ft >> BigInt(56 - 8 * i)) & 0xffn);
  guid.copy(header, 6);
  return header;
}

/** The time the header names, as FILETIME (its low 16 bits are not kept). */
export function headerFileTime(index: Buffer): bigint {
  let ft = 0n;
  for (let i = 0; i < 6; i++) ft = (ft << 8n) | BigInt(index[i]!);
  return ft << 16n;
}

/** A reply's index: the parent's plus one response level for `nowMs`. */
export function replyConversationIndex(parent: Buffer, nowMs: number, randomByte: number): Buffer {
  if (!isConversationIndex(parent)) throw new Error('not a conversation index');
  let delta = fileTime(nowMs) - headerFileTime(parent);
  if (delta < 0n) delta = 0n;
  const wide = delta >> 49n !== 0n;
  const bits = (wide ? delta >> 23n : delta >> 18n) & 0x7fff_ffffn;
  const word = (wide ? 0x8000_0000n : 0n) | bits;
  const level = Buffer.alloc(responseLevelLength);
  level.writeUInt32BE(Number(word), 0);
  level[4] = randomByte & 0xff;
  return Buffer.concat([parent, level]);
}

/** The GUID part of the header, or null for a value that is not a conversation index. */
export function conversationGuid(index: Buffer): Buffer | null {
  return isConversationIndex(index) ? index.subarray(6, headerLength) : null;
}

/**
 * The ConversationId the labs show (EWS `t:ConversationId/@Id`, Graph `conversationId`): opaque
 * base64 of the lab's own layout around the conversation GUID, the same for the whole thread.
 */
export function conversationIdOf(index: Buffer): string | null {
  const guid = conversationGuid(index);
  return guid === null ? null : Buffer.concat([Buffer.from([0x00, 0x04, 0x24, 0x00, 0x10]), guid]).toString('base64');
}

/**
 * The index Exchange gives a message arriving in (or saved to) a mailbox: the one it carries
 * (the sender's, as the Thread-Index header or the transported property) when valid; otherwise a
 * reply level under the nearest message of the mailbox its In-Reply-To or References name;
 * otherwise a new conversation.
 */
export function assignConversationIndex(input: {
  carried?: string | undefined;
  /** In-Reply-To first, then References from the newest. */
  parentIds: ReadonlyArray<string>;
  /** The conversation index (base64) of a message of the mailbox with this Message-ID, if any. */
  lookup: (internetMessageId: string) => string | undefined;
  nowMs: number;
  /** 16 random bytes: the GUID of a new conversation (the first is a response level's random byte). */
  random: Buffer;
}): Buffer {
  if (input.carried !== undefined && input.carried !== '') {
    const carried = Buffer.from(input.carried, 'base64');
    if (isConversationIndex(carried)) return carried;
  }
  for (const id of input.parentIds) {
    const found = input.lookup(id);
    if (found === undefined) continue;
    const parent = Buffer.from(found, 'base64');
    if (isConversationIndex(parent)) return replyConversationIndex(parent, input.nowMs, input.random[0] ?? 0);
  }
  return newConversationIndex(input.nowMs, input.random.subarray(0, 16));
}

/** In-Reply-To first, then References from the newest: where Exchange looks for a parent. */
export function parentMessageIds(inReplyTo: string | undefined, references: string | ReadonlyArray<string> | undefined): string[] {
  const refs = typeof references === 'string' ? references.split(/\s+/) : [...(references ?? [])];
  const out: string[] = [];
  for (const id of [inReplyTo, ...refs.reverse()]) if (id !== undefined && id !== '' && !out.includes(id)) out.push(id);
  return out;
}
