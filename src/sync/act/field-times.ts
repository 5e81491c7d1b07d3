/**
 * When each field of a CRM record last changed, for the "newest change" conflict policy to decide
 * per field. The CRM stamps a field when it changes it: the time, and a hash of the value it wrote.
 * A stamp counts only while the field still holds that value (its hash matches), so a later change
 * that did not stamp (another writer, an import) falls back to the record's modification time,
 * which is never earlier than the real change.
 * Exchange keeps no such times: its side of a field is dated by the item's last modification.
 */
import { createHash } from 'node:crypto';
import { FIELD_NAMES, sameValue, stableJson, type Fields } from './fields.ts';
import type { ActKind } from '../../exchange/driver.ts';

export type FieldStamp = { at: number; hash: string };
export type FieldStamps = Record<string, FieldStamp>;

export function valueHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value ?? null)).digest('hex').slice(0, 16);
}

/** The stamps after a write that took `before` to `after` at `at` (before null: a new record, every field stamped). */
export function stampChanges(kind: ActKind, before: Fields | null, after: Fields, at: number, previous: FieldStamps): FieldStamps {
  const out: FieldStamps = {};
  for (const f of FIELD_NAMES[kind]) {
    if (before !== null && sameValue(before[f], after[f])) {
      if (previous[f] !== undefined) out[f] = previous[f];
    } else out[f] = { at, hash: valueHash(after[f]) };
  }
  return out;
}

/** Each field's change time: its stamp when it still describes the value, else `fallback`. */
export function fieldTimes(kind: ActKind, fields: Fields, stamps: unknown, fallback: number): Record<string, number> {
  const s = (stamps !== null && typeof stamps === 'object' ? stamps : {}) as Record<string, Partial<FieldStamp>>;
  const out: Record<string, number> = {};
  for (const f of FIELD_NAMES[kind]) {
    const st = s[f];
    out[f] = st !== undefined && typeof st.at === 'number' && st.hash === valueHash(fields[f]) ? Math.min(st.at, fallback) : fallback;
  }
  return out;
}
