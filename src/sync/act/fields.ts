/**
 * The mapped fields of appointments, contacts and tasks: the common shape both the CRM side and
 * the Exchange side are turned into before planning. A field's value is plain JSON, so two values
 * compare by their stable JSON text and a record has a content hash.
 * Each field has a sync direction; the defaults are two-way except what only one side owns (the
 * organizer of a meeting is Exchange's to say).
 */
import { createHash } from 'node:crypto';
import type { ActKind } from '../../exchange/driver.ts';

export type Fields = Record<string, unknown>;

export const DIRECTIONS = ['two-way', 'crm-to-exchange', 'exchange-to-crm', 'none'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const FIELD_NAMES: { readonly [K in ActKind]: readonly string[] } = {
  appointment: ['subject', 'body', 'location', 'start', 'end', 'timeZone', 'isAllDay', 'organizer', 'requiredAttendees', 'optionalAttendees', 'showAs', 'cancelled', 'reminderMinutes', 'recurrence', 'exceptions'],
  contact: ['givenName', 'middleName', 'surname', 'displayName', 'emails', 'businessPhones', 'homePhones', 'mobilePhone', 'businessAddress', 'homeAddress', 'otherAddress', 'companyName', 'jobTitle'],
  task: ['subject', 'body', 'dueDate', 'status', 'importance', 'percentComplete'],
};

/** Fields attendees care about: a change to one of them is worth a meeting update. */
export const ATTENDEE_FIELDS: readonly string[] = ['subject', 'location', 'start', 'end', 'timeZone', 'isAllDay', 'requiredAttendees', 'optionalAttendees', 'recurrence', 'exceptions', 'cancelled'];

export const CONFLICT_POLICIES = ['newest', 'crm-wins', 'exchange-wins', 'flag'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export const ADDRESS_MODES = ['mailing', 'all'] as const;
/** Contacts: sync only the mailing (business) address, or all three. */
export type AddressMode = (typeof ADDRESS_MODES)[number];

export type ActPolicy = {
  conflict: ConflictPolicy;
  /** Per kind, the fields whose direction differs from the default. */
  directions: { [K in ActKind]?: Record<string, Direction> };
  contactAddresses: AddressMode;
  /** The safety valve trips when a cycle would delete more than `fraction` of at least `minItems` linked items. */
  valve: { minItems: number; fraction: number };
};

export function defaultActPolicy(): ActPolicy {
  return { conflict: 'newest', directions: {}, contactAddresses: 'mailing', valve: { minItems: 5, fraction: 0.5 } };
}

const defaultDirection: { [K in ActKind]: Record<string, Direction> } = {
  appointment: { organizer: 'exchange-to-crm' },
  contact: {},
  task: {},
};

/** The direction of every field of a kind under a policy; addresses the setting leaves out are 'none', so neither side loses them. */
export function effectiveDirections(kind: ActKind, policy: ActPolicy): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  for (const f of FIELD_NAMES[kind]) out[f] = policy.directions[kind]?.[f] ?? defaultDirection[kind][f] ?? 'two-way';
  if (kind === 'contact' && policy.contactAddresses === 'mailing') {
    out['homeAddress'] = 'none';
    out['otherAddress'] = 'none';
  }
  return out;
}

export function writesExchange(d: Direction): boolean {
  return d === 'two-way' || d === 'crm-to-exchange';
}

export function writesCrm(d: Direction): boolean {
  return d === 'two-way' || d === 'exchange-to-crm';
}

/** JSON with object keys sorted, so equal values have equal text. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** Empty strings, empty lists and null all mean "nothing there". */
export function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

export function contentHash(kind: ActKind, fields: Fields): string {
  const picked: Fields = {};
  for (const f of FIELD_NAMES[kind]) picked[f] = fields[f] ?? null;
  return createHash('sha256').update(stableJson(picked)).digest('hex');
}
