import type { AppointmentData, Attendee, Recurrence, RecurrencePattern, RecurrenceRange, RemoteItemId } from '../../driver.ts';
import { arr, body, obj, recipient, seg, str, toBody, type Json } from './graph-json.ts';

/**
 * Calendar events: https://learn.microsoft.com/graph/api/resources/event
 * Start and end come back in the zone named by `Prefer: outlook.timezone` (UTC when absent), so the
 * driver asks for the profile's zone and gets wall times it can compare. Changes are tracked with
 * calendarView delta over a window (https://learn.microsoft.com/graph/delta-query-events).
 */
export function eventsPath(mailbox: string, id?: string): string {
  return `/users/${seg(mailbox)}/events${id === undefined ? '' : `/${seg(id)}`}`;
}

export function calendarViewDeltaPath(mailbox: string): string {
  return `/users/${seg(mailbox)}/calendarView/delta`;
}

export function timeZonePreference(timeZone: string): string {
  return `outlook.timezone="${timeZone}"`;
}

const showAsValues = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] as const;
const responses = ['none', 'organizer', 'accepted', 'tentative', 'declined'] as const;

export function toAppointment(resource: Json): AppointmentData {
  const start = obj(resource['start']);
  const end = obj(resource['end']);
  const organizer = recipient(resource['organizer']);
  const recurrence = toRecurrence(resource['recurrence']);
  const seriesMasterId = str(resource['seriesMasterId']);
  const originalStart = str(resource['originalStart']);
  const iCalUid = str(resource['iCalUId']);
  const showAs = str(resource['showAs']);
  const reminder = resource['reminderMinutesBeforeStart'];
  return {
    subject: str(resource['subject']) ?? '',
    body: body(resource['body']),
    location: str(obj(resource['location'])['displayName']) ?? '',
    start: { dateTime: str(start['dateTime']) ?? '', timeZone: str(start['timeZone']) ?? 'UTC' },
    end: { dateTime: str(end['dateTime']) ?? '', timeZone: str(end['timeZone']) ?? 'UTC' },
    isAllDay: resource['isAllDay'] === true,
    ...(organizer === undefined ? {} : { organizer }),
    attendees: arr(resource['attendees']).flatMap((a): Attendee[] => {
      const who = recipient(a);
      if (who === undefined) return [];
      const type = str(a['type']);
      const response = str(obj(a['status'])['response']);
      return [
        {
          ...who,
          type: type === 'optional' || type === 'resource' ? type : 'required',
          ...(responses.includes(response as (typeof responses)[number]) ? { response: response as Attendee['response'] & string } : {}),
        },
      ];
    }),
    showAs: showAsValues.includes(showAs as (typeof showAsValues)[number]) ? (showAs as AppointmentData['showAs']) : 'busy',
    isCancelled: resource['isCancelled'] === true,
    ...(typeof reminder === 'number' ? { reminderMinutesBeforeStart: reminder } : {}),
    isReminderOn: resource['isReminderOn'] === true,
    ...(recurrence === undefined ? {} : { recurrence }),
    ...(seriesMasterId === undefined ? {} : { seriesMasterId: seriesMasterId as RemoteItemId }),
    ...(originalStart === undefined ? {} : { originalStart }),
    ...(iCalUid === undefined ? {} : { iCalUid }),
    categories: stringList(resource['categories']),
  };
}

/** The writable fields of an event. The organizer is the mailbox itself: Graph ignores it on create. */
export function fromAppointment(data: AppointmentData): Json {
  return {
    subject: data.subject,
    body: toBody(data.body),
    location: { displayName: data.location },
    start: data.start,
    end: data.end,
    isAllDay: data.isAllDay,
    attendees: data.attendees.map((a) => ({ type: a.type, emailAddress: { address: a.address, ...(a.name === undefined ? {} : { name: a.name }) } })),
    showAs: data.showAs,
    isReminderOn: data.isReminderOn,
    ...(data.reminderMinutesBeforeStart === undefined ? {} : { reminderMinutesBeforeStart: data.reminderMinutesBeforeStart }),
    recurrence: data.recurrence === undefined ? null : fromRecurrence(data.recurrence),
    categories: data.categories,
  };
}

function toRecurrence(value: unknown): Recurrence | undefined {
  if (value === null || value === undefined) return undefined;
  const pattern = obj(obj(value)['pattern']);
  const range = obj(obj(value)['range']);
  const interval = typeof pattern['interval'] === 'number' ? pattern['interval'] : 1;
  const days = stringList(pattern['daysOfWeek']) as RecurrencePattern extends { daysOfWeek: infer D } ? D : never;
  const index = (str(pattern['index']) ?? 'first') as 'first';
  const month = typeof pattern['month'] === 'number' ? pattern['month'] : 1;
  const dayOfMonth = typeof pattern['dayOfMonth'] === 'number' ? pattern['dayOfMonth'] : 1;
  const firstDay = str(pattern['firstDayOfWeek']) as 'sunday' | undefined;
  let p: RecurrencePattern;
  switch (str(pattern['type'])) {
    case 'weekly':
      p = { type: 'weekly', interval, daysOfWeek: days, ...(firstDay === undefined ? {} : { firstDayOfWeek: firstDay }) };
      break;
    case 'absoluteMonthly':
      p = { type: 'absoluteMonthly', interval, dayOfMonth };
      break;
    case 'relativeMonthly':
      p = { type: 'relativeMonthly', interval, daysOfWeek: days, index };
      break;
    case 'absoluteYearly':
      p = { type: 'absoluteYearly', interval, dayOfMonth, month };
      break;
    case 'relativeYearly':
      p = { type: 'relativeYearly', interval, daysOfWeek: days, index, month };
      break;
    default:
      p = { type: 'daily', interval };
  }
  const startDate = str(range['startDate']) ?? '';
  let r: RecurrenceRange;
  if (str(range['type']) === 'endDate') r = { type: 'endDate', startDate, endDate: str(range['endDate']) ?? startDate };
  else if (str(range['type']) === 'numbered') r = { type: 'numbered', startDate, numberOfOccurrences: Number(range['numberOfOccurrences'] ?? 1) };
  else r = { type: 'noEnd', startDate };
  return { pattern: p, range: r, timeZone: str(range['recurrenceTimeZone']) ?? 'UTC' };
}

/** Whether a recurrence as Graph shows it is the one given (the order of days and of keys aside). */
export function sameRecurrence(graph: unknown, recurrence: Recurrence | undefined): boolean {
  const a = toRecurrence(graph);
  if (a === undefined || recurrence === undefined) return a === recurrence;
  const norm = (r: Recurrence) => {
    const p = { ...r.pattern } as Record<string, unknown>;
    if (Array.isArray(p['daysOfWeek'])) p['daysOfWeek'] = [...(p['daysOfWeek'] as string[])].sort();
    if (p['firstDayOfWeek'] === undefined) p['firstDayOfWeek'] = 'sunday';
    const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
    return JSON.stringify([sorted(p), sorted({ ...r.range }), r.timeZone]);
  };
  return norm(a) === norm(recurrence);
}

function fromRecurrence(recurrence: Recurrence): Json {
  return { pattern: { ...recurrence.pattern }, range: { ...recurrence.range, recurrenceTimeZone: recurrence.timeZone } };
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
