/** Double bookings: another busy, not cancelled appointment whose time overlaps. */
import type { Fields } from './fields.ts';

export function bookingOverlaps(fields: Fields, others: ReadonlyArray<{ crmId: string; fields: Fields }>): string[] {
  const start = Date.parse(String(fields['start'] ?? ''));
  const end = Date.parse(String(fields['end'] ?? ''));
  if (Number.isNaN(start) || Number.isNaN(end) || fields['cancelled'] === true || fields['showAs'] === 'free') return [];
  return others
    .filter((o) => {
      const s = Date.parse(String(o.fields['start'] ?? ''));
      const e = Date.parse(String(o.fields['end'] ?? ''));
      return !Number.isNaN(s) && !Number.isNaN(e) && o.fields['cancelled'] !== true && o.fields['showAs'] !== 'free' && s < end && start < e && o.fields['recurrence'] == null;
    })
    .map((o) => o.crmId);
}
