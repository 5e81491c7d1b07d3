/**
 * CRM rows (appointments, tasks, contacts with the ACT columns) <-> mapped fields. What the CRM
 * tables have no column for lives in `details`, so a round trip through the CRM returns exactly
 * the fields written: the base the planner compares against is what the CRM shows.
 */
import type { ActKind } from '../../exchange/driver.ts';
import type { ActivityParty, PartyType } from '../../domain/activity.ts';
import { normalizeExceptions } from './exchange-map.ts';
import type { Fields } from './fields.ts';
import type { FilterFacts } from './filters.ts';

export type Row = Record<string, unknown> & { id: string; updated_at: Date | string; details: Record<string, unknown> };

const taskStatusToExchange: Record<string, string> = { 'not-started': 'notStarted', 'in-progress': 'inProgress', waiting: 'waitingOnOthers', completed: 'completed', deferred: 'deferred' };
const taskStatusToCrm: Record<string, string> = Object.fromEntries(Object.entries(taskStatusToExchange).map(([k, v]) => [v, k]));

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const orNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function crmToFields(kind: ActKind, row: Row): Fields {
  const d = row.details ?? {};
  if (kind === 'appointment') {
    const parties = (Array.isArray(row['parties']) ? row['parties'] : []) as ActivityParty[];
    const role = (r: string) => [...new Set(parties.filter((p) => p.role === r).map((p) => p.address.toLowerCase()))].sort();
    return {
      subject: String(row['subject'] ?? ''),
      body: String(row['body'] ?? ''),
      location: String(row['location'] ?? ''),
      start: iso(row['start_at']),
      end: iso(row['end_at']),
      timeZone: typeof d['timeZone'] === 'string' ? d['timeZone'] : 'UTC',
      isAllDay: row['is_all_day'] === true,
      organizer: role('organizer')[0] ?? null,
      requiredAttendees: role('required'),
      optionalAttendees: role('optional'),
      showAs: typeof d['showAs'] === 'string' ? d['showAs'] : 'busy',
      cancelled: row['status'] === 'canceled',
      reminderMinutes: typeof d['reminderMinutes'] === 'number' ? d['reminderMinutes'] : null,
      recurrence: d['recurrence'] ?? null,
      exceptions: d['recurrence'] == null ? null : normalizeExceptions(d['exceptions']),
    };
  }
  if (kind === 'task') {
    return {
      subject: String(row['subject'] ?? ''),
      body: String(row['body'] ?? ''),
      dueDate: row['due_at'] === null || row['due_at'] === undefined ? null : iso(row['due_at']).slice(0, 10),
      status: taskStatusToExchange[String(row['status'])] ?? 'notStarted',
      importance: String(row['priority'] ?? 'normal'),
      percentComplete: row['status'] === 'completed' ? 100 : Number(row['percent_complete'] ?? 0),
    };
  }
  const phone = orNull(row['phone']);
  const stored = list(d['businessPhones']);
  return {
    givenName: orNull(row['first_name']),
    middleName: orNull(d['middleName']),
    surname: orNull(row['last_name']),
    displayName: orNull(row['full_name']),
    emails: list(row['email_addresses']).slice(0, 3),
    // The phone column is the first business phone; others may have changed it without details.
    businessPhones: phone === null ? [] : stored[0] === phone ? stored : [phone, ...stored.slice(1)],
    homePhones: list(d['homePhones']),
    mobilePhone: orNull(d['mobilePhone']),
    businessAddress: (d['businessAddress'] as Fields | undefined) ?? null,
    homeAddress: (d['homeAddress'] as Fields | undefined) ?? null,
    otherAddress: (d['otherAddress'] as Fields | undefined) ?? null,
    companyName: orNull(d['companyName']),
    jobTitle: orNull(row['job_title']),
  };
}

export type PartyLookup = (address: string) => Promise<{ type: PartyType; id: string } | null>;

/** The columns to write for `fields`, over the row as it is (null for a new record). */
export async function fieldsToCrm(kind: ActKind, fields: Fields, row: Row | null, resolve: PartyLookup): Promise<Record<string, unknown>> {
  const details: Record<string, unknown> = { ...(row?.details ?? {}) };
  if (kind === 'appointment') {
    const parties: ActivityParty[] = [];
    const add = async (address: unknown, role: ActivityParty['role']) => {
      if (typeof address !== 'string' || address === '') return;
      const found = await resolve(address);
      parties.push({ role, address, name: null, partyType: found?.type ?? null, partyId: found?.id ?? null });
    };
    await add(fields['organizer'], 'organizer');
    for (const a of list(fields['requiredAttendees'])) await add(a, 'required');
    for (const a of list(fields['optionalAttendees'])) await add(a, 'optional');
    details['timeZone'] = fields['timeZone'] ?? 'UTC';
    details['showAs'] = fields['showAs'] ?? 'busy';
    details['reminderMinutes'] = fields['reminderMinutes'] ?? null;
    details['recurrence'] = fields['recurrence'] ?? null;
    details['exceptions'] = fields['recurrence'] == null ? null : normalizeExceptions(fields['exceptions']);
    const was = String(row?.['status'] ?? 'scheduled');
    return {
      subject: String(fields['subject'] ?? ''),
      body: String(fields['body'] ?? ''),
      location: String(fields['location'] ?? ''),
      start_at: String(fields['start']),
      end_at: String(fields['end']),
      is_all_day: fields['isAllDay'] === true,
      status: fields['cancelled'] === true ? 'canceled' : was === 'canceled' ? 'scheduled' : was,
      parties: JSON.stringify(parties),
      details: JSON.stringify(details),
    };
  }
  if (kind === 'task') {
    const status = taskStatusToCrm[String(fields['status'])] ?? 'not-started';
    return {
      subject: String(fields['subject'] ?? ''),
      body: String(fields['body'] ?? ''),
      due_at: typeof fields['dueDate'] === 'string' ? `${fields['dueDate']}T00:00:00.000Z` : null,
      status,
      priority: String(fields['importance'] ?? 'normal'),
      percent_complete: status === 'completed' ? 100 : Number(fields['percentComplete'] ?? 0),
      details: JSON.stringify(details),
    };
  }
  for (const f of ['middleName', 'mobilePhone', 'companyName'] as const) details[f] = fields[f] ?? null;
  details['businessPhones'] = list(fields['businessPhones']);
  details['homePhones'] = list(fields['homePhones']);
  for (const f of ['businessAddress', 'homeAddress', 'otherAddress'] as const) details[f] = fields[f] ?? null;
  const given = orNull(fields['givenName']) ?? '';
  const sur = orNull(fields['surname']) ?? '';
  return {
    first_name: given,
    last_name: sur,
    full_name: orNull(fields['displayName']) ?? '',
    email_addresses: JSON.stringify(list(fields['emails']).slice(0, 3)),
    job_title: orNull(fields['jobTitle']) ?? '',
    phone: list(fields['businessPhones'])[0] ?? '',
    details: JSON.stringify(details),
  };
}

export function filterFacts(kind: ActKind, row: Row): FilterFacts {
  const parties = (Array.isArray(row['parties']) ? row['parties'] : []) as ActivityParty[];
  return {
    ownerId: (row['owner_user_id'] as string | null) ?? null,
    partyAddresses: parties.map((p) => p.address.toLowerCase()),
    status: kind === 'contact' ? null : String(row['status'] ?? ''),
    activityType: kind === 'task' ? String(row['activity_type'] ?? 'task') : null,
  };
}
