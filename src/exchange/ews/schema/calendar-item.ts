import { attendees, bool, dateTime, enumeration, field, indexFields, int, recipient, str, timeZoneRef, type RecordOf } from './codec.ts';
import { itemFields } from './item.ts';
import { deletedOccurrenceList, occurrenceList } from './occurrences.ts';
import { recurrence } from './recurrence.ts';

export const legacyFreeBusyValues = ['Free', 'Tentative', 'Busy', 'OOF', 'WorkingElsewhere', 'NoData'] as const;

/**
 * CalendarItemType = ItemType + these, in types.xsd order.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritem
 */
export const calendarItemFields = [
  ...itemFields,
  field('UID', 'calendar:UID', str),
  field('Start', 'calendar:Start', dateTime),
  field('End', 'calendar:End', dateTime),
  field('OriginalStart', 'calendar:OriginalStart', dateTime),
  field('IsAllDayEvent', 'calendar:IsAllDayEvent', bool),
  field('LegacyFreeBusyStatus', 'calendar:LegacyFreeBusyStatus', enumeration(legacyFreeBusyValues)),
  field('Location', 'calendar:Location', str),
  field('IsMeeting', 'calendar:IsMeeting', bool),
  field('IsCancelled', 'calendar:IsCancelled', bool),
  field('IsRecurring', 'calendar:IsRecurring', bool),
  field('CalendarItemType', 'calendar:CalendarItemType', str),
  field('MyResponseType', 'calendar:MyResponseType', str),
  field('Organizer', 'calendar:Organizer', recipient),
  field('RequiredAttendees', 'calendar:RequiredAttendees', attendees),
  field('OptionalAttendees', 'calendar:OptionalAttendees', attendees),
  field('Resources', 'calendar:Resources', attendees),
  field('AppointmentSequenceNumber', 'calendar:AppointmentSequenceNumber', int),
  field('Recurrence', 'calendar:Recurrence', recurrence),
  field('ModifiedOccurrences', 'calendar:ModifiedOccurrences', occurrenceList),
  field('DeletedOccurrences', 'calendar:DeletedOccurrences', deletedOccurrenceList),
  field('StartTimeZone', 'calendar:StartTimeZone', timeZoneRef),
  field('EndTimeZone', 'calendar:EndTimeZone', timeZoneRef),
] as const;

export type CalendarItemRecord = RecordOf<typeof calendarItemFields>;
export const calendarItemFieldIndex = indexFields(calendarItemFields);
