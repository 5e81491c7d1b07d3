import type { AppointmentData, Attendee, DayOfWeek, Recurrence, RecurrencePattern, RecurrenceRange, RemoteItemId, WeekIndex } from '../../driver.ts';
import type { CalendarItemRecord } from '../schema/calendar-item.ts';
import type { WireAttendee } from '../schema/codec.ts';
import type { WireRecurrence } from '../schema/recurrence.ts';
import { cleanText, toAddress, toBody, toWireBody, toWireMailbox } from './common-mapping.ts';
import { ianaFromWindows, instantOf, isoUtc, wallTime, windowsFromIana } from './time-zones.ts';

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const days = (list: readonly DayOfWeek[]): string => list.map(cap).join(' ');
const readDays = (s: string): DayOfWeek[] => s.split(/\s+/).filter(Boolean).map((d) => d.toLowerCase() as DayOfWeek);
/** xs:date may come back with an offset ("2006-10-26-07:00"); the date is what matters. */
const date = (s: string): string => s.slice(0, 10);

function toWirePattern(p: RecurrencePattern): WireRecurrence['pattern'] {
  switch (p.type) {
    case 'daily':
      return { kind: 'DailyRecurrence', Interval: p.interval };
    case 'weekly':
      return { kind: 'WeeklyRecurrence', Interval: p.interval, DaysOfWeek: days(p.daysOfWeek), ...(p.firstDayOfWeek === undefined ? {} : { FirstDayOfWeek: cap(p.firstDayOfWeek) }) };
    case 'absoluteMonthly':
      return { kind: 'AbsoluteMonthlyRecurrence', Interval: p.interval, DayOfMonth: p.dayOfMonth };
    case 'relativeMonthly':
      return { kind: 'RelativeMonthlyRecurrence', Interval: p.interval, DaysOfWeek: days(p.daysOfWeek), DayOfWeekIndex: cap(p.index) };
    case 'absoluteYearly':
      return { kind: 'AbsoluteYearlyRecurrence', DayOfMonth: p.dayOfMonth, Month: months[p.month - 1] ?? 'January' };
    case 'relativeYearly':
      return { kind: 'RelativeYearlyRecurrence', DaysOfWeek: days(p.daysOfWeek), DayOfWeekIndex: cap(p.index), Month: months[p.month - 1] ?? 'January' };
  }
}

function toPattern(p: WireRecurrence['pattern']): RecurrencePattern {
  const month = (m: string): number => months.indexOf(m) + 1;
  switch (p.kind) {
    case 'DailyRecurrence':
      return { type: 'daily', interval: p.Interval };
    case 'WeeklyRecurrence':
      return { type: 'weekly', interval: p.Interval, daysOfWeek: readDays(p.DaysOfWeek), ...(p.FirstDayOfWeek === undefined ? {} : { firstDayOfWeek: p.FirstDayOfWeek.toLowerCase() as DayOfWeek }) };
    case 'AbsoluteMonthlyRecurrence':
      return { type: 'absoluteMonthly', interval: p.Interval, dayOfMonth: p.DayOfMonth };
    case 'RelativeMonthlyRecurrence':
      return { type: 'relativeMonthly', interval: p.Interval, daysOfWeek: readDays(p.DaysOfWeek), index: p.DayOfWeekIndex.toLowerCase() as WeekIndex };
    case 'AbsoluteYearlyRecurrence':
      return { type: 'absoluteYearly', interval: 1, dayOfMonth: p.DayOfMonth, month: month(p.Month) };
    case 'RelativeYearlyRecurrence':
      return { type: 'relativeYearly', interval: 1, daysOfWeek: readDays(p.DaysOfWeek), index: p.DayOfWeekIndex.toLowerCase() as WeekIndex, month: month(p.Month) };
  }
}

function toWireRange(r: RecurrenceRange): WireRecurrence['range'] {
  if (r.type === 'endDate') return { kind: 'EndDateRecurrence', StartDate: r.startDate, EndDate: r.endDate };
  if (r.type === 'numbered') return { kind: 'NumberedRecurrence', StartDate: r.startDate, NumberOfOccurrences: r.numberOfOccurrences };
  return { kind: 'NoEndRecurrence', StartDate: r.startDate };
}

function toRange(r: WireRecurrence['range']): RecurrenceRange {
  if (r.kind === 'EndDateRecurrence') return { type: 'endDate', startDate: date(r.StartDate), endDate: date(r.EndDate) };
  if (r.kind === 'NumberedRecurrence') return { type: 'numbered', startDate: date(r.StartDate), numberOfOccurrences: r.NumberOfOccurrences };
  return { type: 'noEnd', startDate: date(r.StartDate) };
}

const showAsToWire = { free: 'Free', tentative: 'Tentative', busy: 'Busy', oof: 'OOF', workingElsewhere: 'WorkingElsewhere', unknown: 'NoData' } as const;
const responses: Record<string, Attendee['response']> = { Unknown: 'none', NoResponseReceived: 'none', Organizer: 'organizer', Accept: 'accepted', Tentative: 'tentative', Decline: 'declined' };

function toAttendees(list: WireAttendee[] | undefined, type: Attendee['type']): Attendee[] {
  return (list ?? []).flatMap((a) => {
    const addr = toAddress(a.Mailbox);
    if (!addr) return [];
    const response = a.ResponseType === undefined ? undefined : responses[a.ResponseType];
    return [{ ...addr, type, ...(response === undefined ? {} : { response }) }];
  });
}

export function toAppointmentData(r: CalendarItemRecord): AppointmentData {
  const zone = ianaFromWindows(r.StartTimeZone);
  const endZone = r.EndTimeZone === undefined ? zone : ianaFromWindows(r.EndTimeZone);
  const at = (iso: string | undefined, z: string): string => wallTime(Date.parse(iso ?? '1970-01-01T00:00:00Z'), z);
  const organizer = toAddress(r.Organizer);
  const fb = r.LegacyFreeBusyStatus;
  return {
    subject: r.Subject ?? '',
    body: toBody(r.Body),
    location: r.Location ?? '',
    start: { dateTime: at(r.Start, zone), timeZone: zone },
    end: { dateTime: at(r.End, endZone), timeZone: endZone },
    isAllDay: r.IsAllDayEvent ?? false,
    ...(organizer === undefined ? {} : { organizer }),
    attendees: [...toAttendees(r.RequiredAttendees, 'required'), ...toAttendees(r.OptionalAttendees, 'optional'), ...toAttendees(r.Resources, 'resource')],
    showAs: fb === 'Free' ? 'free' : fb === 'Tentative' ? 'tentative' : fb === 'Busy' ? 'busy' : fb === 'OOF' ? 'oof' : fb === 'WorkingElsewhere' ? 'workingElsewhere' : 'unknown',
    isCancelled: r.IsCancelled ?? false,
    ...(r.ReminderMinutesBeforeStart === undefined ? {} : { reminderMinutesBeforeStart: r.ReminderMinutesBeforeStart }),
    isReminderOn: r.ReminderIsSet ?? false,
    ...(r.Recurrence === undefined ? {} : { recurrence: { pattern: toPattern(r.Recurrence.pattern), range: toRange(r.Recurrence.range), timeZone: zone } satisfies Recurrence }),
    ...(r.OriginalStart === undefined ? {} : { originalStart: r.OriginalStart }),
    ...(r.UID === undefined ? {} : { iCalUid: r.UID }),
    categories: r.Categories ?? [],
  };
}

/** Only the fields Dovetail owns; read-only ones (Organizer, UID, IsCancelled) are never written. */
export function toCalendarRecord(d: AppointmentData): CalendarItemRecord {
  const startZone = windowsFromIana(d.start.timeZone);
  const endZone = windowsFromIana(d.end.timeZone);
  const attendees = (type: Attendee['type']): WireAttendee[] => d.attendees.filter((a) => a.type === type).map((a) => ({ Mailbox: toWireMailbox(a) }));
  const required = attendees('required');
  const optional = attendees('optional');
  const resources = attendees('resource');
  return {
    Subject: cleanText(d.subject),
    Body: toWireBody(d.body),
    Categories: d.categories,
    ReminderIsSet: d.isReminderOn,
    ...(d.reminderMinutesBeforeStart === undefined ? {} : { ReminderMinutesBeforeStart: d.reminderMinutesBeforeStart }),
    Start: isoUtc(instantOf(d.start.dateTime, d.start.timeZone)),
    End: isoUtc(instantOf(d.end.dateTime, d.end.timeZone)),
    IsAllDayEvent: d.isAllDay,
    LegacyFreeBusyStatus: showAsToWire[d.showAs],
    Location: cleanText(d.location),
    ...(required.length === 0 ? {} : { RequiredAttendees: required }),
    ...(optional.length === 0 ? {} : { OptionalAttendees: optional }),
    ...(resources.length === 0 ? {} : { Resources: resources }),
    ...(d.recurrence === undefined ? {} : { Recurrence: { pattern: toWirePattern(d.recurrence.pattern), range: toWireRange(d.recurrence.range) } }),
    // Without a Windows id the instant is still right; Exchange then expands recurrences in UTC.
    ...(startZone === undefined ? {} : { StartTimeZone: startZone }),
    ...(endZone === undefined ? {} : { EndTimeZone: endZone }),
  };
}

export function seriesMaster(id: string | undefined): RemoteItemId | undefined {
  return id === undefined ? undefined : (id as RemoteItemId);
}
