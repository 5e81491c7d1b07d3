/**
 * What appointments and tasks hold for synchronization with Exchange beyond their core columns:
 * the owning user (whose mailbox they go to), an appointment's time zone, free/busy, reminder,
 * recurrence and the series' changed and cancelled occurrences, and a task's activity type (task,
 * phone call, letter, fax). They live in the owner_user_id, details and activity_type columns the
 * ACT migration added; this module reads, checks and writes them for the use cases, and stamps
 * when each synchronized field changed (details.fieldChanges, see sync/act/field-times.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Executor } from '../store/database.ts';
import { ValidationError } from '../errors.ts';
import type { ActDatabase } from '../sync/act/act-tables.ts';
import { normalizeExceptions, normalizeRecurrence, type ExceptionField } from '../sync/act/exchange-map.ts';
import { TASK_ACTIVITY_TYPES, type TaskActivityType } from '../sync/act/filters.ts';
import type { ActKind, Recurrence } from '../exchange/driver.ts';
import { crmToFields, type Row } from '../sync/act/crm-map.ts';
import { stampChanges, type FieldStamps } from '../sync/act/field-times.ts';

export const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] as const;
export type ShowAs = (typeof SHOW_AS)[number];

export type AppointmentSyncFields = {
  ownerUserId: string | null;
  timeZone: string;
  showAs: ShowAs;
  reminderMinutes: number | null;
  recurrence: Recurrence | null;
  exceptions: ExceptionField[];
};
export type TaskSyncFields = { ownerUserId: string | null; activityType: TaskActivityType };

type Issue = { field: string; rule: string; message: string };
const db = (e: Executor) => e as unknown as Kysely<ActDatabase> | Transaction<ActDatabase>;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkRecurrence(r: Recurrence, out: Issue[]): void {
  const p = r.pattern as Recurrence['pattern'] & { daysOfWeek?: string[]; dayOfMonth?: number; month?: number; index?: string };
  const needs = (ok: boolean, field: string, message: string) => {
    if (!ok) out.push({ field: `recurrence.${field}`, rule: 'required', message });
  };
  if (p.type === 'weekly' || p.type === 'relativeMonthly' || p.type === 'relativeYearly') needs(Array.isArray(p.daysOfWeek) && p.daysOfWeek.length > 0, 'pattern.daysOfWeek', `is required for a ${p.type} pattern`);
  if (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') needs(typeof p.dayOfMonth === 'number', 'pattern.dayOfMonth', `is required for a ${p.type} pattern`);
  if (p.type === 'absoluteYearly' || p.type === 'relativeYearly') needs(typeof p.month === 'number', 'pattern.month', `is required for a ${p.type} pattern`);
  if (p.type === 'relativeMonthly' || p.type === 'relativeYearly') needs(typeof p.index === 'string', 'pattern.index', `is required for a ${p.type} pattern`);
  const range = r.range as { type: string; startDate: string; endDate?: string; numberOfOccurrences?: number };
  if (range.type === 'endDate') needs(typeof range.endDate === 'string' && range.endDate >= range.startDate, 'range.endDate', 'is required for an endDate range and must not be before startDate');
  if (range.type === 'numbered') needs(typeof range.numberOfOccurrences === 'number' && range.numberOfOccurrences >= 1, 'range.numberOfOccurrences', 'is required for a numbered range');
  if (!isTimeZone(r.timeZone)) out.push({ field: 'recurrence.timeZone', rule: 'time-zone', message: 'must be an IANA time zone' });
}

/** Checks the sync fields of an appointment; throws a ValidationError listing every problem. */
export function validateAppointmentSync(f: AppointmentSyncFields, exceptionsGiven: unknown): void {
  const out: Issue[] = [];
  if (!isTimeZone(f.timeZone)) out.push({ field: 'timeZone', rule: 'time-zone', message: 'must be an IANA time zone, e.g. Europe/Paris' });
  if (f.recurrence !== null) checkRecurrence(f.recurrence, out);
  if (Array.isArray(exceptionsGiven) && exceptionsGiven.length > 0) {
    if (f.recurrence === null) out.push({ field: 'exceptions', rule: 'series-only', message: 'only a recurring appointment has exceptions' });
    else if ((normalizeExceptions(exceptionsGiven) ?? []).length !== exceptionsGiven.length) {
      out.push({ field: 'exceptions', rule: 'valid', message: 'each exception needs a distinct date, and a changed occurrence a start not after its end' });
    }
  }
  if (out.length > 0) throw new ValidationError(out);
}

export async function readAppointmentSync(e: Executor, ids: string[]): Promise<Map<string, AppointmentSyncFields>> {
  if (ids.length === 0) return new Map();
  const rows = await db(e).selectFrom('appointments').select(['id', 'owner_user_id', 'details']).where('id', 'in', ids).execute();
  return new Map(
    rows.map((r) => {
      const d = (r.details ?? {}) as Record<string, unknown>;
      const showAs = SHOW_AS.includes(d['showAs'] as ShowAs) ? (d['showAs'] as ShowAs) : 'busy';
      const recurrence = (d['recurrence'] as Recurrence | null | undefined) ?? null;
      return [
        r.id,
        {
          ownerUserId: r.owner_user_id,
          timeZone: typeof d['timeZone'] === 'string' ? d['timeZone'] : 'UTC',
          showAs,
          reminderMinutes: typeof d['reminderMinutes'] === 'number' ? d['reminderMinutes'] : null,
          recurrence,
          exceptions: recurrence === null ? [] : (normalizeExceptions(d['exceptions']) ?? []),
        },
      ] as const;
    }),
  );
}

/** Writes the sync fields, keeping what else `details` holds. */
export async function writeAppointmentSync(e: Executor, id: string, f: AppointmentSyncFields): Promise<void> {
  const row = await db(e).selectFrom('appointments').select('details').where('id', '=', id).executeTakeFirst();
  const recurrence = f.recurrence === null ? null : normalizeRecurrence(f.recurrence);
  const details = {
    ...((row?.details ?? {}) as Record<string, unknown>),
    timeZone: f.timeZone,
    showAs: f.showAs,
    reminderMinutes: f.reminderMinutes,
    recurrence,
    exceptions: recurrence === null ? null : normalizeExceptions(f.exceptions),
  };
  await db(e).updateTable('appointments').set({ owner_user_id: f.ownerUserId, details: JSON.stringify(details) }).where('id', '=', id).execute();
}

export async function readTaskSync(e: Executor, ids: string[]): Promise<Map<string, TaskSyncFields>> {
  if (ids.length === 0) return new Map();
  const rows = await db(e).selectFrom('tasks').select(['id', 'owner_user_id', 'activity_type']).where('id', 'in', ids).execute();
  return new Map(
    rows.map((r) => [r.id, { ownerUserId: r.owner_user_id, activityType: TASK_ACTIVITY_TYPES.includes(r.activity_type as TaskActivityType) ? (r.activity_type as TaskActivityType) : 'task' }] as const),
  );
}

export async function writeTaskSync(e: Executor, id: string, f: TaskSyncFields): Promise<void> {
  await db(e).updateTable('tasks').set({ owner_user_id: f.ownerUserId, activity_type: f.activityType }).where('id', '=', id).execute();
}

/** The owner must be a user; a missing one is named in the error. */
export async function checkOwner(e: Executor, ownerUserId: string | null): Promise<void> {
  if (ownerUserId === null) return;
  const found = /^[0-9a-f-]{36}$/i.test(ownerUserId) ? await db(e).selectFrom('users').select('id').where('id', '=', ownerUserId).executeTakeFirst() : undefined;
  if (found === undefined) throw new ValidationError([{ field: 'ownerUserId', rule: 'exists', message: `no user ${ownerUserId}` }]);
}

const tables = { appointment: 'appointments', task: 'tasks', contact: 'contacts' } as const;

/** The record as the ACT sync reads it (null when it does not exist), to stamp what a write changes. */
export async function syncRow(e: Executor, kind: ActKind, id: string): Promise<Row | null> {
  const row = await db(e).selectFrom(tables[kind] as 'tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return (row as unknown as Row | undefined) ?? null;
}

/**
 * Records when each field the sync maps changed in this write (`before` null: a new record), so a
 * conflict with Exchange is settled by the newest change of that field rather than of the record.
 */
export async function stampFieldChanges(e: Executor, kind: ActKind, id: string, before: Row | null): Promise<void> {
  const after = await syncRow(e, kind, id);
  if (after === null) return;
  const at = new Date(after.updated_at).getTime();
  const details = (after.details ?? {}) as Record<string, unknown>;
  const previous = (details['fieldChanges'] ?? {}) as FieldStamps;
  const stamps = stampChanges(kind, before === null ? null : crmToFields(kind, before), crmToFields(kind, after), at, previous);
  await db(e).updateTable(tables[kind] as 'tasks').set({ details: JSON.stringify({ ...details, fieldChanges: stamps }) }).where('id', '=', id).execute();
}
