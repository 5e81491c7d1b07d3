/**
 * Recurring series in the lab's EWS calendar, as Exchange keeps them: a master with a Recurrence,
 * occurrences addressed by an OccurrenceItemId (RecurringMasterId + InstanceIndex, 1-based over the
 * pattern) or, once read, by an ItemId of their own; a changed occurrence is an exception, listed in
 * the master's ModifiedOccurrences (ItemId, Start, End, OriginalStart); a deleted one is listed in
 * its DeletedOccurrences (Start). Changing an occurrence or deleting it changes the master (a new
 * ChangeKey, a change for SyncFolderItems); the occurrences are never listed as items of the folder.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-access-a-recurring-series-by-using-ews
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/modifiedoccurrences
 */
import { ianaFromWindows } from '../../exchange/ews/mapping/time-zones.ts';
import { recurrenceDates, type GraphRecurrence } from '../../exchange/ews/mapping/recurrence-dates.ts';
import { utcMsToZoned, zonedToUtcMs } from '../graph/zoned-time.ts';
import type { Mailbox } from '../mailbox-store/mailbox.ts';
import { encodeId } from '../mailbox-store/ids.ts';
import type { StoredItem } from '../mailbox-store/types.ts';
import { child, childText, type XmlNode } from '../xml/parse-xml.ts';
import { el, tel, tnode } from '../xml/xml-writer.ts';
import { isoTime } from './soap.ts';

export type Occurrence = { master: StoredItem; date: string; item: StoredItem; deleted: boolean; modified: boolean };

const byMaster = new WeakMap<StoredItem, Map<string, Occurrence>>();
const byKey = new WeakMap<Mailbox, Map<string, Occurrence>>();
const DAY_MS = 86_400_000;
/** How far a series with no end is expanded to find an occurrence. */
const HORIZON_DAYS = 3 * 366;

const lower = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The master's Recurrence as a pattern and range (dates of the series' zone). */
export function recurrenceOf(master: StoredItem): GraphRecurrence | null {
  const node = master.props.get('Recurrence');
  if (node === undefined || node.children.length < 2) return null;
  const [p, r] = node.children as [XmlNode, XmlNode];
  const num = (n: XmlNode, name: string) => Number(childText(n, name) ?? '1');
  const days = (childText(p, 'DaysOfWeek') ?? '').split(/\s+/).filter((d) => d !== '').map(lower);
  const type = lower(p.name.replace(/Recurrence$/, ''));
  const pattern: GraphRecurrence['pattern'] = { type, interval: child(p, 'Interval') === undefined ? 1 : num(p, 'Interval') };
  if (days.length > 0) pattern.daysOfWeek = days;
  const first = childText(p, 'FirstDayOfWeek');
  if (first !== undefined) pattern.firstDayOfWeek = lower(first);
  if (child(p, 'DayOfMonth') !== undefined) pattern.dayOfMonth = num(p, 'DayOfMonth');
  const month = childText(p, 'Month');
  if (month !== undefined) pattern.month = MONTHS.indexOf(month) + 1;
  const index = childText(p, 'DayOfWeekIndex');
  if (index !== undefined) pattern.index = lower(index);
  const startDate = (childText(r, 'StartDate') ?? '').slice(0, 10);
  const range: GraphRecurrence['range'] =
    r.name === 'EndDateRecurrence'
      ? { type: 'endDate', startDate, endDate: (childText(r, 'EndDate') ?? startDate).slice(0, 10) }
      : r.name === 'NumberedRecurrence'
        ? { type: 'numbered', startDate, numberOfOccurrences: num(r, 'NumberOfOccurrences') }
        : { type: 'noEnd', startDate };
  return { pattern, range };
}

export function seriesZone(master: StoredItem): string {
  return ianaFromWindows(master.props.get('StartTimeZone')?.attrs['Id']);
}

/** Every date of the series, in order (bounded for a series with no end). */
export function seriesDates(master: StoredItem): string[] {
  const r = recurrenceOf(master);
  if (r === null) return [];
  const until = new Date(Date.parse(`${r.range.startDate}T00:00:00Z`) + HORIZON_DAYS * DAY_MS).toISOString().slice(0, 10);
  return recurrenceDates(r, until);
}

function times(master: StoredItem, date: string): { start: number; end: number } {
  const zone = seriesZone(master);
  const start = Date.parse(master.props.get('Start')?.text ?? '');
  const end = Date.parse(master.props.get('End')?.text ?? '');
  const wall = utcMsToZoned(start, zone).slice(11, 19);
  const s = zonedToUtcMs(`${date}T${wall}`, zone);
  return { start: s, end: s + (end - start) };
}

function occurrences(master: StoredItem): Map<string, Occurrence> {
  let m = byMaster.get(master);
  if (m === undefined) {
    m = new Map();
    byMaster.set(master, m);
  }
  return m;
}

const SERIES_ONLY = new Set(['Recurrence', 'ModifiedOccurrences', 'DeletedOccurrences', 'FirstOccurrence', 'LastOccurrence']);

/** The occurrence of `date`, made addressable on first use; null when the series has no such date. */
export function occurrenceOn(mb: Mailbox, master: StoredItem, date: string): Occurrence | null {
  const known = occurrences(master).get(date);
  if (known !== undefined) return known;
  if (!seriesDates(master).includes(date)) return null;
  const key = mb.newKey();
  const t = times(master, date);
  const props = new Map([...master.props].filter(([name]) => !SERIES_ONLY.has(name)));
  props.set('Start', tnode('Start', isoTime(t.start)));
  props.set('End', tnode('End', isoTime(t.end)));
  props.set('OriginalStart', tnode('OriginalStart', isoTime(t.start)));
  const item: StoredItem = { ...master, key, id: encodeId('item', mb.no, key), props, extended: [...master.extended], attachments: [], version: 1, contentVersion: 1, changedAt: new Map() };
  const o: Occurrence = { master, date, item, deleted: false, modified: false };
  occurrences(master).set(date, o);
  let keys = byKey.get(mb);
  if (keys === undefined) {
    keys = new Map();
    byKey.set(mb, keys);
  }
  keys.set(key, o);
  return o;
}

/** An occurrence by the key of its own ItemId. */
export function occurrenceByKey(mb: Mailbox, key: string): Occurrence | undefined {
  const o = byKey.get(mb)?.get(key);
  return o === undefined || o.deleted || !mb.items.has(o.master.key) ? undefined : o;
}

export function isOccurrence(item: StoredItem): boolean {
  return item.props.has('OriginalStart') && !item.props.has('Recurrence');
}

/** An OccurrenceItemId's InstanceIndex: the occurrence, or the response code Exchange gives. */
export function occurrenceByIndex(mb: Mailbox, master: StoredItem, index: number): Occurrence | { code: string } {
  if (!master.props.has('Recurrence')) return { code: 'ErrorItemNotFound' };
  const date = seriesDates(master)[index - 1];
  if (!Number.isInteger(index) || date === undefined) return { code: 'ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange' };
  const o = occurrenceOn(mb, master, date)!;
  return o.deleted ? { code: 'ErrorCalendarOccurrenceIsDeletedFromRecurrence' } : o;
}

/** After an UpdateItem on an occurrence: it is an exception now, and the master changed. */
export function occurrenceWritten(mb: Mailbox, o: Occurrence): void {
  o.modified = true;
  o.item.version++;
  o.item.contentVersion++;
  o.item.modifiedAt = mb.now();
  mb.modified(o.master, ['ModifiedOccurrences']);
}

export function deleteOccurrence(mb: Mailbox, o: Occurrence): void {
  o.deleted = true;
  mb.modified(o.master, ['DeletedOccurrences']);
}

/** A master written with another Recurrence (or none) loses its exceptions, as in Outlook. */
export function recurrenceReplaced(master: StoredItem): void {
  byMaster.delete(master);
}

export function renderModifiedOccurrences(mb: Mailbox, master: StoredItem): string {
  const list = [...occurrences(master).values()].filter((o) => o.modified && !o.deleted).sort((a, b) => (a.date < b.date ? -1 : 1));
  if (list.length === 0) return '';
  return el(
    't:ModifiedOccurrences',
    undefined,
    ...list.map((o) =>
      el(
        't:Occurrence',
        undefined,
        el('t:ItemId', { Id: o.item.id, ChangeKey: mb.itemChangeKey(o.item) }),
        tel('t:Start', o.item.props.get('Start')?.text ?? ''),
        tel('t:End', o.item.props.get('End')?.text ?? ''),
        tel('t:OriginalStart', o.item.props.get('OriginalStart')?.text ?? ''),
      ),
    ),
  );
}

export function renderDeletedOccurrences(master: StoredItem): string {
  const list = [...occurrences(master).values()].filter((o) => o.deleted).sort((a, b) => (a.date < b.date ? -1 : 1));
  if (list.length === 0) return '';
  return el('t:DeletedOccurrences', undefined, ...list.map((o) => el('t:DeletedOccurrence', undefined, tel('t:Start', o.item.props.get('OriginalStart')?.text ?? ''))));
}
