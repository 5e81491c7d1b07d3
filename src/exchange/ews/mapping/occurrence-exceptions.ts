import type { AppointmentData, ZonedDateTime } from '../../driver.ts';
import type { CalendarItemRecord } from '../schema/calendar-item.ts';
import { recurrenceDates } from './recurrence-dates.ts';
import { ianaFromWindows, wallTime } from './time-zones.ts';

/**
 * A recurring master's exceptions on EWS: its ModifiedOccurrences (read in full by their ItemIds)
 * and DeletedOccurrences, each named by its original date in the series' zone, which is how the
 * CRM and Graph name them too. Writing one addresses it by OccurrenceItemId, whose InstanceIndex is
 * the date's 1-based position in the series' pattern.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-access-a-recurring-series-by-using-ews
 */
export type OccurrenceException =
  | { date: string; deleted: true }
  | { date: string; deleted: false; subject: string; location: string; start: ZonedDateTime; end: ZonedDateTime };
export type SeriesData = AppointmentData & { exceptions?: OccurrenceException[] };

export function dateIn(ms: number, zone: string): string {
  return wallTime(ms, zone).slice(0, 10);
}

export function seriesZone(r: CalendarItemRecord): string {
  return ianaFromWindows(r.StartTimeZone);
}

export function deletedExceptions(r: CalendarItemRecord): OccurrenceException[] {
  const zone = seriesZone(r);
  return (r.DeletedOccurrences ?? []).map((d) => ({ date: dateIn(Date.parse(d.Start), zone), deleted: true as const }));
}

/** A modified occurrence as GetItem returned it. */
export function modifiedException(o: CalendarItemRecord, zone: string): OccurrenceException {
  const at = (iso: string | undefined): ZonedDateTime => ({ dateTime: wallTime(Date.parse(iso ?? ''), zone), timeZone: zone });
  return { date: dateIn(Date.parse(o.OriginalStart ?? o.Start ?? ''), zone), deleted: false, subject: o.Subject ?? '', location: o.Location ?? '', start: at(o.Start), end: at(o.End) };
}

export function byDate(list: OccurrenceException[]): OccurrenceException[] {
  return [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The InstanceIndex of the occurrence on `date`, or undefined when the series has no such date. */
export function instanceIndex(data: AppointmentData, date: string): number | undefined {
  const r = data.recurrence;
  if (r === undefined) return undefined;
  const i = recurrenceDates({ pattern: { ...r.pattern }, range: { ...r.range } }, date).indexOf(date);
  return i < 0 ? undefined : i + 1;
}

export type ExceptionWrite = { date: string; index: number; change: OccurrenceException };

/** What to write to make `current` what `wanted` says (a deleted occurrence cannot come back). */
export function exceptionWrites(data: SeriesData, current: readonly OccurrenceException[]): ExceptionWrite[] {
  const now = new Map(current.map((e) => [e.date, e] as const));
  const out: ExceptionWrite[] = [];
  for (const e of data.exceptions ?? []) {
    const was = now.get(e.date);
    if (was?.deleted === true || JSON.stringify(was) === JSON.stringify(e)) continue;
    const index = instanceIndex(data, e.date);
    if (index !== undefined) out.push({ date: e.date, index, change: e });
  }
  return out;
}

