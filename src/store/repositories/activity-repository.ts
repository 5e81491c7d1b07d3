/**
 * Email activities (with parties and attachments), appointments and tasks. Incoming email is
 * idempotent on its Internet Message-ID and on (mailbox, Exchange item id): see findByMessageId.
 */
import type { Selectable } from 'kysely';
import type {
  ActivityParty,
  Appointment,
  AppointmentStatus,
  EmailActivity,
  EmailAttachment,
  EmailDirection,
  EmailStatus,
  Priority,
  Regarding,
  RegardingType,
  Task,
  TaskStatus,
} from '../../domain/activity.ts';
import { iso, isoOrNull, type AppointmentsTable, type EmailActivitiesTable, type Executor, type TasksTable } from '../database.ts';
import { mapConstraint, notFound, nowDate, type RepoDeps } from './repo-deps.ts';

export type ActivityRepository = ReturnType<typeof activityRepository>;
export type EmailInput = Omit<EmailActivity, 'id' | 'createdAt' | 'updatedAt' | 'attachments'>;
export type AttachmentInput = Omit<EmailAttachment, 'id'> & { content: Buffer };
export type AppointmentInput = Omit<Appointment, 'id' | 'createdAt' | 'updatedAt'>;
export type TaskInput = Omit<Task, 'id' | 'createdAt' | 'updatedAt'>;

const regardingOf = (type: string | null, id: string | null): Regarding | null =>
  type === null || id === null ? null : { type: type as RegardingType, id };

function emailColumns(e: Partial<EmailInput>): Record<string, unknown> {
  const map: Record<string, unknown> = {
    mailbox_id: e.mailboxId, direction: e.direction, status: e.status, subject: e.subject, body_type: e.bodyType, body: e.body,
    parties: e.parties === undefined ? undefined : JSON.stringify(e.parties),
    regarding_type: e.regarding === undefined ? undefined : (e.regarding?.type ?? null),
    regarding_id: e.regarding === undefined ? undefined : (e.regarding?.id ?? null),
    message_id: e.messageId, in_reply_to: e.inReplyTo, conversation_id: e.conversationId, conversation_index: e.conversationIndex,
    tracking_token: e.trackingToken, exchange_item_id: e.exchangeItemId, sent_at: e.sentAt, received_at: e.receivedAt, last_error: e.lastError,
  };
  return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== undefined));
}

export function activityRepository(db: Executor, deps: RepoDeps) {
  const attachmentsOf = async (emailId: string): Promise<EmailAttachment[]> => {
    const rows = await db.selectFrom('email_attachments').select(['id', 'name', 'content_type', 'size', 'is_inline', 'content_id']).where('email_id', '=', emailId).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, contentType: r.content_type, size: r.size, isInline: r.is_inline, contentId: r.content_id }));
  };
  const toEmail = async (r: Selectable<EmailActivitiesTable>): Promise<EmailActivity> => ({
    id: r.id, mailboxId: r.mailbox_id, direction: r.direction as EmailDirection, status: r.status as EmailStatus, subject: r.subject,
    bodyType: r.body_type as 'html' | 'text', body: r.body, parties: r.parties as ActivityParty[], regarding: regardingOf(r.regarding_type, r.regarding_id),
    messageId: r.message_id, inReplyTo: r.in_reply_to, conversationId: r.conversation_id, conversationIndex: r.conversation_index,
    trackingToken: r.tracking_token, exchangeItemId: r.exchange_item_id, attachments: await attachmentsOf(r.id),
    sentAt: isoOrNull(r.sent_at), receivedAt: isoOrNull(r.received_at), lastError: r.last_error, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
  const toAppointment = (r: Selectable<AppointmentsTable>): Appointment => ({
    id: r.id, mailboxId: r.mailbox_id, subject: r.subject, body: r.body, location: r.location, startAt: iso(r.start_at), endAt: iso(r.end_at),
    isAllDay: r.is_all_day, status: r.status as AppointmentStatus, parties: r.parties as ActivityParty[], regarding: regardingOf(r.regarding_type, r.regarding_id),
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
  const toTask = (r: Selectable<TasksTable>): Task => ({
    id: r.id, mailboxId: r.mailbox_id, subject: r.subject, body: r.body, dueAt: isoOrNull(r.due_at), status: r.status as TaskStatus,
    priority: r.priority as Priority, percentComplete: r.percent_complete, regarding: regardingOf(r.regarding_type, r.regarding_id),
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });

  return {
    async createEmail(input: EmailInput): Promise<EmailActivity> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await mapConstraint('email activity', () => db.insertInto('email_activities').values({ id, ...emailColumns(input), created_at: now, updated_at: now } as never).execute());
      return (await this.getEmail(id))!;
    },
    async updateEmail(id: string, patch: Partial<EmailInput>): Promise<EmailActivity> {
      const r = await mapConstraint('email activity', () =>
        db.updateTable('email_activities').set({ ...emailColumns(patch), updated_at: nowDate(deps) } as never).where('id', '=', id).executeTakeFirst(),
      );
      if (r.numUpdatedRows === 0n) throw notFound('email activity', id);
      return (await this.getEmail(id))!;
    },
    /** Moves an email's status only if it is still `from` (outbox steps race with each other). */
    async moveEmailStatus(id: string, from: EmailStatus, to: EmailStatus, patch: Partial<EmailInput> = {}): Promise<boolean> {
      const r = await db
        .updateTable('email_activities')
        .set({ ...emailColumns(patch), status: to, updated_at: nowDate(deps) } as never)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async getEmail(id: string): Promise<EmailActivity | undefined> {
      const r = await db.selectFrom('email_activities').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toEmail(r);
    },
    async findEmailByMessageId(messageId: string): Promise<EmailActivity | undefined> {
      const r = await db.selectFrom('email_activities').selectAll().where('message_id', '=', messageId).executeTakeFirst();
      return r === undefined ? undefined : toEmail(r);
    },
    async findEmailByItemId(mailboxId: string, exchangeItemId: string): Promise<EmailActivity | undefined> {
      const r = await db.selectFrom('email_activities').selectAll().where('mailbox_id', '=', mailboxId).where('exchange_item_id', '=', exchangeItemId).executeTakeFirst();
      return r === undefined ? undefined : toEmail(r);
    },
    async listEmails(filter: { mailboxId?: string; status?: EmailStatus; conversationId?: string; limit?: number } = {}): Promise<EmailActivity[]> {
      let q = db.selectFrom('email_activities').selectAll();
      if (filter.mailboxId !== undefined) q = q.where('mailbox_id', '=', filter.mailboxId);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.conversationId !== undefined) q = q.where('conversation_id', '=', filter.conversationId);
      const rows = await q.orderBy('created_at').orderBy('id').limit(filter.limit ?? 1000).execute();
      return Promise.all(rows.map(toEmail));
    },
    async addAttachment(emailId: string, a: AttachmentInput): Promise<EmailAttachment> {
      const id = deps.random.uuid();
      await db
        .insertInto('email_attachments')
        .values({ id, email_id: emailId, name: a.name, content_type: a.contentType, size: a.size, is_inline: a.isInline, content_id: a.contentId, content: a.content })
        .execute();
      return { id, name: a.name, contentType: a.contentType, size: a.size, isInline: a.isInline, contentId: a.contentId };
    },
    async getAttachmentContent(attachmentId: string): Promise<Buffer | undefined> {
      const r = await db.selectFrom('email_attachments').select('content').where('id', '=', attachmentId).executeTakeFirst();
      return r === undefined ? undefined : Buffer.from(r.content);
    },

    async createAppointment(input: AppointmentInput): Promise<Appointment> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await db
        .insertInto('appointments')
        .values({
          id, mailbox_id: input.mailboxId, subject: input.subject, body: input.body, location: input.location, start_at: input.startAt, end_at: input.endAt,
          is_all_day: input.isAllDay, status: input.status, parties: JSON.stringify(input.parties), regarding_type: input.regarding?.type ?? null,
          regarding_id: input.regarding?.id ?? null, created_at: now, updated_at: now,
        })
        .execute();
      return (await this.getAppointment(id))!;
    },
    async updateAppointment(id: string, input: AppointmentInput): Promise<Appointment> {
      const r = await db
        .updateTable('appointments')
        .set({
          mailbox_id: input.mailboxId, subject: input.subject, body: input.body, location: input.location, start_at: input.startAt, end_at: input.endAt,
          is_all_day: input.isAllDay, status: input.status, parties: JSON.stringify(input.parties), regarding_type: input.regarding?.type ?? null,
          regarding_id: input.regarding?.id ?? null, updated_at: nowDate(deps),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw notFound('appointment', id);
      return (await this.getAppointment(id))!;
    },
    async getAppointment(id: string): Promise<Appointment | undefined> {
      const r = await db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toAppointment(r);
    },
    async listAppointments(mailboxId?: string): Promise<Appointment[]> {
      let q = db.selectFrom('appointments').selectAll();
      if (mailboxId !== undefined) q = q.where('mailbox_id', '=', mailboxId);
      return (await q.orderBy('start_at').execute()).map(toAppointment);
    },
    async deleteAppointment(id: string): Promise<boolean> {
      return (await db.deleteFrom('appointments').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },

    async createTask(input: TaskInput): Promise<Task> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await db
        .insertInto('tasks')
        .values({
          id, mailbox_id: input.mailboxId, subject: input.subject, body: input.body, due_at: input.dueAt, status: input.status, priority: input.priority,
          percent_complete: input.percentComplete, regarding_type: input.regarding?.type ?? null, regarding_id: input.regarding?.id ?? null, created_at: now, updated_at: now,
        })
        .execute();
      return (await this.getTask(id))!;
    },
    async updateTask(id: string, input: TaskInput): Promise<Task> {
      const r = await db
        .updateTable('tasks')
        .set({
          mailbox_id: input.mailboxId, subject: input.subject, body: input.body, due_at: input.dueAt, status: input.status, priority: input.priority,
          percent_complete: input.percentComplete, regarding_type: input.regarding?.type ?? null, regarding_id: input.regarding?.id ?? null, updated_at: nowDate(deps),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw notFound('task', id);
      return (await this.getTask(id))!;
    },
    async getTask(id: string): Promise<Task | undefined> {
      const r = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toTask(r);
    },
    async listTasks(mailboxId?: string): Promise<Task[]> {
      let q = db.selectFrom('tasks').selectAll();
      if (mailboxId !== undefined) q = q.where('mailbox_id', '=', mailboxId);
      return (await q.orderBy('created_at').execute()).map(toTask);
    },
    async deleteTask(id: string): Promise<boolean> {
      return (await db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },
  };
}
