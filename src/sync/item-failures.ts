/**
 * Per-item failures: an email that could not be tracked or sent, with the error code, message and
 * time, kept at least `failureRetentionDays` (30) after its last failure, and a retry action that
 * puts it back in the next run of its mailbox.
 */
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { PipelineName } from './policy.ts';
import type { SyncExecutor } from './sync-tables.ts';

export type ItemFailure = {
  id: string;
  mailboxId: string;
  pipeline: PipelineName;
  exchangeItemId: string | null;
  emailId: string | null;
  messageId: string | null;
  subject: string;
  errorCode: string;
  errorMessage: string;
  providerCode: string | null;
  attempts: number;
  status: 'failed' | 'retry-requested' | 'resolved';
  firstFailedAt: string;
  lastFailedAt: string;
  resolvedAt: string | null;
  keepUntil: string;
};

export type FailureInput = {
  id: string;
  mailboxId: string;
  pipeline: PipelineName;
  exchangeItemId: string | null;
  emailId: string | null;
  messageId: string | null;
  subject: string;
  error: { code: string; message: string; providerCode?: string | undefined };
  now: Date;
  retentionDays: number;
};

/** Records a failure, or counts one more on the same item's record. */
export async function recordFailure(db: SyncExecutor, f: FailureInput): Promise<void> {
  const keepUntil = new Date(f.now.getTime() + f.retentionDays * 86_400_000);
  const values = {
    id: f.id,
    mailbox_id: f.mailboxId,
    pipeline: f.pipeline,
    exchange_item_id: f.exchangeItemId,
    email_id: f.emailId,
    message_id: f.messageId,
    subject: f.subject.slice(0, 500),
    error_code: f.error.code,
    error_message: f.error.message.slice(0, 2000),
    provider_code: f.error.providerCode ?? null,
    status: 'failed',
    first_failed_at: f.now,
    last_failed_at: f.now,
    keep_until: keepUntil,
  };
  if (f.exchangeItemId === null) {
    const existing =
      f.emailId === null
        ? undefined
        : await db.selectFrom('sync_item_failures').select('id').where('email_id', '=', f.emailId).where('status', '!=', 'resolved').executeTakeFirst();
    if (existing === undefined) {
      await db.insertInto('sync_item_failures').values(values).execute();
      return;
    }
    await db
      .updateTable('sync_item_failures')
      .set({ attempts: sql`attempts + 1`, status: 'failed', error_code: values.error_code, error_message: values.error_message, provider_code: values.provider_code, last_failed_at: f.now, keep_until: keepUntil })
      .where('id', '=', existing.id)
      .execute();
    return;
  }
  await db
    .insertInto('sync_item_failures')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['mailbox_id', 'pipeline', 'exchange_item_id'])
        .where('exchange_item_id', 'is not', null)
        .doUpdateSet({
          attempts: sql`sync_item_failures.attempts + 1`,
          status: 'failed',
          error_code: values.error_code,
          error_message: values.error_message,
          provider_code: values.provider_code,
          last_failed_at: f.now,
          keep_until: keepUntil,
          resolved_at: null,
        }),
    )
    .execute();
}

export async function resolveFailures(db: SyncExecutor, mailboxId: string, pipeline: PipelineName, where: { exchangeItemIds?: string[]; emailId?: string }, now: Date): Promise<void> {
  let q = db.updateTable('sync_item_failures').set({ status: 'resolved', resolved_at: now }).where('mailbox_id', '=', mailboxId).where('pipeline', '=', pipeline).where('status', '!=', 'resolved');
  if (where.exchangeItemIds !== undefined) {
    if (where.exchangeItemIds.length === 0) return;
    q = q.where('exchange_item_id', 'in', where.exchangeItemIds);
  }
  if (where.emailId !== undefined) q = q.where('email_id', '=', where.emailId);
  await q.execute();
}

/** After a move to Undeliverable the item has a new id; the failure follows it so a retry finds it. */
export async function moveFailureItem(db: SyncExecutor, mailboxId: string, fromItemId: string, toItemId: string): Promise<void> {
  await db.updateTable('sync_item_failures').set({ exchange_item_id: toItemId }).where('mailbox_id', '=', mailboxId).where('exchange_item_id', '=', fromItemId).execute();
}

export async function listFailures(db: SyncExecutor, filter: { id?: string; mailboxId?: string; status?: ItemFailure['status']; limit?: number } = {}): Promise<ItemFailure[]> {
  let q = db.selectFrom('sync_item_failures').selectAll();
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  if (filter.mailboxId !== undefined) q = q.where('mailbox_id', '=', filter.mailboxId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  const rows = await q.orderBy('last_failed_at', 'desc').orderBy('id').limit(filter.limit ?? 200).execute();
  return rows.map((r) => ({
    id: r.id,
    mailboxId: r.mailbox_id,
    pipeline: r.pipeline as PipelineName,
    exchangeItemId: r.exchange_item_id,
    emailId: r.email_id,
    messageId: r.message_id,
    subject: r.subject,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    providerCode: r.provider_code,
    attempts: r.attempts,
    status: r.status as ItemFailure['status'],
    firstFailedAt: new Date(r.first_failed_at).toISOString(),
    lastFailedAt: new Date(r.last_failed_at).toISOString(),
    resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
    keepUntil: new Date(r.keep_until).toISOString(),
  }));
}

/**
 * The retry action: marks the failure for retry and makes its pipeline due now. A failed outgoing
 * email goes back to Pending Send (see crm email use cases); an incoming item is fetched again.
 */
export async function requestRetry(db: SyncExecutor, failureId: string, now: Date): Promise<ItemFailure> {
  const row = await db.selectFrom('sync_item_failures').selectAll().where('id', '=', failureId).executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', `failure ${failureId} does not exist`, { kind: 'not-found', status: 404 });
  if (row.status === 'resolved') throw new AppError('failure_resolved', 'This failure was already resolved.', { kind: 'conflict', status: 409 });
  await db.updateTable('sync_item_failures').set({ status: 'retry-requested' }).where('id', '=', failureId).execute();
  const column = row.pipeline === 'outgoing' ? 'next_outgoing_at' : row.pipeline === 'act' ? 'next_act_at' : 'next_incoming_at';
  await db.updateTable('mailboxes').set({ [column]: now }).where('id', '=', row.mailbox_id).execute();
  const [out] = await listFailures(db, { id: failureId });
  return out!;
}

/** Drops failures whose retention ended. */
export async function pruneFailures(db: SyncExecutor, now: Date): Promise<number> {
  const r = await db.deleteFrom('sync_item_failures').where('keep_until', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
