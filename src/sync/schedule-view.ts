/**
 * A mailbox's schedule as an administrator reads it (like Dynamics' "Download Mailbox Details"):
 * for each pipeline the next run, why (back-off reason), its status and last error; who holds
 * the lease; and the last runs with items processed and failed.
 */
import type { PipelineName } from './policy.ts';
import type { SyncExecutor } from './sync-tables.ts';

export type PipelineSchedule = {
  pipeline: PipelineName | 'test';
  enabled: boolean | null;
  status: string | null;
  nextRunAt: string | null;
  reason: string | null;
  detail: string | null;
  idleStreak: number;
  consecutiveFailures: number;
  lastRunAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: string | null;
};

export type RunSummary = {
  pipeline: string;
  worker: string;
  startedAt: string;
  finishedAt: string;
  outcome: string;
  itemsProcessed: number;
  itemsFailed: number;
  errorCode: string | null;
};

export type MailboxSchedule = {
  mailboxId: string;
  emailAddress: string;
  lease: { holder: string; epoch: number; expiresAt: string } | null;
  pipelines: PipelineSchedule[];
  lastCycle: { processed: number; failed: number; at: string | null };
  recentRuns: RunSummary[];
  openFailures: number;
};

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export async function mailboxSchedule(db: SyncExecutor, mailboxId: string, now: number): Promise<MailboxSchedule | undefined> {
  const m = await db.selectFrom('mailboxes').selectAll().where('id', '=', mailboxId).executeTakeFirst();
  if (m === undefined) return undefined;
  const states = await db.selectFrom('mailbox_pipeline_state').selectAll().where('mailbox_id', '=', mailboxId).execute();
  const runs = await db.selectFrom('sync_runs').selectAll().where('mailbox_id', '=', mailboxId).orderBy('started_at', 'desc').orderBy('id').limit(10).execute();
  const failures = await db
    .selectFrom('sync_item_failures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mailbox_id', '=', mailboxId)
    .where('status', '!=', 'resolved')
    .executeTakeFirstOrThrow();
  const byPipeline = new Map(states.map((s) => [s.pipeline, s]));
  const pipeline = (name: PipelineName, enabled: boolean, status: string, next: Date | null): PipelineSchedule => {
    const s = byPipeline.get(name);
    return {
      pipeline: name,
      enabled,
      status,
      nextRunAt: iso(next),
      reason: s?.reason ?? (next === null ? 'not-scheduled' : 'scheduled'),
      detail: s?.detail ?? null,
      idleStreak: s?.idle_streak ?? 0,
      consecutiveFailures: s?.failure_count ?? 0,
      lastRunAt: iso(s?.last_run_at ?? null),
      lastErrorCode: s?.last_error_code ?? null,
      lastErrorMessage: s?.last_error_message ?? null,
      lastErrorAt: iso(s?.last_error_at ?? null),
    };
  };
  const leaseLive = m.lease_owner !== null && m.lease_expires_at !== null && new Date(m.lease_expires_at).getTime() >= now;
  return {
    mailboxId: m.id,
    emailAddress: m.email_address,
    lease: leaseLive ? { holder: m.lease_owner!, epoch: Number(m.lease_epoch), expiresAt: iso(m.lease_expires_at)! } : null,
    pipelines: [
      pipeline('incoming', m.incoming_enabled, m.incoming_status, m.next_incoming_at),
      pipeline('outgoing', m.outgoing_enabled, m.outgoing_status, m.next_outgoing_at),
      pipeline('act', m.act_enabled, m.act_status, m.next_act_at),
      {
        pipeline: 'test',
        enabled: null,
        status: null,
        nextRunAt: iso(m.next_test_at),
        reason: m.next_test_at === null ? 'not-requested' : 'test-and-enable-requested',
        detail: null,
        idleStreak: 0,
        consecutiveFailures: 0,
        lastRunAt: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
      },
    ],
    lastCycle: { processed: m.last_cycle_processed, failed: m.last_cycle_failed, at: iso(m.last_sync_at) },
    recentRuns: runs.map((r) => ({
      pipeline: r.pipeline,
      worker: r.worker,
      startedAt: iso(r.started_at)!,
      finishedAt: iso(r.finished_at)!,
      outcome: r.outcome,
      itemsProcessed: r.items_processed,
      itemsFailed: r.items_failed,
      errorCode: r.error_code,
    })),
    openFailures: Number(failures.n),
  };
}
