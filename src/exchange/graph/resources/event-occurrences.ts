import type { AppointmentData, RemoteItemId, ZonedDateTime } from '../../driver.ts';
import type { GraphClient } from '../client.ts';
import { eventsPath } from './events.ts';
import { arr, obj, str, type Json } from './graph-json.ts';

/**
 * The exceptions of a recurring series on Graph: occurrences that were changed (type "exception",
 * read with GET /events/{id}/instances over the series' span) and occurrences that were cancelled
 * (the master's `cancelledOccurrences`, "OID.{master id}.{date}"). An occurrence is named by its
 * original date in the series' time zone, which is what both providers agree on. Writing one finds the
 * occurrence of that date among the instances and PATCHes or DELETEs it by its own id.
 * @see https://learn.microsoft.com/graph/api/event-list-instances
 * @see https://learn.microsoft.com/graph/api/resources/event
 */
export type OccurrenceException =
  | { date: string; deleted: true }
  | { date: string; deleted: false; subject: string; location: string; start: ZonedDateTime; end: ZonedDateTime };

/** A series master with its exceptions. */
export type SeriesData = AppointmentData & { exceptions?: OccurrenceException[] };

const DAY = 86_400_000;

/** The date of an instant in a zone, YYYY-MM-DD. */
export function dateIn(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: /^(utc|z|gmt)$/i.test(timeZone) ? 'UTC' : timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function cancelledDates(resource: Json): string[] {
  return arr(resource['cancelledOccurrences'])
    .map((v) => /\.(\d{4}-\d{2}-\d{2})$/.exec(String(v))?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
}

/** The span whose instances hold every occurrence of the series (bounded by `horizonMs` when it has no end). */
export function seriesSpan(data: AppointmentData, horizonMs: number): { start: string; end: string } | null {
  const r = data.recurrence;
  if (r === undefined) return null;
  const start = Date.parse(`${r.range.startDate}T00:00:00Z`) - DAY;
  let end: number;
  if (r.range.type === 'endDate') end = Date.parse(`${r.range.endDate}T00:00:00Z`) + 2 * DAY;
  else if (r.range.type === 'numbered') {
    const p = r.pattern;
    const period = p.type === 'daily' ? 1 : p.type === 'weekly' ? 7 : p.type.endsWith('Monthly') ? 31 : 366;
    end = start + (r.range.numberOfOccurrences * Math.max(1, p.interval) * period + 3) * DAY;
  } else end = horizonMs;
  return { start: new Date(start).toISOString(), end: new Date(Math.max(end, start + DAY)).toISOString() };
}

type Instance = { id: string; date: string; type: string; json: Json };

async function instances(client: GraphClient, mailbox: string, id: RemoteItemId, data: AppointmentData, horizonMs: number, prefer: string): Promise<Instance[]> {
  const span = seriesSpan(data, horizonMs);
  if (span === null) return [];
  const zone = data.recurrence!.timeZone;
  const out: Instance[] = [];
  let path: string | undefined = `${eventsPath(mailbox, id)}/instances`;
  let query: Record<string, string> | undefined = { startDateTime: span.start, endDateTime: span.end };
  while (path !== undefined) {
    const page = await client.request({ method: 'GET', mailbox, path, ...(query === undefined ? {} : { query }), headers: { prefer } });
    const body = obj(page.body);
    for (const v of arr(body['value'])) {
      const original = Date.parse(str(v['originalStart']) ?? '');
      if (Number.isNaN(original)) continue;
      out.push({ id: String(v['id']), date: dateIn(original, zone), type: str(v['type']) ?? 'occurrence', json: v });
    }
    path = str(body['@odata.nextLink']);
    query = undefined;
  }
  return out;
}

/** The series' exceptions: cancelled occurrences from the master, changed ones from its instances. */
export async function readExceptions(client: GraphClient, mailbox: string, id: RemoteItemId, master: Json, data: AppointmentData, horizonMs: number, prefer: string): Promise<OccurrenceException[]> {
  if (data.recurrence === undefined) return [];
  const out: OccurrenceException[] = cancelledDates(master).map((date) => ({ date, deleted: true }));
  for (const i of await instances(client, mailbox, id, data, horizonMs, prefer)) {
    if (i.type !== 'exception') continue;
    const start = obj(i.json['start']);
    const end = obj(i.json['end']);
    out.push({
      date: i.date,
      deleted: false,
      subject: str(i.json['subject']) ?? '',
      location: str(obj(i.json['location'])['displayName']) ?? '',
      start: { dateTime: str(start['dateTime']) ?? '', timeZone: str(start['timeZone']) ?? 'UTC' },
      end: { dateTime: str(end['dateTime']) ?? '', timeZone: str(end['timeZone']) ?? 'UTC' },
    });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const sameChange = (a: OccurrenceException, b: OccurrenceException | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Makes the series' exceptions what `wanted` says: cancels and changes occurrences. An occurrence
 * cancelled in Exchange cannot be brought back, and one changed is not reset to the series: those
 * stay as Exchange has them.
 */
export async function writeExceptions(client: GraphClient, mailbox: string, id: RemoteItemId, data: SeriesData, current: readonly OccurrenceException[], horizonMs: number, prefer: string): Promise<boolean> {
  const now = new Map(current.map((e) => [e.date, e] as const));
  const todo = (data.exceptions ?? []).filter((e) => !sameChange(e, now.get(e.date)) && now.get(e.date)?.deleted !== true);
  if (todo.length === 0 || data.recurrence === undefined) return false;
  const byDate = new Map((await instances(client, mailbox, id, data, horizonMs, prefer)).map((i) => [i.date, i] as const));
  let wrote = false;
  for (const e of todo) {
    const instance = byDate.get(e.date);
    if (instance === undefined) continue;
    const path = eventsPath(mailbox, instance.id);
    if (e.deleted) await client.request({ method: 'DELETE', mailbox, path });
    else await client.request({ method: 'PATCH', mailbox, path, headers: { prefer }, body: { subject: e.subject, location: { displayName: e.location }, start: e.start, end: e.end } });
    wrote = true;
  }
  return wrote;
}
