import type { ActData, ActKind } from '../driver.ts';
import { calendarItemFields, type CalendarItemRecord } from './schema/calendar-item.ts';
import { fieldNamed, type Field } from './schema/codec.ts';
import { addressKeys, addressPartUris, contactFields, emailKeys, phoneKeys, type ContactRecord } from './schema/contact.ts';
import type { DistinguishedFolderName } from './schema/folder-id.ts';
import { deleteField, setField, type ItemUpdate } from './schema/item-change.ts';
import type { WireItem } from './schema/item-kinds.ts';
import { taskFields, type TaskRecord } from './schema/task.ts';
import { toAppointmentData, toCalendarRecord } from './mapping/appointment-mapping.ts';
import { toContactData, toContactRecord } from './mapping/contact-mapping.ts';
import { toTaskData, toTaskRecord } from './mapping/task-mapping.ts';
import { escapeXml } from './xml/xml-text.ts';

/** How each ACT kind lives in Exchange: its folder, element, the fields read, and how data maps both ways. */
export type ActKindSpec<K extends ActKind> = {
  folder: DistinguishedFolderName;
  element: 'CalendarItem' | 'Contact' | 'Task';
  readFields: readonly Field[];
  toData(item: WireItem): ActData<K>;
  toItem(data: ActData<K>): WireItem;
  /** SetItemField for what the data has, DeleteItemField for what Dovetail owns and the data lacks. */
  updates(data: ActData<K>): ItemUpdate[];
};

type Rec = Record<string, unknown>;

function plainUpdates(element: string, fields: readonly Field[], record: Rec, owned: readonly string[], deletable: readonly string[]): ItemUpdate[] {
  const out: ItemUpdate[] = [];
  for (const f of fields) {
    if (!owned.includes(f.name)) continue;
    const v = record[f.name];
    if (v !== undefined) out.push(setField(element, f as Field<string, unknown>, v));
    else if (deletable.includes(f.name)) out.push(deleteField(f));
  }
  return out;
}

const calendarOwned = ['Subject', 'Body', 'Categories', 'ReminderIsSet', 'ReminderMinutesBeforeStart', 'Start', 'End', 'IsAllDayEvent', 'LegacyFreeBusyStatus', 'Location', 'RequiredAttendees', 'OptionalAttendees', 'Resources', 'Recurrence', 'StartTimeZone', 'EndTimeZone'];
const calendarRead = ['ItemId', 'Subject', 'Body', 'Categories', 'ReminderIsSet', 'ReminderMinutesBeforeStart', 'ExtendedProperty', 'LastModifiedTime', 'UID', 'Start', 'End', 'OriginalStart', 'IsAllDayEvent', 'LegacyFreeBusyStatus', 'Location', 'IsCancelled', 'CalendarItemType', 'Organizer', 'RequiredAttendees', 'OptionalAttendees', 'Resources', 'Recurrence', 'ModifiedOccurrences', 'DeletedOccurrences', 'StartTimeZone', 'EndTimeZone'];

const contactPlain = ['Categories', 'DisplayName', 'GivenName', 'MiddleName', 'CompanyName', 'JobTitle', 'Surname'];
const contactRead = ['ItemId', 'Categories', 'ExtendedProperty', 'LastModifiedTime', 'DisplayName', 'GivenName', 'MiddleName', 'CompanyName', 'EmailAddresses', 'PhysicalAddresses', 'PhoneNumbers', 'JobTitle', 'Surname'];

/**
 * Contact dictionaries are updated entry by entry with IndexedFieldURI; a whole-dictionary
 * SetItemField is refused by Exchange.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/indexedfielduri
 */
function contactIndexedUpdates(r: ContactRecord): ItemUpdate[] {
  const out: ItemUpdate[] = [];
  const entry = (dict: string, key: string, inner: string): string => `<t:${dict}><t:Entry Key="${key}">${inner}</t:Entry></t:${dict}>`;
  for (const key of emailKeys) {
    const v = r.EmailAddresses?.[key];
    const path = { IndexedFieldURI: 'contacts:EmailAddress', FieldIndex: key };
    out.push(v === undefined ? { op: 'DeleteItemField', path } : { op: 'SetItemField', path, element: 'Contact', content: entry('EmailAddresses', key, escapeXml(v)) });
  }
  for (const key of phoneKeys) {
    const v = r.PhoneNumbers?.[key];
    const path = { IndexedFieldURI: 'contacts:PhoneNumber', FieldIndex: key };
    out.push(v === undefined ? { op: 'DeleteItemField', path } : { op: 'SetItemField', path, element: 'Contact', content: entry('PhoneNumbers', key, escapeXml(v)) });
  }
  for (const key of addressKeys) {
    const a = r.PhysicalAddresses?.[key] ?? {};
    const parts = Object.entries(addressPartUris) as Array<[keyof typeof addressPartUris, string]>;
    // Removals before settings within one address, so a server that drops the whole entry on a
    // part's DeleteItemField still ends with every part we set.
    for (const [part, uri] of parts) if (a[part] === undefined) out.push({ op: 'DeleteItemField', path: { IndexedFieldURI: uri, FieldIndex: key } });
    for (const [part, uri] of parts) {
      const v = a[part];
      if (v !== undefined) out.push({ op: 'SetItemField', path: { IndexedFieldURI: uri, FieldIndex: key }, element: 'Contact', content: entry('PhysicalAddresses', key, `<t:${part}>${escapeXml(v)}</t:${part}>`) });
    }
  }
  return out;
}

const taskOwned = ['Subject', 'Body', 'Categories', 'Importance', 'CompleteDate', 'DueDate', 'PercentComplete', 'StartDate', 'Status'];
const taskRead = ['ItemId', 'Subject', 'Body', 'Categories', 'Importance', 'ExtendedProperty', 'LastModifiedTime', 'CompleteDate', 'DueDate', 'PercentComplete', 'StartDate', 'Status'];

const pick = (fields: readonly Field[], names: readonly string[]): Field[] => names.map((n) => fieldNamed(fields as readonly Field<string, unknown>[], n));

const appointment: ActKindSpec<'appointment'> = {
  folder: 'calendar',
  element: 'CalendarItem',
  readFields: pick(calendarItemFields, calendarRead),
  toData: (item) => toAppointmentData(item.record as CalendarItemRecord),
  toItem: (data) => ({ type: 'CalendarItem', element: 'CalendarItem', record: toCalendarRecord(data) }),
  updates: (data) => plainUpdates('CalendarItem', calendarItemFields, toCalendarRecord(data) as Rec, calendarOwned, ['RequiredAttendees', 'OptionalAttendees', 'Resources', 'Recurrence']),
};

const contact: ActKindSpec<'contact'> = {
  folder: 'contacts',
  element: 'Contact',
  readFields: pick(contactFields, contactRead),
  toData: (item) => toContactData(item.record as ContactRecord),
  toItem: (data) => ({ type: 'Contact', element: 'Contact', record: toContactRecord(data) }),
  updates: (data) => {
    const r = toContactRecord(data);
    return [...plainUpdates('Contact', contactFields, r as Rec, contactPlain, contactPlain.filter((n) => n !== 'Categories')), ...contactIndexedUpdates(r)];
  },
};

const task: ActKindSpec<'task'> = {
  folder: 'tasks',
  element: 'Task',
  readFields: pick(taskFields, taskRead),
  toData: (item) => toTaskData(item.record as TaskRecord),
  toItem: (data) => ({ type: 'Task', element: 'Task', record: toTaskRecord(data) }),
  updates: (data) => plainUpdates('Task', taskFields, toTaskRecord(data) as Rec, taskOwned, ['CompleteDate', 'DueDate', 'StartDate']),
};

export const actKinds: { [K in ActKind]: ActKindSpec<K> } = { appointment, contact, task };
