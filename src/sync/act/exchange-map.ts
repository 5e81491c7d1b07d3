/**
 * Exchange items (the driver's ActData) <-> mapped fields. Writing merges the fields into the item
 * as Exchange last returned it, so what Dovetail does not map (categories, the iCalendar UID,
 * attendee names and responses, the addresses a contact setting leaves out) is kept.
 */
import type { ActData, ActKind, AppointmentData, Attendee, ContactData, EmailAddress, PhysicalAddress, Recurrence, TaskData, ZonedDateTime } from '../../exchange/driver.ts';
import type { Fields } from './fields.ts';
import { safeZone, utcToWallTime, wallTimeToUtc } from './zoned-time.ts';

/** The most email addresses an Exchange contact holds (EmailAddress1..3). */
export const MAX_CONTACT_EMAILS = 3;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optStr = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
const addresses = (list: ReadonlyArray<{ address: string }>): string[] => [...new Set(list.map((a) => a.address.toLowerCase()))].sort();

function address(a: PhysicalAddress | undefined): Record<string, string> | null {
  if (a === undefined) return null;
  const out: Record<string, string> = {};
  for (const k of ['street', 'city', 'state', 'postalCode', 'countryOrRegion'] as const) if (a[k] !== undefined && a[k] !== '') out[k] = a[k];
  return Object.keys(out).length === 0 ? null : out;
}

function toAddress(v: unknown): PhysicalAddress | undefined {
  return v === null || typeof v !== 'object' ? undefined : { ...(v as PhysicalAddress) };
}

/**
 * A series' exceptions as a driver that knows them reports them on the master: occurrences, named
 * by their original date in the series' zone, that were cancelled or changed.
 */
export type SeriesException =
  | { date: string; deleted: true }
  | { date: string; deleted: false; subject: string; location: string; start: ZonedDateTime; end: ZonedDateTime };
type SeriesAppointment = AppointmentData & { exceptions?: SeriesException[] };

/** The mapped `exceptions` field: sorted by date, times as UTC instants; null when there are none. */
export type ExceptionField = { date: string; deleted: true } | { date: string; deleted: false; subject: string; location: string; start: string; end: string };

const byDate = <T extends { date: string }>(list: T[]): T[] => [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

/** Checks and orders an `exceptions` value from either side; anything malformed is left out. */
export function normalizeExceptions(value: unknown): ExceptionField[] | null {
  if (!Array.isArray(value)) return null;
  const out: ExceptionField[] = [];
  const seen = new Set<string>();
  for (const v of value as Array<Record<string, unknown>>) {
    const date = typeof v?.['date'] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v['date']) ? v['date'] : null;
    if (date === null || seen.has(date)) continue;
    seen.add(date);
    if (v['deleted'] === true) {
      out.push({ date, deleted: true });
      continue;
    }
    const start = Date.parse(String(v['start']));
    const end = Date.parse(String(v['end']));
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) continue;
    out.push({ date, deleted: false, subject: str(v['subject']), location: str(v['location']), start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }
  return out.length === 0 ? null : byDate(out);
}

function exceptionsFromExchange(list: SeriesException[] | undefined): ExceptionField[] | null {
  if (list === undefined || list.length === 0) return null;
  return normalizeExceptions(
    list.map((e) => (e.deleted ? e : { ...e, start: new Date(wallTimeToUtc(e.start.dateTime, safeZone(e.start.timeZone))).toISOString(), end: new Date(wallTimeToUtc(e.end.dateTime, safeZone(e.end.timeZone))).toISOString() })),
  );
}

function exceptionsToExchange(value: unknown, zone: string): SeriesException[] {
  return (normalizeExceptions(value) ?? []).map((e) =>
    e.deleted ? e : { ...e, start: { dateTime: utcToWallTime(Date.parse(e.start), zone), timeZone: zone }, end: { dateTime: utcToWallTime(Date.parse(e.end), zone), timeZone: zone } },
  );
}

export function normalizeRecurrence(r: Recurrence | undefined): Recurrence | null {
  if (r === undefined) return null;
  const pattern = { ...r.pattern } as Recurrence['pattern'] & { daysOfWeek?: string[]; firstDayOfWeek?: string };
  if (Array.isArray(pattern.daysOfWeek)) pattern.daysOfWeek = [...pattern.daysOfWeek].sort();
  delete pattern.firstDayOfWeek;
  return { pattern, range: { ...r.range }, timeZone: r.timeZone };
}

export function fromExchange<K extends ActKind>(kind: K, data: ActData<K>): Fields {
  if (kind === 'appointment') {
    const d = data as AppointmentData;
    return {
      subject: d.subject,
      body: d.body.content,
      location: d.location,
      start: new Date(wallTimeToUtc(d.start.dateTime, safeZone(d.start.timeZone))).toISOString(),
      end: new Date(wallTimeToUtc(d.end.dateTime, safeZone(d.end.timeZone))).toISOString(),
      timeZone: safeZone(d.start.timeZone),
      isAllDay: d.isAllDay,
      organizer: d.organizer?.address.toLowerCase() ?? null,
      requiredAttendees: addresses(d.attendees.filter((a) => a.type === 'required')),
      optionalAttendees: addresses(d.attendees.filter((a) => a.type === 'optional')),
      showAs: d.showAs,
      cancelled: d.isCancelled,
      reminderMinutes: d.isReminderOn ? (d.reminderMinutesBeforeStart ?? 15) : null,
      recurrence: normalizeRecurrence(d.recurrence),
      exceptions: exceptionsFromExchange((d as SeriesAppointment).exceptions),
    };
  }
  if (kind === 'contact') {
    const d = data as ContactData;
    return {
      givenName: optStr(d.givenName),
      middleName: optStr(d.middleName),
      surname: optStr(d.surname),
      displayName: optStr(d.displayName),
      emails: d.emailAddresses.slice(0, MAX_CONTACT_EMAILS).map((e) => e.address),
      businessPhones: [...d.businessPhones],
      homePhones: [...d.homePhones],
      mobilePhone: optStr(d.mobilePhone),
      businessAddress: address(d.businessAddress),
      homeAddress: address(d.homeAddress),
      otherAddress: address(d.otherAddress),
      companyName: optStr(d.companyName),
      jobTitle: optStr(d.jobTitle),
    };
  }
  const d = data as TaskData;
  return {
    subject: d.subject,
    body: d.body.content,
    dueDate: d.dueDate ?? null,
    status: d.status,
    importance: d.importance,
    percentComplete: d.status === 'completed' ? 100 : d.percentComplete,
  };
}

/**
 * The item to write: `fields` over `previous` (the item as Exchange last returned it), or a new item.
 * Only fields named in `only` are taken from `fields` when given (the rest keep Exchange's value).
 */
export function toExchange<K extends ActKind>(kind: K, fields: Fields, previous: ActData<K> | undefined, only?: readonly string[]): ActData<K> {
  const take = (f: string): boolean => only === undefined || only.includes(f);
  if (kind === 'appointment') {
    const p = previous as AppointmentData | undefined;
    const zone = safeZone(str(take('timeZone') ? fields['timeZone'] : p?.start.timeZone) || 'UTC');
    const at = (f: 'start' | 'end') => {
      if (!take(f) && !take('timeZone') && p !== undefined) return p[f];
      const utc = take(f) || p === undefined ? Date.parse(str(fields[f])) : wallTimeToUtc(p[f].dateTime, safeZone(p[f].timeZone));
      return { dateTime: utcToWallTime(utc, zone), timeZone: zone };
    };
    const attendees = (): Attendee[] => {
      if (!take('requiredAttendees') && !take('optionalAttendees') && p !== undefined) return p.attendees;
      const known = new Map((p?.attendees ?? []).map((a) => [a.address.toLowerCase(), a] as const));
      const make = (list: unknown, type: 'required' | 'optional'): Attendee[] =>
        (Array.isArray(list) ? (list as string[]) : []).map((address) => ({ ...(known.get(address) ?? { address }), type }));
      const req = take('requiredAttendees') ? make(fields['requiredAttendees'], 'required') : (p?.attendees.filter((a) => a.type === 'required') ?? []);
      const opt = take('optionalAttendees') ? make(fields['optionalAttendees'], 'optional') : (p?.attendees.filter((a) => a.type === 'optional') ?? []);
      return [...req, ...opt, ...(p?.attendees.filter((a) => a.type === 'resource') ?? [])];
    };
    const reminder = take('reminderMinutes') ? fields['reminderMinutes'] : p?.isReminderOn === false ? null : (p?.reminderMinutesBeforeStart ?? null);
    const recurrence = take('recurrence') ? (fields['recurrence'] as Recurrence | null) : (p?.recurrence ?? null);
    const organizer = p?.organizer ?? (typeof fields['organizer'] === 'string' ? ({ address: fields['organizer'] } satisfies EmailAddress) : undefined);
    const out: AppointmentData = {
      ...(p ?? { categories: [] }),
      subject: take('subject') ? str(fields['subject']) : (p?.subject ?? ''),
      body: { type: p?.body.type ?? 'text', content: take('body') ? str(fields['body']) : (p?.body.content ?? '') },
      location: take('location') ? str(fields['location']) : (p?.location ?? ''),
      start: at('start'),
      end: at('end'),
      isAllDay: take('isAllDay') ? fields['isAllDay'] === true : (p?.isAllDay ?? false),
      attendees: attendees(),
      showAs: take('showAs') ? ((fields['showAs'] as AppointmentData['showAs'] | null) ?? 'busy') : (p?.showAs ?? 'busy'),
      isCancelled: take('cancelled') ? fields['cancelled'] === true : (p?.isCancelled ?? false),
      isReminderOn: typeof reminder === 'number',
      categories: p?.categories ?? [],
    };
    if (organizer === undefined) delete out.organizer;
    else out.organizer = organizer;
    if (typeof reminder === 'number') out.reminderMinutesBeforeStart = reminder;
    else delete out.reminderMinutesBeforeStart;
    if (recurrence === null || recurrence === undefined) delete out.recurrence;
    else out.recurrence = recurrence;
    const series = out as SeriesAppointment;
    if (out.recurrence === undefined) delete series.exceptions;
    else if (take('exceptions')) series.exceptions = exceptionsToExchange(fields['exceptions'], zone);
    // A series written with a new recurrence loses its exceptions in Exchange; none are carried over.
    else if (take('recurrence')) series.exceptions = [];
    return out as ActData<K>;
  }
  if (kind === 'contact') {
    const p = previous as ContactData | undefined;
    const out: ContactData = { ...(p ?? { emailAddresses: [], businessPhones: [], homePhones: [], categories: [] }) };
    const setStr = (f: 'givenName' | 'middleName' | 'surname' | 'displayName' | 'mobilePhone' | 'companyName' | 'jobTitle') => {
      if (!take(f)) return;
      const v = fields[f];
      if (typeof v === 'string' && v !== '') out[f] = v;
      else delete out[f];
    };
    for (const f of ['givenName', 'middleName', 'surname', 'displayName', 'mobilePhone', 'companyName', 'jobTitle'] as const) setStr(f);
    if (take('emails')) {
      const names = new Map((p?.emailAddresses ?? []).map((e) => [e.address.toLowerCase(), e] as const));
      out.emailAddresses = ((fields['emails'] as string[] | null) ?? []).slice(0, MAX_CONTACT_EMAILS).map((a) => names.get(a.toLowerCase()) ?? { address: a });
    }
    if (take('businessPhones')) out.businessPhones = [...((fields['businessPhones'] as string[] | null) ?? [])];
    if (take('homePhones')) out.homePhones = [...((fields['homePhones'] as string[] | null) ?? [])];
    for (const f of ['businessAddress', 'homeAddress', 'otherAddress'] as const) {
      if (!take(f)) continue;
      const a = toAddress(fields[f]);
      if (a === undefined) delete out[f];
      else out[f] = a;
    }
    return out as ActData<K>;
  }
  const p = previous as TaskData | undefined;
  const status = take('status') ? ((fields['status'] as TaskData['status']) ?? 'notStarted') : (p?.status ?? 'notStarted');
  const out: TaskData = {
    ...(p ?? { categories: [] }),
    subject: take('subject') ? str(fields['subject']) : (p?.subject ?? ''),
    body: { type: p?.body.type ?? 'text', content: take('body') ? str(fields['body']) : (p?.body.content ?? '') },
    status,
    importance: take('importance') ? ((fields['importance'] as TaskData['importance']) ?? 'normal') : (p?.importance ?? 'normal'),
    percentComplete: status === 'completed' ? 100 : take('percentComplete') ? Number(fields['percentComplete'] ?? 0) : (p?.percentComplete ?? 0),
    categories: p?.categories ?? [],
  };
  const due = take('dueDate') ? fields['dueDate'] : p?.dueDate;
  if (typeof due === 'string' && due !== '') out.dueDate = due;
  else delete out.dueDate;
  if (status !== 'completed') delete out.completedAt;
  return out as ActData<K>;
}
