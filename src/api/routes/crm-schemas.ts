/** TypeBox schemas of the CRM side of the API: customer records, email activities, appointments, tasks. */
import { Type } from 'typebox';
import { APPOINTMENT_STATUSES, EMAIL_STATUSES, PARTY_ROLES, PARTY_TYPES, PRIORITIES, REGARDING_TYPES, TASK_STATUSES } from '../../domain/activity.ts';
import { LEAD_STATUSES } from '../../domain/party.ts';
import { Nullable, Timestamp } from '../schemas/common.ts';

const literalUnion = <T extends string>(values: ReadonlyArray<T>) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

export const EmailQuery = Type.Object({ email: Type.Optional(Type.String({ description: 'Find records holding this address' })) });

export const Contact = Type.Object({
  id: Type.String(), firstName: Type.String(), lastName: Type.String(), fullName: Type.String(), emailAddresses: Type.Array(Type.String()),
  accountId: Nullable(Type.String()), jobTitle: Type.String(), phone: Type.String(), createdAt: Timestamp, updatedAt: Timestamp,
});
const contactFields = {
  firstName: Type.Optional(Type.String()), emailAddresses: Type.Optional(Type.Array(Type.String(), { maxItems: 3 })),
  accountId: Type.Optional(Nullable(Type.String())), jobTitle: Type.Optional(Type.String()), phone: Type.Optional(Type.String()),
};
export const ContactCreate = Type.Object({ lastName: Type.String(), ...contactFields }, { additionalProperties: false });
export const ContactPatch = Type.Object({ lastName: Type.Optional(Type.String()), ...contactFields }, { additionalProperties: false });

export const Account = Type.Object({ id: Type.String(), name: Type.String(), emailAddress: Nullable(Type.String()), website: Type.String(), createdAt: Timestamp, updatedAt: Timestamp });
export const AccountCreate = Type.Object({ name: Type.String(), emailAddress: Type.Optional(Nullable(Type.String())), website: Type.Optional(Type.String()) }, { additionalProperties: false });
export const AccountPatch = Type.Object({ name: Type.Optional(Type.String()), emailAddress: Type.Optional(Nullable(Type.String())), website: Type.Optional(Type.String()) }, { additionalProperties: false });

export const Lead = Type.Object({
  id: Type.String(), fullName: Type.String(), companyName: Type.String(), emailAddress: Nullable(Type.String()), status: literalUnion(LEAD_STATUSES), createdAt: Timestamp, updatedAt: Timestamp,
});
const leadFields = { companyName: Type.Optional(Type.String()), emailAddress: Type.Optional(Nullable(Type.String())), status: Type.Optional(literalUnion(LEAD_STATUSES)) };
export const LeadCreate = Type.Object({ fullName: Type.String(), ...leadFields }, { additionalProperties: false });
export const LeadPatch = Type.Object({ fullName: Type.Optional(Type.String()), ...leadFields }, { additionalProperties: false });

export const Regarding = Nullable(Type.Object({ type: literalUnion(REGARDING_TYPES), id: Type.String() }));
export const Party = Type.Object({ role: literalUnion(PARTY_ROLES), address: Type.String(), name: Nullable(Type.String()), partyType: Nullable(literalUnion(PARTY_TYPES)), partyId: Nullable(Type.String()) });

export const Email = Type.Object({
  id: Type.String(), mailboxId: Nullable(Type.String()), direction: literalUnion(['incoming', 'outgoing']), status: literalUnion(EMAIL_STATUSES),
  subject: Type.String(), bodyType: literalUnion(['html', 'text']), body: Type.String(), parties: Type.Array(Party), regarding: Regarding,
  messageId: Nullable(Type.String()), inReplyTo: Nullable(Type.String()), conversationId: Nullable(Type.String()), conversationIndex: Nullable(Type.String()),
  trackingToken: Nullable(Type.String()), exchangeItemId: Nullable(Type.String()),
  attachments: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), contentType: Type.String(), size: Type.Integer(), isInline: Type.Boolean(), contentId: Nullable(Type.String()) })),
  sentAt: Nullable(Timestamp), receivedAt: Nullable(Timestamp), lastError: Nullable(Type.String()),
  sendAttempts: Type.Integer(), nextAttemptAt: Nullable(Timestamp), correlationMethod: Nullable(Type.String()),
  omittedAttachments: Type.Array(
    Type.Object({ name: Type.String(), contentType: Type.String(), size: Type.Integer(), reason: Type.Literal('over-size-limit'), limitBytes: Type.Integer() }),
    { description: "Attachments of an incoming email that were not stored (over the org's maxAttachmentSizeKb)" },
  ),
  createdAt: Timestamp, updatedAt: Timestamp,
});

export const EmailListQuery = Type.Object({
  mailboxId: Type.Optional(Type.String()),
  party: Type.Optional(Type.String({ description: 'An address, or the id of a user, queue, contact, account or lead' })),
  regardingId: Type.Optional(Type.String()),
  direction: Type.Optional(literalUnion(['incoming', 'outgoing'])),
  status: Type.Optional(literalUnion(EMAIL_STATUSES)),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});

const Recipient = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) }, { additionalProperties: false });
export const DraftCreate = Type.Object(
  {
    mailboxId: Type.String({ description: 'The user or queue mailbox the email is sent through' }),
    to: Type.Array(Recipient), cc: Type.Optional(Type.Array(Recipient)), bcc: Type.Optional(Type.Array(Recipient)),
    subject: Type.String(), body: Type.String(), bodyType: Type.Optional(literalUnion(['html', 'text'])),
    regarding: Type.Optional(Regarding), inReplyTo: Type.Optional(Nullable(Type.String())),
    attachments: Type.Optional(Type.Array(Type.Object({
      name: Type.String(), contentType: Type.String(), contentBase64: Type.String(), isInline: Type.Optional(Type.Boolean()), contentId: Type.Optional(Type.String()),
    }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

export const MailboxQuery = Type.Object({ mailboxId: Type.Optional(Type.String()) });

const DAYS_OF_WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A date, YYYY-MM-DD' });

export const Recurrence = Type.Object(
  {
    pattern: Type.Object(
      {
        type: literalUnion(['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly']),
        interval: Type.Integer({ minimum: 1, maximum: 999, description: 'Every n days, weeks, months or years' }),
        daysOfWeek: Type.Optional(Type.Array(literalUnion(DAYS_OF_WEEK), { minItems: 1, maxItems: 7, uniqueItems: true, description: 'weekly, relativeMonthly, relativeYearly' })),
        firstDayOfWeek: Type.Optional(literalUnion(DAYS_OF_WEEK)),
        dayOfMonth: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'absoluteMonthly, absoluteYearly' })),
        month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'absoluteYearly, relativeYearly' })),
        index: Type.Optional(literalUnion(['first', 'second', 'third', 'fourth', 'last'])),
      },
      { additionalProperties: false },
    ),
    range: Type.Object(
      {
        type: literalUnion(['noEnd', 'endDate', 'numbered']),
        startDate: DateOnly,
        endDate: Type.Optional(DateOnly),
        numberOfOccurrences: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
      },
      { additionalProperties: false },
    ),
    timeZone: Type.String({ description: 'IANA time zone the pattern is expressed in' }),
  },
  { additionalProperties: false, description: 'How the appointment repeats, as Exchange expresses it' },
);

export const OccurrenceException = Type.Object(
  {
    date: Type.Unsafe<string>({ ...DateOnly, description: "The occurrence's original date in the series' time zone" }),
    deleted: Type.Boolean({ description: 'true: this occurrence is cancelled; false: it is changed as given' }),
    subject: Type.Optional(Type.String()),
    location: Type.Optional(Type.String()),
    start: Type.Optional(Timestamp),
    end: Type.Optional(Timestamp),
  },
  { additionalProperties: false, description: 'One changed or cancelled occurrence of a recurring appointment' },
);

const appointmentSync = {
  ownerUserId: Nullable(Type.String({ description: 'The user whose mailbox the appointment is synchronized with' })),
  timeZone: Type.String({ description: 'IANA time zone the appointment was entered in' }),
  showAs: literalUnion(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']),
  reminderMinutes: Nullable(Type.Integer({ minimum: 0, maximum: 40_320, description: 'Minutes before the start; null: no reminder' })),
  recurrence: Nullable(Recurrence),
  exceptions: Type.Array(OccurrenceException, { maxItems: 999, description: 'Changed and cancelled occurrences of a recurring appointment' }),
};

export const Appointment = Type.Object({
  id: Type.String(), mailboxId: Nullable(Type.String()), subject: Type.String(), body: Type.String({ description: 'The details of the appointment' }), location: Type.String(),
  startAt: Timestamp, endAt: Timestamp, isAllDay: Type.Boolean(), status: literalUnion(APPOINTMENT_STATUSES), parties: Type.Array(Party), regarding: Regarding,
  ...appointmentSync,
  createdAt: Timestamp, updatedAt: Timestamp,
});
const appointmentFields = {
  mailboxId: Type.Optional(Nullable(Type.String())), body: Type.Optional(Type.String()), location: Type.Optional(Type.String()),
  isAllDay: Type.Optional(Type.Boolean()), status: Type.Optional(literalUnion(APPOINTMENT_STATUSES)), parties: Type.Optional(Type.Array(Party)), regarding: Type.Optional(Regarding),
  ownerUserId: Type.Optional(appointmentSync.ownerUserId), timeZone: Type.Optional(appointmentSync.timeZone), showAs: Type.Optional(appointmentSync.showAs),
  reminderMinutes: Type.Optional(appointmentSync.reminderMinutes), recurrence: Type.Optional(appointmentSync.recurrence), exceptions: Type.Optional(appointmentSync.exceptions),
};
export const AppointmentCreate = Type.Object({ subject: Type.String(), startAt: Timestamp, endAt: Timestamp, ...appointmentFields }, { additionalProperties: false });
export const AppointmentPatch = Type.Object({ subject: Type.Optional(Type.String()), startAt: Type.Optional(Timestamp), endAt: Type.Optional(Timestamp), ...appointmentFields }, { additionalProperties: false });

const ActivityType = literalUnion(['task', 'phonecall', 'letter', 'fax']);
const taskSync = {
  ownerUserId: Nullable(Type.String({ description: 'The user whose mailbox the task is synchronized with' })),
  activityType: Type.Unsafe<'task' | 'phonecall' | 'letter' | 'fax'>({ ...ActivityType, description: 'A task, or a phone call, letter or fax synchronized as an Exchange task' }),
};

export const Task = Type.Object({
  id: Type.String(), mailboxId: Nullable(Type.String()), subject: Type.String(), body: Type.String(), dueAt: Nullable(Timestamp), status: literalUnion(TASK_STATUSES),
  priority: literalUnion(PRIORITIES), percentComplete: Type.Integer(), regarding: Regarding, ...taskSync, createdAt: Timestamp, updatedAt: Timestamp,
});
const taskFields = {
  mailboxId: Type.Optional(Nullable(Type.String())), body: Type.Optional(Type.String()), dueAt: Type.Optional(Nullable(Timestamp)), status: Type.Optional(literalUnion(TASK_STATUSES)),
  priority: Type.Optional(literalUnion(PRIORITIES)), percentComplete: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })), regarding: Type.Optional(Regarding),
  ownerUserId: Type.Optional(taskSync.ownerUserId), activityType: Type.Optional(taskSync.activityType),
};
export const TaskCreate = Type.Object({ subject: Type.String(), ...taskFields }, { additionalProperties: false });
export const TaskPatch = Type.Object({ subject: Type.Optional(Type.String()), ...taskFields }, { additionalProperties: false });
