/**
 * Background jobs with progress, as Dynamics runs them for mailboxes:
 * - test-and-enable: for selected mailboxes or every mailbox of a profile; each mailbox is tested
 *   by the worker that leases it (test-enable-pipeline.ts), which reports back here;
 * - approve-email: approves the mailboxes (Dynamics' "Approve Email");
 * - apply-default-settings: the org's profile and delivery methods replace each mailbox's, then
 *   (by default, as in Dynamics) each mailbox is tested and enabled.
 */
import { sql } from 'kysely';
import type { Clock, Random } from '../clock.ts';
import { applyDefaultEmailSettings } from '../domain/mailbox.ts';
import type { OrgEmailSettings } from '../domain/settings.ts';
import { AppError } from '../errors.ts';
import type { SyncExecutor } from './sync-tables.ts';

export const jobKinds = ['test-and-enable', 'approve-email', 'apply-default-settings'] as const;
export type JobKind = (typeof jobKinds)[number];
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'completed-with-errors';
export type JobItemStatus = 'queued' | 'testing' | 'done' | 'failed';

export type Job = {
  id: string;
  kind: JobKind;
  status: JobStatus;
  total: number;
  done: number;
  failed: number;
  /** 0-100. */
  progress: number;
  params: Record<string, unknown>;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  items: Array<{ mailboxId: string; status: JobItemStatus; result: Record<string, unknown>; finishedAt: string | null }>;
};

type Deps = { clock: Clock; random: Random };

export async function createJob(
  db: SyncExecutor,
  deps: Deps,
  input: { kind: JobKind; mailboxIds: string[]; params?: Record<string, unknown>; createdBy?: string | null },
): Promise<string> {
  if (input.mailboxIds.length === 0) throw new AppError('job_without_mailboxes', 'Select at least one mailbox.', { kind: 'invalid-input', status: 400 });
  const ids = [...new Set(input.mailboxIds)];
  const found = await db.selectFrom('mailboxes').select(['id', 'profile_id']).where('id', 'in', ids).execute();
  if (found.length !== ids.length) {
    const known = new Set(found.map((f) => f.id));
    throw new AppError('not_found', `mailbox ${ids.find((i) => !known.has(i))} does not exist`, { kind: 'not-found', status: 404 });
  }
  const now = new Date(deps.clock.now());
  const id = deps.random.uuid();
  const testing = input.kind === 'test-and-enable';
  // No worker tests a mailbox without a server profile: its item fails now, with the reason.
  const untestable = new Set(testing ? found.filter((f) => f.profile_id === null).map((f) => f.id) : []);
  const untestableResult = JSON.stringify({ error: 'The mailbox has no email server profile: set one (or Apply Default Email Settings), then Test & Enable.' });
  await db
    .insertInto('sync_jobs')
    .values({
      id,
      kind: input.kind,
      status: testing ? 'running' : 'queued',
      params: JSON.stringify(input.params ?? {}),
      total: ids.length,
      failed: untestable.size,
      ...(testing && untestable.size === ids.length ? { status: 'completed-with-errors', finished_at: now } : {}),
      created_by: input.createdBy ?? null,
      created_at: now,
      started_at: testing ? now : null,
    })
    .execute();
  await db
    .insertInto('sync_job_items')
    .values(ids.map((mailboxId) =>
      untestable.has(mailboxId)
        ? { job_id: id, mailbox_id: mailboxId, status: 'failed', result: untestableResult, finished_at: now }
        : { job_id: id, mailbox_id: mailboxId, status: testing ? 'testing' : 'queued', result: '{}' }))
    .execute();
  const toTest = ids.filter((m) => !untestable.has(m));
  if (testing && toTest.length > 0) await db.updateTable('mailboxes').set({ next_test_at: now }).where('id', 'in', toTest).execute();
  return id;
}

export async function getJob(db: SyncExecutor, id: string): Promise<Job | undefined> {
  const j = await db.selectFrom('sync_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (j === undefined) return undefined;
  const items = await db.selectFrom('sync_job_items').selectAll().where('job_id', '=', id).orderBy('mailbox_id').execute();
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: j.id,
    kind: j.kind as JobKind,
    status: j.status as JobStatus,
    total: j.total,
    done: j.done,
    failed: j.failed,
    progress: j.total === 0 ? 100 : Math.floor(((j.done + j.failed) * 100) / j.total),
    params: j.params,
    createdBy: j.created_by,
    createdAt: new Date(j.created_at).toISOString(),
    startedAt: iso(j.started_at),
    finishedAt: iso(j.finished_at),
    items: items.map((i) => ({ mailboxId: i.mailbox_id, status: i.status as JobItemStatus, result: i.result, finishedAt: iso(i.finished_at) })),
  };
}

export async function listJobs(db: SyncExecutor, limit = 50): Promise<Array<Omit<Job, 'items'>>> {
  const rows = await db.selectFrom('sync_jobs').select('id').orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  const out: Array<Omit<Job, 'items'>> = [];
  for (const r of rows) {
    const j = await getJob(db, r.id);
    if (j !== undefined) {
      const { items: _items, ...rest } = j;
      out.push(rest);
    }
  }
  return out;
}

/**
 * Records one mailbox's Test & Enable outcome in every job waiting on that test (items in
 * "testing"), and finishes jobs that are complete. Items still "queued" belong to an approve or
 * apply job that has not reached the mailbox yet: a test result is not their outcome, and
 * finishing them here would make that job skip the mailbox (it would never be approved).
 */
export async function completeJobItems(db: SyncExecutor, mailboxId: string, ok: boolean, result: Record<string, unknown>, now: Date): Promise<void> {
  const open = await db.selectFrom('sync_job_items').select('job_id').where('mailbox_id', '=', mailboxId).where('status', '=', 'testing').execute();
  for (const { job_id } of open) await finishItem(db, job_id, mailboxId, ok, result, now, ['testing']);
}

async function finishItem(
  db: SyncExecutor,
  jobId: string,
  mailboxId: string,
  ok: boolean,
  result: Record<string, unknown>,
  now: Date,
  from: ReadonlyArray<JobItemStatus> = ['queued', 'testing'],
): Promise<void> {
  const r = await db
    .updateTable('sync_job_items')
    .set({ status: ok ? 'done' : 'failed', result: JSON.stringify(result), finished_at: now })
    .where('job_id', '=', jobId)
    .where('mailbox_id', '=', mailboxId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return;
  await db
    .updateTable('sync_jobs')
    .set(ok ? { done: sql`done + 1` } : { failed: sql`failed + 1` })
    .where('id', '=', jobId)
    .execute();
  await db
    .updateTable('sync_jobs')
    .set({ status: sql`case when failed > 0 then 'completed-with-errors' else 'succeeded' end`, finished_at: now, lease_owner: null, lease_expires_at: null })
    .where('id', '=', jobId)
    .where(sql<boolean>`done + failed >= total`)
    .execute();
}

/**
 * Claims one queued approve/apply job (or one whose runner died) and works through it.
 * Returns false when there was nothing to do.
 */
export async function runNextJob(
  db: SyncExecutor,
  deps: Deps & { owner: string; leaseTtlMs: number },
  settings: () => Promise<OrgEmailSettings>,
): Promise<boolean> {
  const now = new Date(deps.clock.now());
  const claimed = await sql<{ id: string; kind: string; params: Record<string, unknown>; created_by: string | null }>`
    update sync_jobs set status = 'running', lease_owner = ${deps.owner}, lease_expires_at = ${new Date(now.getTime() + deps.leaseTtlMs)},
           started_at = coalesce(started_at, ${now})
     where id = (select id from sync_jobs
                  where kind <> 'test-and-enable'
                    and (status = 'queued' or (status = 'running' and lease_expires_at < ${now}))
                  order by created_at limit 1 for update skip locked)
    returning id, kind, params, created_by`.execute(db);
  const job = claimed.rows[0];
  if (job === undefined) return false;
  const items = await db.selectFrom('sync_job_items').select('mailbox_id').where('job_id', '=', job.id).where('status', '=', 'queued').execute();
  const org = await settings();
  for (const { mailbox_id } of items) {
    const at = new Date(deps.clock.now());
    const before = await db.selectFrom('mailboxes').selectAll().where('id', '=', mailbox_id).executeTakeFirst();
    if (before === undefined) {
      await finishItem(db, job.id, mailbox_id, false, { error: 'the mailbox no longer exists' }, at);
      continue;
    }
    if (job.kind === 'approve-email') {
      // Enabled pipelines waiting for approval run at once.
      await db
        .updateTable('mailboxes')
        .set({
          approval: 'approved',
          updated_at: at,
          ...(before.incoming_enabled ? { next_incoming_at: at } : {}),
          ...(before.outgoing_enabled ? { next_outgoing_at: at } : {}),
        })
        .where('id', '=', mailbox_id)
        .execute();
      await audit(db, deps, job, 'mailbox.approve', mailbox_id, { approval: { from: before.approval, to: 'approved' } }, at);
      await finishItem(db, job.id, mailbox_id, true, { approval: 'approved' }, at);
    } else {
      const patch = applyDefaultEmailSettings(org);
      await db
        .updateTable('mailboxes')
        .set({ profile_id: patch.profileId ?? null, incoming_method: patch.incomingMethod!, outgoing_method: patch.outgoingMethod!, act_method: patch.actMethod!, updated_at: at })
        .where('id', '=', mailbox_id)
        .execute();
      await audit(db, deps, job, 'mailbox.apply-default-settings', mailbox_id, { profileId: { from: before.profile_id, to: patch.profileId ?? null } }, at);
      if (job.params['testAndEnable'] === false || patch.profileId === null) {
        await finishItem(db, job.id, mailbox_id, true, { applied: true }, at);
      } else {
        await db.updateTable('sync_job_items').set({ status: 'testing' }).where('job_id', '=', job.id).where('mailbox_id', '=', mailbox_id).execute();
        await db.updateTable('mailboxes').set({ next_test_at: at }).where('id', '=', mailbox_id).execute();
      }
    }
  }
  return true;
}

async function audit(db: SyncExecutor, deps: Deps, job: { id: string; created_by: string | null }, action: string, mailboxId: string, changes: Record<string, unknown>, at: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: deps.random.uuid(),
      at,
      // The worker acts for whoever started the job; the job id ties the entry to it.
      actor_type: 'system',
      actor_id: job.id,
      actor_name: `job started by ${job.created_by ?? 'an administrator'}`,
      action,
      entity_type: 'mailbox',
      entity_id: mailboxId,
      changes: JSON.stringify(changes),
    })
    .execute();
}
