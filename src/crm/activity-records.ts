/**
 * Appointments and tasks, created and changed by CRM apps through the API and CLI, for the
 * appointments/contacts/tasks pipeline to synchronize with Exchange.
 */
import type { Appointment, Task } from '../domain/activity.ts';
import { APPOINTMENT_STATUSES, PRIORITIES, TASK_STATUSES, REGARDING_TYPES } from '../domain/activity.ts';
import { ValidationError } from '../errors.ts';
import type { AppointmentInput, TaskInput } from '../store/repositories/activity-repository.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import { audited, type UseCaseContext } from '../use-cases/context.ts';
import { requireWriter } from './customer-records.ts';
import {
  checkOwner, readAppointmentSync, stampFieldChanges, syncRow, readTaskSync, validateAppointmentSync, writeAppointmentSync, writeTaskSync,
  type AppointmentSyncFields, type TaskSyncFields,
} from './act-columns.ts';

/** An appointment with what its synchronization with Exchange needs (owner, time zone, recurrence and its exceptions…). */
export type SyncedAppointment = Appointment & AppointmentSyncFields;
/** A task with its owner and activity type (a task, or a phone call, letter or fax synced as an Exchange task). */
export type SyncedTask = Task & TaskSyncFields;

type Issue = { field: string; rule: string; message: string };

function checkCommon(input: { subject: string; mailboxId: string | null; regarding: { type: string; id: string } | null }, out: Issue[]): void {
  if (typeof input.subject !== 'string' || input.subject.trim() === '') out.push({ field: 'subject', rule: 'required', message: 'is required' });
  else if (input.subject.length > 400) out.push({ field: 'subject', rule: 'max-length', message: 'must be at most 400 characters' });
  if (input.regarding !== null && !REGARDING_TYPES.includes(input.regarding.type as (typeof REGARDING_TYPES)[number])) {
    out.push({ field: 'regarding.type', rule: 'one-of', message: `must be one of ${REGARDING_TYPES.join(', ')}` });
  }
}

function validateAppointment(a: AppointmentInput): void {
  const out: Issue[] = [];
  checkCommon(a, out);
  const start = Date.parse(a.startAt);
  const end = Date.parse(a.endAt);
  if (Number.isNaN(start)) out.push({ field: 'startAt', rule: 'date-time', message: 'must be an ISO 8601 date-time' });
  if (Number.isNaN(end)) out.push({ field: 'endAt', rule: 'date-time', message: 'must be an ISO 8601 date-time' });
  if (!Number.isNaN(start) && !Number.isNaN(end) && end < start) out.push({ field: 'endAt', rule: 'after-start', message: 'must not be before startAt' });
  if (!APPOINTMENT_STATUSES.includes(a.status)) out.push({ field: 'status', rule: 'one-of', message: `must be one of ${APPOINTMENT_STATUSES.join(', ')}` });
  if (out.length > 0) throw new ValidationError(out);
}

function validateTask(t: TaskInput): void {
  const out: Issue[] = [];
  checkCommon(t, out);
  if (t.dueAt !== null && Number.isNaN(Date.parse(t.dueAt))) out.push({ field: 'dueAt', rule: 'date-time', message: 'must be an ISO 8601 date-time' });
  if (!TASK_STATUSES.includes(t.status)) out.push({ field: 'status', rule: 'one-of', message: `must be one of ${TASK_STATUSES.join(', ')}` });
  if (!PRIORITIES.includes(t.priority)) out.push({ field: 'priority', rule: 'one-of', message: `must be one of ${PRIORITIES.join(', ')}` });
  if (!Number.isInteger(t.percentComplete) || t.percentComplete < 0 || t.percentComplete > 100) out.push({ field: 'percentComplete', rule: 'range', message: 'must be between 0 and 100' });
  if (out.length > 0) throw new ValidationError(out);
}

export type AppointmentFields = Partial<AppointmentInput & AppointmentSyncFields> & Pick<AppointmentInput, 'subject' | 'startAt' | 'endAt'>;
export type TaskFields = Partial<TaskInput & TaskSyncFields> & Pick<TaskInput, 'subject'>;

function appointmentSync(f: Partial<AppointmentSyncFields>, base?: AppointmentSyncFields): AppointmentSyncFields {
  const recurrence = f.recurrence === undefined ? (base?.recurrence ?? null) : f.recurrence;
  return {
    ownerUserId: f.ownerUserId === undefined ? (base?.ownerUserId ?? null) : f.ownerUserId,
    timeZone: f.timeZone ?? base?.timeZone ?? 'UTC',
    showAs: f.showAs ?? base?.showAs ?? 'busy',
    reminderMinutes: f.reminderMinutes === undefined ? (base?.reminderMinutes ?? null) : f.reminderMinutes,
    recurrence,
    // A series given a new recurrence starts without exceptions, as in Exchange.
    exceptions: recurrence === null ? [] : (f.exceptions ?? (f.recurrence === undefined ? (base?.exceptions ?? []) : [])),
  };
}

function taskSync(f: Partial<TaskSyncFields>, base?: TaskSyncFields): TaskSyncFields {
  return { ownerUserId: f.ownerUserId === undefined ? (base?.ownerUserId ?? null) : f.ownerUserId, activityType: f.activityType ?? base?.activityType ?? 'task' };
}

const appointmentDefaults: AppointmentSyncFields = { ownerUserId: null, timeZone: 'UTC', showAs: 'busy', reminderMinutes: null, recurrence: null, exceptions: [] };
const taskDefaults: TaskSyncFields = { ownerUserId: null, activityType: 'task' };

function appointmentInput(f: Partial<AppointmentInput>, base?: Appointment): AppointmentInput {
  return {
    mailboxId: f.mailboxId === undefined ? (base?.mailboxId ?? null) : f.mailboxId,
    subject: f.subject ?? base?.subject ?? '',
    body: f.body ?? base?.body ?? '',
    location: f.location ?? base?.location ?? '',
    startAt: f.startAt ?? base?.startAt ?? '',
    endAt: f.endAt ?? base?.endAt ?? '',
    isAllDay: f.isAllDay ?? base?.isAllDay ?? false,
    status: f.status ?? base?.status ?? 'scheduled',
    parties: f.parties ?? base?.parties ?? [],
    regarding: f.regarding === undefined ? (base?.regarding ?? null) : f.regarding,
  };
}

function taskInput(f: Partial<TaskInput>, base?: Task): TaskInput {
  return {
    mailboxId: f.mailboxId === undefined ? (base?.mailboxId ?? null) : f.mailboxId,
    subject: f.subject ?? base?.subject ?? '',
    body: f.body ?? base?.body ?? '',
    dueAt: f.dueAt === undefined ? (base?.dueAt ?? null) : f.dueAt,
    status: f.status ?? base?.status ?? 'not-started',
    priority: f.priority ?? base?.priority ?? 'normal',
    percentComplete: f.percentComplete ?? base?.percentComplete ?? 0,
    regarding: f.regarding === undefined ? (base?.regarding ?? null) : f.regarding,
  };
}

export async function listAppointments(ctx: UseCaseContext, mailboxId?: string): Promise<SyncedAppointment[]> {
  const list = await ctx.store.activities.listAppointments(mailboxId);
  const sync = await readAppointmentSync(ctx.store.kysely, list.map((a) => a.id));
  return list.map((a) => ({ ...a, ...(sync.get(a.id) ?? appointmentDefaults) }));
}
export async function getAppointment(ctx: UseCaseContext, id: string): Promise<SyncedAppointment> {
  const a = await ctx.store.activities.getAppointment(id);
  if (a === undefined) throw notFound('appointment', id);
  return { ...a, ...((await readAppointmentSync(ctx.store.kysely, [id])).get(id) ?? appointmentDefaults) };
}
export async function createAppointment(ctx: UseCaseContext, fields: AppointmentFields): Promise<SyncedAppointment> {
  requireWriter(ctx);
  const input = appointmentInput(fields);
  validateAppointment(input);
  const sync = appointmentSync(fields);
  validateAppointmentSync(sync, fields.exceptions);
  const created = await audited<Appointment>(ctx, { action: 'appointment.create', entityType: 'appointment', entityId: (a) => a.id, changes: () => ({ subject: input.subject }) }, async (tx) => {
    await checkOwner(tx.db, sync.ownerUserId);
    const a = await tx.activities.createAppointment(input);
    await writeAppointmentSync(tx.db, a.id, sync);
    await stampFieldChanges(tx.db, 'appointment', a.id, null);
    return a;
  });
  return getAppointment(ctx, created.id);
}
export async function updateAppointment(ctx: UseCaseContext, id: string, patch: Partial<AppointmentInput & AppointmentSyncFields>): Promise<SyncedAppointment> {
  requireWriter(ctx);
  const current = await getAppointment(ctx, id);
  const input = appointmentInput(patch, current);
  validateAppointment(input);
  const sync = appointmentSync(patch, current);
  validateAppointmentSync(sync, patch.exceptions);
  await audited(ctx, { action: 'appointment.update', entityType: 'appointment', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    await checkOwner(tx.db, sync.ownerUserId);
    const before = await syncRow(tx.db, 'appointment', id);
    const a = await tx.activities.updateAppointment(id, input);
    await writeAppointmentSync(tx.db, id, sync);
    await stampFieldChanges(tx.db, 'appointment', id, before);
    return a;
  });
  return getAppointment(ctx, id);
}
export async function deleteAppointment(ctx: UseCaseContext, id: string): Promise<void> {
  requireWriter(ctx);
  await audited(ctx, { action: 'appointment.delete', entityType: 'appointment', entityId: () => id }, async (tx) => {
    if (!(await tx.activities.deleteAppointment(id))) throw notFound('appointment', id);
  });
}

export async function listTasks(ctx: UseCaseContext, mailboxId?: string): Promise<SyncedTask[]> {
  const list = await ctx.store.activities.listTasks(mailboxId);
  const sync = await readTaskSync(ctx.store.kysely, list.map((t) => t.id));
  return list.map((t) => ({ ...t, ...(sync.get(t.id) ?? taskDefaults) }));
}
export async function getTask(ctx: UseCaseContext, id: string): Promise<SyncedTask> {
  const t = await ctx.store.activities.getTask(id);
  if (t === undefined) throw notFound('task', id);
  return { ...t, ...((await readTaskSync(ctx.store.kysely, [id])).get(id) ?? taskDefaults) };
}
export async function createTask(ctx: UseCaseContext, fields: TaskFields): Promise<SyncedTask> {
  requireWriter(ctx);
  const input = taskInput(fields);
  validateTask(input);
  const sync = taskSync(fields);
  const created = await audited<Task>(ctx, { action: 'task.create', entityType: 'task', entityId: (t) => t.id, changes: () => ({ subject: input.subject, activityType: sync.activityType }) }, async (tx) => {
    await checkOwner(tx.db, sync.ownerUserId);
    const t = await tx.activities.createTask(input);
    await writeTaskSync(tx.db, t.id, sync);
    await stampFieldChanges(tx.db, 'task', t.id, null);
    return t;
  });
  return getTask(ctx, created.id);
}
export async function updateTask(ctx: UseCaseContext, id: string, patch: Partial<TaskInput & TaskSyncFields>): Promise<SyncedTask> {
  requireWriter(ctx);
  const current = await getTask(ctx, id);
  const input = taskInput(patch, current);
  validateTask(input);
  const sync = taskSync(patch, current);
  await audited(ctx, { action: 'task.update', entityType: 'task', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    await checkOwner(tx.db, sync.ownerUserId);
    const before = await syncRow(tx.db, 'task', id);
    const t = await tx.activities.updateTask(id, input);
    await writeTaskSync(tx.db, id, sync);
    await stampFieldChanges(tx.db, 'task', id, before);
    return t;
  });
  return getTask(ctx, id);
}
export async function deleteTask(ctx: UseCaseContext, id: string): Promise<void> {
  requireWriter(ctx);
  await audited(ctx, { action: 'task.delete', entityType: 'task', entityId: () => id }, async (tx) => {
    if (!(await tx.activities.deleteTask(id))) throw notFound('task', id);
  });
}
