/**
 * Representative arguments for every EWS operation Dovetail has, used by the schema-validation
 * proof. Items carry every field Dovetail writes, so a field out of schema order fails the proof.
 */
import { CreateFolder } from '../../src/exchange/ews/operations/create-folder.ts';
import { CreateItem } from '../../src/exchange/ews/operations/create-item.ts';
import { CreateUserConfiguration } from '../../src/exchange/ews/operations/create-user-configuration.ts';
import { ConvertId } from '../../src/exchange/ews/operations/convert-id.ts';
import { DeleteItem } from '../../src/exchange/ews/operations/delete-item.ts';
import { FindFolder } from '../../src/exchange/ews/operations/find-folder.ts';
import { FindItem } from '../../src/exchange/ews/operations/find-item.ts';
import { calendarItemFieldIndex } from '../../src/exchange/ews/schema/calendar-item.ts';
import { GetAttachment } from '../../src/exchange/ews/operations/get-attachment.ts';
import { GetEvents } from '../../src/exchange/ews/operations/get-events.ts';
import { GetFolder } from '../../src/exchange/ews/operations/get-folder.ts';
import { GetItem } from '../../src/exchange/ews/operations/get-item.ts';
import { GetStreamingEvents } from '../../src/exchange/ews/operations/get-streaming-events.ts';
import { GetUserConfiguration } from '../../src/exchange/ews/operations/get-user-configuration.ts';
import { MoveItem } from '../../src/exchange/ews/operations/move-item.ts';
import { ResolveNames } from '../../src/exchange/ews/operations/resolve-names.ts';
import { SendItem } from '../../src/exchange/ews/operations/send-item.ts';
import { Subscribe } from '../../src/exchange/ews/operations/subscribe.ts';
import { SyncFolderHierarchy } from '../../src/exchange/ews/operations/sync-folder-hierarchy.ts';
import { SyncFolderItems } from '../../src/exchange/ews/operations/sync-folder-items.ts';
import { Unsubscribe } from '../../src/exchange/ews/operations/unsubscribe.ts';
import { UpdateItem } from '../../src/exchange/ews/operations/update-item.ts';
import { UpdateUserConfiguration } from '../../src/exchange/ews/operations/update-user-configuration.ts';
import { calendarItemFields } from '../../src/exchange/ews/schema/calendar-item.ts';
import { contactFields } from '../../src/exchange/ews/schema/contact.ts';
import { stampActivityIdProperty, stampOrgIdProperty } from '../../src/exchange/ews/schema/extended-property.ts';
import { appendField, deleteField, setExtended, setField } from '../../src/exchange/ews/schema/item-change.ts';
import type { WireItem } from '../../src/exchange/ews/schema/item-kinds.ts';
import { fieldNamed } from '../../src/exchange/ews/schema/codec.ts';
import { messageFields } from '../../src/exchange/ews/schema/message.ts';
import { taskFields } from '../../src/exchange/ews/schema/task.ts';

export type OperationSample = { operation: string; label: string; body: () => string };


const stamp = [
  { uri: stampOrgIdProperty, value: 'org-1' },
  { uri: stampActivityIdProperty, value: 'act-1' },
];

export const fullMessage: WireItem = {
  type: 'Message',
  element: 'Message',
  record: {
    ItemClass: 'IPM.Note',
    Subject: 'Quarterly review <draft> & notes',
    Sensitivity: 'Normal',
    Body: { BodyType: 'HTML', text: '<p>Hello &amp; welcome</p>' },
    Attachments: [{ kind: 'FileAttachment', Name: 'a.txt', ContentType: 'text/plain', ContentId: 'cid1', IsInline: false, Content: 'aGVsbG8=' }],
    Categories: ['Tracked to Dynamics 365', 'Red'],
    Importance: 'High',
    InReplyTo: '<parent@contoso.com>',
    ExtendedProperty: stamp,
    Sender: { Name: 'Sadie', EmailAddress: 'sadie@contoso.com', RoutingType: 'SMTP' },
    ToRecipients: [{ Name: 'Alfred', EmailAddress: 'alfred@contoso.com' }],
    CcRecipients: [{ EmailAddress: 'cc@contoso.com' }],
    BccRecipients: [{ EmailAddress: 'bcc@contoso.com' }],
    IsReadReceiptRequested: false,
    IsDeliveryReceiptRequested: false,
    From: { EmailAddress: 'sadie@contoso.com' },
    InternetMessageId: '<dovetail.123@contoso.com>',
    IsRead: true,
    References: '<root@contoso.com> <parent@contoso.com>',
    ReplyTo: [{ EmailAddress: 'replies@contoso.com' }],
  },
};

export const fullAppointment: WireItem = {
  type: 'CalendarItem',
  element: 'CalendarItem',
  record: {
    Subject: 'Planning',
    Body: { BodyType: 'Text', text: 'Agenda' },
    Categories: ['Blue'],
    ReminderIsSet: true,
    ReminderMinutesBeforeStart: 15,
    ExtendedProperty: stamp,
    Start: '2026-03-02T09:00:00Z',
    End: '2026-03-02T10:00:00Z',
    IsAllDayEvent: false,
    LegacyFreeBusyStatus: 'Busy',
    Location: 'Room 2',
    RequiredAttendees: [{ Mailbox: { Name: 'Alfred', EmailAddress: 'alfred@contoso.com' } }],
    OptionalAttendees: [{ Mailbox: { EmailAddress: 'opt@contoso.com' } }],
    Resources: [{ Mailbox: { EmailAddress: 'room2@contoso.com' } }],
    Recurrence: {
      pattern: { kind: 'WeeklyRecurrence', Interval: 1, DaysOfWeek: 'Monday Wednesday', FirstDayOfWeek: 'Monday' },
      range: { kind: 'EndDateRecurrence', StartDate: '2026-03-02', EndDate: '2026-06-30' },
    },
    StartTimeZone: 'W. Europe Standard Time',
    EndTimeZone: 'W. Europe Standard Time',
  },
};

const recurrences: WireItem[] = (
  [
    [{ kind: 'DailyRecurrence', Interval: 2 }, { kind: 'NoEndRecurrence', StartDate: '2026-03-02' }],
    [{ kind: 'AbsoluteMonthlyRecurrence', Interval: 1, DayOfMonth: 15 }, { kind: 'NumberedRecurrence', StartDate: '2026-03-15', NumberOfOccurrences: 10 }],
    [{ kind: 'RelativeMonthlyRecurrence', Interval: 1, DaysOfWeek: 'Tuesday', DayOfWeekIndex: 'Second' }, { kind: 'NoEndRecurrence', StartDate: '2026-03-10' }],
    [{ kind: 'AbsoluteYearlyRecurrence', DayOfMonth: 1, Month: 'April' }, { kind: 'NoEndRecurrence', StartDate: '2026-04-01' }],
    [{ kind: 'RelativeYearlyRecurrence', DaysOfWeek: 'Friday', DayOfWeekIndex: 'Last', Month: 'November' }, { kind: 'NoEndRecurrence', StartDate: '2026-11-27' }],
  ] as const
).map(([pattern, range]) => ({ type: 'CalendarItem', element: 'CalendarItem', record: { Subject: pattern.kind, Start: '2026-03-02T09:00:00Z', End: '2026-03-02T10:00:00Z', Recurrence: { pattern, range } } }));

export const fullContact: WireItem = {
  type: 'Contact',
  element: 'Contact',
  record: {
    Body: { BodyType: 'Text', text: 'Met at the fair' },
    Categories: ['Customer'],
    ExtendedProperty: stamp,
    FileAs: 'Plate, Tanja',
    DisplayName: 'Tanja Plate',
    GivenName: 'Tanja',
    MiddleName: 'M',
    CompanyName: 'Northwind Traders',
    EmailAddresses: { EmailAddress1: 'tplate@example.com', EmailAddress2: 't@example.org' },
    PhysicalAddresses: { Business: { Street: '12345 67th Ave', City: 'Whittier', State: 'CA', CountryOrRegion: 'USA', PostalCode: '90601' } },
    PhoneNumbers: { BusinessPhone: '5625550199', MobilePhone: '5625550100' },
    JobTitle: 'Project Manager',
    Surname: 'Plate',
  },
};

export const fullTask: WireItem = {
  type: 'Task',
  element: 'Task',
  record: {
    Subject: 'Call back',
    Body: { BodyType: 'Text', text: 'About the quote' },
    Categories: ['Follow-up'],
    Importance: 'Low',
    ExtendedProperty: stamp,
    CompleteDate: '2026-03-05T00:00:00Z',
    DueDate: '2026-03-04T00:00:00Z',
    PercentComplete: 50,
    StartDate: '2026-03-01T00:00:00Z',
    Status: 'InProgress',
  },
};

const allMessageFieldsShape = { baseShape: 'IdOnly' as const, fields: messageFields, extended: [stampOrgIdProperty, stampActivityIdProperty], bodyType: 'Best' as const };
const id = { Id: 'AAMkADE4=', ChangeKey: 'CQAAABYA' };

export const ewsOperationSamples: OperationSample[] = [
  { operation: 'FindFolder', label: 'by-name', body: () => FindFolder.build({ parent: { distinguished: 'msgfolderroot' }, displayName: 'Undeliverable', maxEntries: 10 }) },
  { operation: 'FindFolder', label: 'deep', body: () => FindFolder.build({ parent: { Id: 'AQApA=' }, traversal: 'Deep' }) },
  { operation: 'GetFolder', label: 'well-known', body: () => GetFolder.build({ folders: [{ distinguished: 'inbox' }, { distinguished: 'sentitems' }, { Id: 'AQApA=', ChangeKey: 'AQAAAA==' }] }) },
  { operation: 'CreateFolder', label: 'undeliverable', body: () => CreateFolder.build({ parent: { distinguished: 'msgfolderroot' }, folders: [{ DisplayName: 'Undeliverable', FolderClass: 'IPF.Note' }] }) },
  { operation: 'SyncFolderHierarchy', label: 'initial', body: () => SyncFolderHierarchy.build({}) },
  { operation: 'SyncFolderHierarchy', label: 'resume', body: () => SyncFolderHierarchy.build({ folder: { distinguished: 'msgfolderroot' }, syncState: 'H4sIAAA==' }) },
  { operation: 'SyncFolderItems', label: 'initial', body: () => SyncFolderItems.build({ folder: { distinguished: 'inbox' }, maxChangesReturned: 512, shape: { baseShape: 'IdOnly' } }) },
  {
    operation: 'SyncFolderItems',
    label: 'resume-with-ignore',
    body: () => SyncFolderItems.build({ folder: { Id: 'AQApA=' }, syncState: 'H4sIAAAAA=', maxChangesReturned: 100, shape: allMessageFieldsShape, ignore: [id] }),
  },
  { operation: 'FindItem', label: 'by-message-id', body: () => FindItem.build({ parents: [{ distinguished: 'sentitems' }], shape: { baseShape: 'IdOnly' }, isEqualTo: { path: { FieldURI: 'message:InternetMessageId' }, value: '<a@b>' }, maxEntries: 10 }) },
  {
    operation: 'FindItem',
    label: 'calendar-view',
    body: () => FindItem.build({
      parents: [{ distinguished: 'calendar' }],
      shape: { baseShape: 'IdOnly', fields: ['Subject', 'Start', 'End', 'LegacyFreeBusyStatus', 'IsCancelled'].map((n) => calendarItemFieldIndex.get(n)!) },
      calendarView: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-08T00:00:00.000Z', maxEntries: 200 },
    }),
  },
  { operation: 'FindItem', label: 'by-extended', body: () => FindItem.build({ parents: [{ distinguished: 'drafts' }], shape: { baseShape: 'IdOnly' }, isEqualTo: { path: { extended: stampActivityIdProperty }, value: 'act-1' } }) },
  { operation: 'GetItem', label: 'all-message-fields', body: () => GetItem.build({ ids: [id, { Id: 'AAMkADE5=' }], shape: allMessageFieldsShape }) },
  { operation: 'GetItem', label: 'mime', body: () => GetItem.build({ ids: [id], shape: { baseShape: 'IdOnly', includeMimeContent: true } }) },
  { operation: 'GetItem', label: 'appointment', body: () => GetItem.build({ ids: [id], shape: { baseShape: 'IdOnly', fields: calendarItemFields, bodyType: 'Text' } }) },
  { operation: 'GetItem', label: 'contact', body: () => GetItem.build({ ids: [id], shape: { baseShape: 'IdOnly', fields: contactFields } }) },
  { operation: 'GetItem', label: 'task', body: () => GetItem.build({ ids: [id], shape: { baseShape: 'IdOnly', fields: taskFields } }) },
  { operation: 'GetAttachment', label: 'two', body: () => GetAttachment.build({ attachmentIds: ['AAMkAtt1=', 'AAMkAtt2='] }) },
  { operation: 'GetAttachment', label: 'item-as-mime', body: () => GetAttachment.build({ attachmentIds: ['AAMkAtt3='], includeMimeContent: true }) },
  { operation: 'CreateItem', label: 'message-save-only', body: () => CreateItem.build({ items: [fullMessage], messageDisposition: 'SaveOnly', savedItemFolder: { distinguished: 'drafts' } }) },
  { operation: 'CreateItem', label: 'message-send-and-save', body: () => CreateItem.build({ items: [fullMessage], messageDisposition: 'SendAndSaveCopy', savedItemFolder: { distinguished: 'sentitems' } }) },
  { operation: 'CreateItem', label: 'message-send-only', body: () => CreateItem.build({ items: [fullMessage], messageDisposition: 'SendOnly' }) },
  { operation: 'CreateItem', label: 'appointment', body: () => CreateItem.build({ items: [fullAppointment, ...recurrences], sendMeetingInvitations: 'SendToAllAndSaveCopy', savedItemFolder: { distinguished: 'calendar' } }) },
  { operation: 'CreateItem', label: 'contact', body: () => CreateItem.build({ items: [fullContact], savedItemFolder: { distinguished: 'contacts' } }) },
  { operation: 'CreateItem', label: 'task', body: () => CreateItem.build({ items: [fullTask], savedItemFolder: { distinguished: 'tasks' } }) },
  {
    operation: 'UpdateItem',
    label: 'message',
    body: () =>
      UpdateItem.build({
        conflictResolution: 'NeverOverwrite',
        messageDisposition: 'SaveOnly',
        changes: [
          {
            itemId: id,
            updates: [
              setField('Message', fieldNamed(messageFields, 'Categories'), ['Tracked']),
              appendField('Message', fieldNamed(messageFields, 'ToRecipients'), [{ EmailAddress: 'more@contoso.com' }]),
              deleteField(fieldNamed(messageFields, 'ReplyTo')),
              setExtended('Message', { uri: stampOrgIdProperty, value: 'org-1' }),
              { op: 'DeleteItemField', path: { extended: stampActivityIdProperty } },
            ],
          },
        ],
      }),
  },
  {
    operation: 'UpdateItem',
    label: 'appointment',
    body: () =>
      UpdateItem.build({
        conflictResolution: 'AlwaysOverwrite',
        sendMeetingInvitationsOrCancellations: 'SendToChangedAndSaveCopy',
        changes: [{ itemId: id, updates: [setField('CalendarItem', fieldNamed(calendarItemFields, 'Location'), 'Room 3'), setField('CalendarItem', fieldNamed(calendarItemFields, 'Start'), '2026-03-02T10:00:00Z')] }],
      }),
  },
  {
    operation: 'UpdateItem',
    label: 'contact-indexed',
    body: () =>
      UpdateItem.build({
        conflictResolution: 'AutoResolve',
        changes: [
          {
            itemId: id,
            updates: [
              { op: 'SetItemField', path: { IndexedFieldURI: 'contacts:EmailAddress', FieldIndex: 'EmailAddress1' }, element: 'Contact', content: '<t:EmailAddresses><t:Entry Key="EmailAddress1">x@y.z</t:Entry></t:EmailAddresses>' },
              { op: 'DeleteItemField', path: { IndexedFieldURI: 'contacts:PhysicalAddress:City', FieldIndex: 'Home' } },
            ],
          },
        ],
      }),
  },
  {
    operation: 'DeleteItem',
    label: 'appointment',
    body: () => DeleteItem.build({ ids: [id], deleteType: 'MoveToDeletedItems', sendMeetingCancellations: 'SendToAllAndSaveCopy' }),
  },
  { operation: 'DeleteItem', label: 'task', body: () => DeleteItem.build({ ids: [id], deleteType: 'HardDelete', affectedTaskOccurrences: 'AllOccurrences' }) },
  { operation: 'MoveItem', label: 'to-folder', body: () => MoveItem.build({ ids: [id, { Id: 'AAMkADE5=' }], to: { Id: 'AQApA=' } }) },
  { operation: 'SendItem', label: 'save-to-sent', body: () => SendItem.build({ ids: [id], saveItemToFolder: true, savedItemFolder: { distinguished: 'sentitems' } }) },
  { operation: 'SendItem', label: 'no-copy', body: () => SendItem.build({ ids: [id], saveItemToFolder: false }) },
  { operation: 'ResolveNames', label: 'ad', body: () => ResolveNames.build({ unresolvedEntry: 'sadie', returnFullContactData: true, searchScope: 'ActiveDirectory' }) },
  { operation: 'ConvertId', label: 'entry-to-ews', body: () => ConvertId.build({ sourceIds: [{ Format: 'HexEntryId', Id: '00000000AB', Mailbox: 'sadie@contoso.com' }], destinationFormat: 'EwsId' }) },
  { operation: 'Subscribe', label: 'pull', body: () => Subscribe.build({ kind: 'pull', folders: [{ distinguished: 'inbox' }], eventTypes: ['NewMailEvent', 'CreatedEvent', 'MovedEvent'], watermark: 'AAAAAGUhAAAAAAAAAQ==', timeoutMinutes: 10 }) },
  { operation: 'Subscribe', label: 'push', body: () => Subscribe.build({ kind: 'push', folders: [{ distinguished: 'inbox' }], eventTypes: ['NewMailEvent'], statusFrequency: 1, url: 'https://dovetail.contoso.com/ews/push' }) },
  { operation: 'Subscribe', label: 'streaming', body: () => Subscribe.build({ kind: 'streaming', folders: [{ distinguished: 'inbox' }, { distinguished: 'calendar' }], eventTypes: ['NewMailEvent', 'ModifiedEvent', 'DeletedEvent'] }) },
  { operation: 'GetEvents', label: 'pull', body: () => GetEvents.build({ subscriptionId: 'f6bc657d-dde1-4f94-952d-143b95d6483d', watermark: 'AAAAAMAGAAAAAAAAAQ==' }) },
  { operation: 'GetStreamingEvents', label: 'two', body: () => GetStreamingEvents.build({ subscriptionIds: ['JgBjbz==', 'JgBjbw=='], connectionTimeoutMinutes: 30 }) },
  { operation: 'Unsubscribe', label: 'one', body: () => Unsubscribe.build({ subscriptionId: 'f6bc657d-dde1-4f94-952d-143b95d6483d' }) },
  { operation: 'GetUserConfiguration', label: 'dictionary', body: () => GetUserConfiguration.build({ name: 'Dovetail.OrgStamp', folder: { distinguished: 'root' }, properties: 'Dictionary' }) },
  {
    operation: 'CreateUserConfiguration',
    label: 'org-stamp',
    body: () => CreateUserConfiguration.build({ name: 'Dovetail.OrgStamp', folder: { distinguished: 'root' }, dictionary: { OrgId: { Type: 'String', Value: 'org-1' } } }),
  },
  {
    operation: 'UpdateUserConfiguration',
    label: 'org-stamp',
    body: () =>
      UpdateUserConfiguration.build({ name: 'Dovetail.OrgStamp', folder: { distinguished: 'inbox' }, dictionary: { OrgId: { Type: 'String', Value: 'org-2' }, StampedAt: { Type: 'DateTime', Value: '2026-03-01T00:00:00Z' } } }),
  },
];
