/**
 * PR_CONVERSATION_INDEX: a 22-byte header (reserved byte, 5 bytes of time, 16-byte GUID) that
 * names the thread, followed by one 5-byte block per reply. The index of a message's parent is
 * therefore the index with its last block removed, and every ancestor is a prefix.
 * @see https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/pidtagconversationindex-canonical-property
 */
const headerLength = 22;
const childLength = 5;

/** The ancestors' indexes, nearest first (parent, grandparent, … the thread root), as base64. */
export function ancestorIndexes(indexBase64: string): string[] {
  const bytes = Buffer.from(indexBase64, 'base64');
  if (bytes.length < headerLength || (bytes.length - headerLength) % childLength !== 0) return [];
  const out: string[] = [];
  for (let len = bytes.length - childLength; len >= headerLength; len -= childLength) {
    out.push(bytes.subarray(0, len).toString('base64'));
  }
  return out;
}

/** The thread root (the 22-byte header) as base64, or null for a malformed index. */
export function threadRoot(indexBase64: string): string | null {
  const bytes = Buffer.from(indexBase64, 'base64');
  if (bytes.length < headerLength || (bytes.length - headerLength) % childLength !== 0) return null;
  return bytes.subarray(0, headerLength).toString('base64');
}
