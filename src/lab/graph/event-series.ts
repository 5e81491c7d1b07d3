/**
 * Recurring series in the lab's Graph calendar: the occurrences of a series master, its modified
 * occurrences (exceptions) and its cancelled ones, as Exchange Online keeps them. An occurrence is
 * addressed by an id of its own (here the master's id and the occurrence's original date), is listed
 * by GET /events/{id}/instances, and is changed or deleted like an event; each such change is a
 * change of the series master (a new change key, a change for calendarView delta). The master lists
 * its cancelled occurrences in `cancelledOccurrences` ("OID.{master id}.{date}"). Changing the
 * master's recurrence drops its exceptions, as Outlook does.
 * @see https://learn.microsoft.com/graph/api/event-list-instances
 * @see https://learn.microsoft.com/graph/api/resources/event
 */
import type { LabItem } from './graph-lab-state.ts';
import { addDays, recurrenceDates, type GraphRecurrence } from '../../exchange/ews/mapping/recurrence-dates.ts';
import { utcMsToZoned, zonedToUtcMs } from './zoned-time.ts';

type Zoned = { dateTime: string; timeZone: string };
export type OccurrenceChange = { deleted: true } | { deleted: false; fields: Record<string, unknown> };

const changes = new WeakMap<LabItem, Map<string, OccurrenceChange>>();

export function occurrenceChanges(master: LabItem): Map<string, OccurrenceChange> {
  let m = changes.get(master);
  if (m === undefined) {
    m = new Map();
    changes.set(master, m);
  }
  return m;
}

export const instanceId = (masterId: string, date: string): string => `${masterId}.${date}`;

export function isSeriesMaster(item: LabItem): boolean {
  return item.data['type'] === 'seriesMaster';
}

function recurrenceOf(master: LabItem): GraphRecurrence {
  return master.data['recurrence'] as GraphRecurrence;
}

/** The zone the series' dates and times are in. */
export function seriesZone(master: LabItem): string {
  return recurrenceOf(master).range.recurrenceTimeZone ?? (master.data['start'] as Zoned).timeZone;
}

function masterTimes(master: LabItem): { time: string; durationMs: number } {
  const start = master.data['start'] as Zoned;
  const end = master.data['end'] as Zoned;
  const startMs = zonedToUtcMs(start.dateTime, start.timeZone);
  return { time: utcMsToZoned(startMs, seriesZone(master)).slice(11, 19), durationMs: zonedToUtcMs(end.dateTime, end.timeZone) - startMs };
}

export function originalStartMs(master: LabItem, date: string): number {
  return zonedToUtcMs(`${date}T${masterTimes(master).time}`, seriesZone(master));
}

export type Occurrence = { id: string; date: string; originalStartMs: number; data: Record<string, unknown>; exception: boolean };

/** One occurrence of the series on its original `date`, with its changes; null when the series has no such date or it was cancelled. */
export function occurrence(master: LabItem, date: string): Occurrence | null {
  if (!isSeriesMaster(master)) return null;
  const change = occurrenceChanges(master).get(date);
  if (change?.deleted === true) return null;
  if (!recurrenceDates(recurrenceOf(master), date).includes(date)) return null;
  const startMs = originalStartMs(master, date);
  const zone = seriesZone(master);
  const { recurrence: _r, ...data } = master.data;
  const base: Record<string, unknown> = {
    ...data,
    start: { dateTime: utcMsToZoned(startMs, zone), timeZone: zone },
    end: { dateTime: utcMsToZoned(startMs + masterTimes(master).durationMs, zone), timeZone: zone },
  };
  return { id: instanceId(master.id, date), date, originalStartMs: startMs, data: { ...base, ...(change?.fields ?? {}) }, exception: change !== undefined };
}

/** The occurrences whose time overlaps [startMs, endMs). */
export function occurrencesIn(master: LabItem, startMs: number, endMs: number): Occurrence[] {
  const until = addDays(utcMsToZoned(endMs, seriesZone(master)).slice(0, 10), 1);
  const out: Occurrence[] = [];
  for (const date of recurrenceDates(recurrenceOf(master), until)) {
    const o = occurrence(master, date);
    if (o === null) continue;
    const s = o.data['start'] as Zoned;
    const e = o.data['end'] as Zoned;
    if (zonedToUtcMs(s.dateTime, s.timeZone) < endMs && zonedToUtcMs(e.dateTime, e.timeZone) > startMs) out.push(o);
  }
  return out;
}

/** "OID.{master id}.{date}" of every cancelled occurrence, in date order. */
export function cancelledOccurrences(master: LabItem): string[] {
  return [...occurrenceChanges(master).entries()].filter(([, c]) => c.deleted).map(([date]) => date).sort().map((date) => `OID.${master.id}.${date}`);
}

/** A master written with another recurrence loses its exceptions and cancellations. */
export function recurrenceWritten(master: LabItem, next: Record<string, unknown>): void {
  if (stableText(master.data['recurrence'] ?? null) !== stableText(next['recurrence'] ?? null)) changes.delete(master);
}

function stableText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableText(v)}`).join(',')}}`;
}
