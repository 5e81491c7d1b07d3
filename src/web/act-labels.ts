/**
 * The words the admin center uses for appointments, contacts and tasks (ACT): kinds, mapped fields
 * and their default directions (as docs/act.md describes them), conflict policies, and where a
 * mapped field is found in the CRM record the API returns, to show the CRM side of a conflict.
 */
import type { ActKind, ActPolicy, Direction } from './types.ts';

export const KINDS: ReadonlyArray<ActKind> = ['appointment', 'contact', 'task'];
export const KIND_LABEL: Record<ActKind, { one: string; many: string }> = {
  appointment: { one: 'Appointment', many: 'Appointments' },
  contact: { one: 'Contact', many: 'Contacts' },
  task: { one: 'Task', many: 'Tasks' },
};
/** The CRM API of each kind, to read the CRM side of a conflict. */
export const KIND_PATH: Record<ActKind, string> = { appointment: '/api/appointments', contact: '/api/contacts', task: '/api/tasks' };

/** Every mapped field per kind, in the order the engine maps them, with its label. */
export const FIELDS: Record<ActKind, ReadonlyArray<[string, string]>> = {
  appointment: [
    ['subject', 'Subject'], ['body', 'Details'], ['location', 'Location'], ['start', 'Start'], ['end', 'End'], ['timeZone', 'Time zone'],
    ['isAllDay', 'All day'], ['organizer', 'Organizer'], ['requiredAttendees', 'Required attendees'], ['optionalAttendees', 'Optional attendees'],
    ['showAs', 'Show as'], ['cancelled', 'Cancelled'], ['reminderMinutes', 'Reminder'], ['recurrence', 'Recurrence'], ['exceptions', 'Changed or cancelled occurrences'],
  ],
  contact: [
    ['givenName', 'First name'], ['middleName', 'Middle name'], ['surname', 'Last name'], ['displayName', 'Display name'], ['emails', 'Email addresses'],
    ['businessPhones', 'Business phones'], ['homePhones', 'Home phones'], ['mobilePhone', 'Mobile phone'], ['businessAddress', 'Business (mailing) address'],
    ['homeAddress', 'Home address'], ['otherAddress', 'Other address'], ['companyName', 'Company'], ['jobTitle', 'Job title'],
  ],
  task: [['subject', 'Subject'], ['body', 'Description'], ['dueDate', 'Due date'], ['status', 'Status'], ['importance', 'Priority'], ['percentComplete', '% complete']],
};

export function fieldLabel(kind: ActKind, field: string): string {
  return FIELDS[kind].find(([f]) => f === field)?.[1] ?? field;
}

/** Defaults are two-way, except an appointment's organizer, which Exchange decides. */
export function defaultDirection(kind: ActKind, field: string): Direction {
  return kind === 'appointment' && field === 'organizer' ? 'exchange-to-crm' : 'two-way';
}

export function directionOf(policy: ActPolicy, kind: ActKind, field: string): Direction {
  return policy.directions[kind]?.[field] ?? defaultDirection(kind, field);
}

export const DIRECTION_LABEL: Record<Direction, string> = {
  'two-way': 'Both ways',
  'crm-to-exchange': 'CRM to Exchange only',
  'exchange-to-crm': 'Exchange to CRM only',
  none: 'Not synchronized',
};

export const CONFLICT_LABEL: Record<ActPolicy['conflict'], [string, string]> = {
  newest: ['The newest change wins', 'The side changed last wins each field changed on both sides.'],
  'crm-wins': ['The CRM wins', 'The CRM value wins a field changed on both sides.'],
  'exchange-wins': ['Exchange wins', 'The Exchange value wins a field changed on both sides.'],
  flag: ['Ask the user', 'Nothing is written: the item is listed under conflicts on its mailbox and the user chooses the side to keep.'],
};

/** The marks the engine puts first in a conflict's fields when one side deleted the item. */
export const DELETED_IN_EXCHANGE = '(deleted in Exchange)';
export const DELETED_IN_CRM = '(deleted in the CRM)';

/** Where the CRM record (as GET /api/appointments|contacts|tasks/{id} returns it) holds a mapped field; undefined when the API does not show it. */
export function crmValue(kind: ActKind, field: string, r: Record<string, unknown>): unknown {
  const parties = (role: string) => (Array.isArray(r['parties']) ? (r['parties'] as Array<{ role?: string; address?: string; name?: string | null }>) : [])
    .filter((p) => p.role === role).map((p) => (p.name ? `${p.name} <${p.address}>` : p.address));
  const map: Record<ActKind, Record<string, () => unknown>> = {
    appointment: {
      subject: () => r['subject'], body: () => r['body'], location: () => r['location'], start: () => r['startAt'], end: () => r['endAt'], timeZone: () => r['timeZone'],
      isAllDay: () => r['isAllDay'], organizer: () => parties('organizer')[0] ?? null, requiredAttendees: () => parties('required'), optionalAttendees: () => parties('optional'),
      showAs: () => r['showAs'], cancelled: () => r['status'] === 'canceled', reminderMinutes: () => r['reminderMinutes'], recurrence: () => r['recurrence'], exceptions: () => r['exceptions'],
    },
    contact: {
      givenName: () => r['firstName'], surname: () => r['lastName'], displayName: () => r['fullName'], emails: () => r['emailAddresses'], jobTitle: () => r['jobTitle'],
    },
    task: {
      subject: () => r['subject'], body: () => r['body'], dueDate: () => r['dueAt'], status: () => r['status'], importance: () => r['priority'], percentComplete: () => r['percentComplete'],
    },
  };
  return map[kind][field]?.();
}

/** A record's name for people: subject, or a contact's full name. */
export function recordTitle(r: Record<string, unknown> | null, fallback: string): string {
  const t = r?.['subject'] ?? r?.['fullName'];
  return typeof t === 'string' && t !== '' ? t : fallback;
}
