/**
 * The sync engine as administrators and CRM apps drive it through the API and CLI: background
 * jobs (Test & Enable, Approve Email, Apply Default Email Settings) for selected mailboxes or a
 * whole profile, each mailbox's schedule, per-item failures and their retry, tracked folders, and
 * webhooks.
 */
import { sql, type Transaction } from 'kysely';
import { AppError, ValidationError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import { audited, requireAdministrator, requireMailboxAccess, type UseCaseContext } from '../use-cases/context.ts';
import { listFailures, requestRetry, type ItemFailure } from './item-failures.ts';
import { createJob, getJob, listJobs, type Job, type JobKind } from './jobs.ts';
import { mailboxSchedule, type MailboxSchedule } from './schedule-view.ts';
import { syncDb } from './sync-tables.ts';
import { webhookEvents, type WebhookEvent } from './webhook-events.ts';

export type JobRequest = { kind: JobKind; mailboxIds?: string[]; profileId?: string; testAndEnable?: boolean };

export async function startJob(ctx: UseCaseContext, req: JobRequest): Promise<Job> {
  requireAdministrator(ctx);
  if ((req.mailboxIds === undefined) === (req.profileId === undefined)) {
    throw new AppError('validation_failed', 'Give either mailboxIds or profileId.', { kind: 'invalid-input', status: 400 });
  }
  let ids = req.mailboxIds ?? [];
  if (req.profileId !== undefined) {
    if ((await ctx.store.profiles.get(req.profileId)) === undefined) throw notFound('email server profile', req.profileId);
    ids = (await ctx.store.mailboxes.list({ profileId: req.profileId })).map((m) => m.id);
    if (ids.length === 0) throw new AppError('job_without_mailboxes', 'The profile has no mailboxes.', { kind: 'invalid-input', status: 400 });
  }
  const id = await audited<string>(
    ctx,
    { action: `job.${req.kind}`, entityType: 'job', entityId: (x) => x, changes: () => ({ mailboxIds: ids, profileId: req.profileId ?? null }) },
    (tx) =>
      createJob(syncDb(tx.db as Transaction<Database>), ctx, {
        kind: req.kind,
        mailboxIds: ids,
        params: req.testAndEnable === undefined ? {} : { testAndEnable: req.testAndEnable },
        createdBy: ctx.principal.actor.name,
      }),
  );
  return (await getJob(syncDb(ctx.store.kysely), id))!;
}

export async function showJob(ctx: UseCaseContext, id: string): Promise<Job> {
  const job = await getJob(syncDb(ctx.store.kysely), id);
  if (job === undefined) throw notFound('job', id);
  return job;
}

export async function recentJobs(ctx: UseCaseContext): Promise<Array<Omit<Job, 'items'>>> {
  return listJobs(syncDb(ctx.store.kysely));
}

export async function showSchedule(ctx: UseCaseContext, mailboxId: string): Promise<MailboxSchedule> {
  const s = await mailboxSchedule(syncDb(ctx.store.kysely), mailboxId, ctx.clock.now());
  if (s === undefined) throw notFound('mailbox', mailboxId);
  return s;
}

export async function showFailures(ctx: UseCaseContext, filter: { mailboxId?: string; status?: ItemFailure['status'] }): Promise<ItemFailure[]> {
  return listFailures(syncDb(ctx.store.kysely), filter);
}

export async function retryFailure(ctx: UseCaseContext, id: string): Promise<ItemFailure> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'sync-failure.retry', entityType: 'sync-failure', entityId: () => id }, (tx) =>
    requestRetry(syncDb(tx.db as Transaction<Database>), id, new Date(ctx.clock.now())),
  );
}

export type Webhook = { id: string; url: string; events: WebhookEvent[]; active: boolean; createdAt: string };
export type WebhookDelivery = { id: string; event: string; status: string; attempts: number; nextAttemptAt: string; lastStatusCode: number | null; lastError: string | null; deliveredAt: string | null };

export async function createWebhook(ctx: UseCaseContext, input: { url: string; events: string[]; secret: string }): Promise<Webhook> {
  requireAdministrator(ctx);
  const issues: Array<{ field: string; rule: string; message: string }> = [];
  let url: URL | undefined;
  try {
    url = new URL(input.url);
  } catch {
    issues.push({ field: 'url', rule: 'url', message: 'must be an absolute URL' });
  }
  // Plain HTTP only to this machine (a CRM app beside Dovetail); anything else must be TLS.
  if (url !== undefined && url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))) {
    issues.push({ field: 'url', rule: 'https', message: 'must be an https URL (http only for localhost)' });
  }
  if (input.events.length === 0 || input.events.some((e) => !webhookEvents.includes(e as WebhookEvent))) {
    issues.push({ field: 'events', rule: 'one-of', message: `must list one or more of ${webhookEvents.join(', ')}` });
  }
  if (input.secret.length < 16) issues.push({ field: 'secret', rule: 'min-length', message: 'must be at least 16 characters' });
  if (issues.length > 0) throw new ValidationError(issues);
  const id = ctx.random.uuid();
  const now = new Date(ctx.clock.now());
  await audited(ctx, { action: 'webhook.create', entityType: 'webhook', entityId: () => id, changes: () => ({ url: input.url, events: input.events, secret: '(secret set)' }) }, async (tx) => {
    await syncDb(tx.db as Transaction<Database>)
      .insertInto('webhooks')
      .values({ id, url: input.url, events: JSON.stringify([...new Set(input.events)]), secret_sealed: ctx.store.sealer.seal(input.secret), created_at: now, updated_at: now })
      .execute();
  });
  return (await listWebhooks(ctx)).find((w) => w.id === id)!;
}

export async function listWebhooks(ctx: UseCaseContext): Promise<Webhook[]> {
  const rows = await syncDb(ctx.store.kysely).selectFrom('webhooks').select(['id', 'url', 'events', 'active', 'created_at']).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, url: r.url, events: r.events as WebhookEvent[], active: r.active, createdAt: new Date(r.created_at).toISOString() }));
}

export async function deleteWebhook(ctx: UseCaseContext, id: string): Promise<void> {
  requireAdministrator(ctx);
  await audited(ctx, { action: 'webhook.delete', entityType: 'webhook', entityId: () => id }, async (tx) => {
    const r = await syncDb(tx.db as Transaction<Database>).deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    if (r.numDeletedRows === 0n) throw notFound('webhook', id);
  });
}

export async function listDeliveries(ctx: UseCaseContext, webhookId: string): Promise<WebhookDelivery[]> {
  const rows = await syncDb(ctx.store.kysely).selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('created_at', 'desc').limit(200).execute();
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: iso(r.delivered_at),
  }));
}

export type TrackedFolder = { id: string; mailboxId: string; displayName: string; folderId: string | null; regarding: { type: string; id: string } | null; createdAt: string };

export async function listTrackedFolders(ctx: UseCaseContext, mailboxId: string): Promise<TrackedFolder[]> {
  await ctx.store.mailboxes.require(mailboxId);
  const rows = await syncDb(ctx.store.kysely).selectFrom('mailbox_tracked_folders').selectAll().where('mailbox_id', '=', mailboxId).orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id,
    mailboxId: r.mailbox_id,
    displayName: r.display_name,
    folderId: r.folder_id,
    regarding: r.regarding_type === null || r.regarding_id === null ? null : { type: r.regarding_type, id: r.regarding_id },
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Tracks every email in a folder of the mailbox (found or created by name on the next run), optionally regarding a record. */
export async function addTrackedFolder(ctx: UseCaseContext, mailboxId: string, input: { displayName: string; regarding?: { type: string; id: string } | null }): Promise<TrackedFolder> {
  const mailbox = await ctx.store.mailboxes.require(mailboxId);
  requireMailboxAccess(ctx, mailbox);
  const name = input.displayName.trim();
  if (name === '' || name.length > 255 || name.toLowerCase() === 'inbox') {
    throw new ValidationError([{ field: 'displayName', rule: 'folder-name', message: 'must name a folder other than the Inbox, at most 255 characters' }]);
  }
  const regarding = input.regarding ?? null;
  if (regarding !== null && !['contact', 'account', 'lead'].includes(regarding.type)) {
    throw new ValidationError([{ field: 'regarding.type', rule: 'one-of', message: 'must be one of contact, account, lead' }]);
  }
  const id = ctx.random.uuid();
  await audited(ctx, { action: 'mailbox.track-folder', entityType: 'mailbox', entityId: () => mailboxId, changes: () => ({ folder: name, regarding }) }, async (tx) => {
    const db = syncDb(tx.db as Transaction<Database>);
    const existing = await db.selectFrom('mailbox_tracked_folders').select('id').where('mailbox_id', '=', mailboxId).where(sql<boolean>`lower(display_name) = ${name.toLowerCase()}`).executeTakeFirst();
    if (existing !== undefined) throw new AppError('conflict', `The folder "${name}" is already tracked.`, { kind: 'conflict', status: 409 });
    await db
      .insertInto('mailbox_tracked_folders')
      .values({ id, mailbox_id: mailboxId, folder_id: null, display_name: name, regarding_type: regarding?.type ?? null, regarding_id: regarding?.id ?? null, created_at: new Date(ctx.clock.now()) })
      .execute();
  });
  return (await listTrackedFolders(ctx, mailboxId)).find((f) => f.id === id)!;
}

export async function removeTrackedFolder(ctx: UseCaseContext, id: string): Promise<void> {
  const db = syncDb(ctx.store.kysely);
  const row = await db.selectFrom('mailbox_tracked_folders').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw notFound('tracked folder', id);
  requireMailboxAccess(ctx, await ctx.store.mailboxes.require(row.mailbox_id));
  await audited(ctx, { action: 'mailbox.untrack-folder', entityType: 'mailbox', entityId: () => row.mailbox_id, changes: () => ({ folder: row.display_name }) }, async (tx) => {
    const t = syncDb(tx.db as Transaction<Database>);
    await t.deleteFrom('mailbox_tracked_folders').where('id', '=', id).execute();
    if (row.folder_id !== null) await t.deleteFrom('mailbox_cursors').where('mailbox_id', '=', row.mailbox_id).where('folder', '=', `folder:${row.folder_id}`).execute();
  });
}
