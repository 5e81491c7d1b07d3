import { createHmac, timingSafeEqual } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * SyncState as the lab issues it: gzip of what the client has seen (key -> version, read flag),
 * then a 16-byte HMAC so a forged or truncated state is refused with ErrorInvalidSyncStateData.
 * Like Exchange's, the state describes what the client knows rather than a position in a log, so
 * replaying an old state yields the same changes again and nothing is ever skipped.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncstate-ex15websvcsotherref
 */
export type Known = Map<string, { v: number; r: number }>;

const MAC_BYTES = 16;

export function encodeSyncState(secret: Buffer, scope: string, known: Known): string {
  const entries: Array<[string, number, number]> = [...known].map(([k, e]) => [k, e.v, e.r]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const payload = gzipSync(Buffer.from(JSON.stringify({ s: scope, e: entries })));
  const mac = createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([payload, mac]).toString('base64');
}

/** undefined when the state is not one the lab issued for this scope. */
export function decodeSyncState(secret: Buffer, scope: string, text: string): Known | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const raw = Buffer.from(text, 'base64');
  if (raw.length <= MAC_BYTES) return undefined;
  const payload = raw.subarray(0, raw.length - MAC_BYTES);
  const mac = raw.subarray(raw.length - MAC_BYTES);
  const expected = createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(mac, expected)) return undefined;
  try {
    const parsed = JSON.parse(gunzipSync(payload).toString('utf8')) as { s: string; e: Array<[string, number, number]> };
    if (parsed.s !== scope) return undefined;
    return new Map(parsed.e.map(([k, v, r]) => [k, { v, r }]));
  } catch {
    return undefined;
  }
}
