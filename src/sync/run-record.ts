/**
 * The end of every pipeline run, in one fenced transaction: the run record (items processed and
 * failed, error code), the mailbox's schedule and status for that pipeline, the per-pipeline
 * back-off state, and the alerts the error policy asks for.
 */
import { AppError } from '../errors.ts';
import type { EngineDeps } from './engine-deps.ts';
import { mailboxAlert, profileAlert } from './alerts.ts';
import { fenced, type Lease } from './leases.ts';
import type { MailboxContext } from './mailbox-context.ts';
import type { PipelineName, PolicyAction } from './policy.ts';
import { idleBackoffCapMs, nextRun, type RunOutcome, type ScheduleDecision } from './schedule.ts';
import { syncDb } from './sync-tables.ts';

export type RunEnd =
  | { type: 'ok'; processed: number; failed: number; more: boolean }
  | { type: 'ineligible'; reason: string; recheck?: boolean }
  | { type: 'error'; error: AppError; action: PolicyAction; processed: number; failed: number };

/** Outgoing runs are driven by the outbox, not by polling: the caller says when to come back. */
export type NextOverride = { at: number | null; reason: string; detail: string };

const nextColumn = { incoming: 'next_incoming_at', outgoing: 'next_outgoing_at', act: 'next_act_at' } as const;
const statusColumn = { incoming: 'incoming_status', outgoing: 'outgoing_status', act: 'act_status' } as const;
const enabledColumn = { incoming: 'incoming_enabled', outgoing: 'outgoing_enabled', act: 'act_enabled' } as const;

export async function finishRun(
  deps: EngineDeps,
  ctx: MailboxContext,
  lease: Lease,
  pipeline: PipelineName,
  startedAt: number,
  end: RunEnd,
  override?: NextOverride,
): Promise<ScheduleDecision> {
  const now = deps.clock.now();
  const nowDate = new Date(now);
  const db = syncDb(deps.store.kysely);
  return fenced(db, lease, async (tx) => {
    const state = await tx
      .selectFrom('mailbox_pipeline_state')
      .select(['idle_streak', 'failure_count'])
      .where('mailbox_id', '=', ctx.mailbox.id)
      .where('pipeline', '=', pipeline)
      .executeTakeFirst();
    const idleStreak = state?.idle_streak ?? 0;
    const failureCount = state?.failure_count ?? 0;

    let outcome: RunOutcome;
    let runOutcome: string;
    if (end.type === 'ok') {
      outcome = end.processed + end.failed > 0 || end.more ? { type: 'items', count: end.processed + end.failed, more: end.more } : { type: 'idle' };
      runOutcome = outcome.type;
    } else if (end.type === 'ineligible') {
      outcome = { type: 'disabled', reason: end.reason };
      runOutcome = 'skipped';
    } else if (end.action.type === 'disable-pipeline') {
      outcome = { type: 'disabled', reason: end.action.alert.message };
      runOutcome = 'disabled';
    } else {
      const delayMs = end.action.type === 'retry' ? end.action.delayMs : 0;
      outcome = { type: 'error', delayMs, reason: end.action.reason };
      runOutcome = 'error';
    }
    let decision = nextRun(now, outcome, ctx.profile.minimumPollingIntervalMinutes, idleStreak);
    if (end.type === 'ineligible' && end.recheck === true) {
      decision = { ...decision, nextRunAt: now + idleBackoffCapMs };
    }
    if (override !== undefined && end.type === 'ok') {
      decision = { nextRunAt: override.at, reason: decision.reason, detail: override.detail, idleStreak: 0 };
    }
    const reason = end.type === 'ineligible' ? (end.recheck === true ? 'awaiting-approval' : 'not-eligible') : override !== undefined && end.type === 'ok' ? override.reason : decision.reason;

    const error = end.type === 'error' ? end.error : null;
    const mailboxPatch: Record<string, unknown> = {
      [nextColumn[pipeline]]: decision.nextRunAt === null ? null : new Date(decision.nextRunAt),
      last_sync_at: nowDate,
    };
    if (end.type !== 'ineligible') {
      mailboxPatch['last_cycle_processed'] = end.processed;
      mailboxPatch['last_cycle_failed'] = end.failed;
      mailboxPatch['transient_failure_count'] = error !== null && end.type === 'error' && end.action.type === 'retry' ? failureCount + 1 : 0;
    }
    if (error !== null) {
      mailboxPatch['last_error_code'] = error.providerCode ?? error.code;
      mailboxPatch['last_error_message'] = error.message;
      mailboxPatch['last_error_at'] = nowDate;
    }
    if (end.type === 'error' && end.action.type === 'disable-pipeline') {
      mailboxPatch[statusColumn[pipeline]] = 'failure';
      mailboxPatch[enabledColumn[pipeline]] = false;
    }
    await tx.updateTable('mailboxes').set(mailboxPatch as never).where('id', '=', ctx.mailbox.id).execute();

    const pipelineState = {
      reason,
      detail: decision.detail,
      idle_streak: decision.idleStreak,
      failure_count: error === null ? 0 : failureCount + 1,
      last_run_at: nowDate,
      ...(error === null ? {} : { last_error_code: error.providerCode ?? error.code, last_error_message: error.message, last_error_at: nowDate }),
    };
    await tx
      .insertInto('mailbox_pipeline_state')
      .values({ mailbox_id: ctx.mailbox.id, pipeline, ...pipelineState })
      .onConflict((oc) => oc.columns(['mailbox_id', 'pipeline']).doUpdateSet(pipelineState))
      .execute();

    await tx
      .insertInto('sync_runs')
      .values({
        id: deps.random.uuid(),
        mailbox_id: ctx.mailbox.id,
        profile_id: ctx.profile.id,
        pipeline,
        worker: lease.owner,
        lease_epoch: lease.epoch,
        started_at: new Date(startedAt),
        finished_at: nowDate,
        outcome: runOutcome,
        items_processed: end.type === 'ineligible' ? 0 : end.processed,
        items_failed: end.type === 'ineligible' ? 0 : end.failed,
        error_code: error === null ? null : (error.providerCode ?? error.code),
        error_message: error?.message ?? null,
      })
      .execute();

    if (end.type === 'error' && end.action.type === 'disable-pipeline') {
      const a = end.action.alert;
      const text = { level: a.level, code: error!.code, message: `${a.message} ${a.remedy}`, details: { pipeline, providerCode: error!.providerCode ?? null } };
      await mailboxAlert(tx, deps, ctx, text);
      await profileAlert(tx, deps, ctx, text);
    } else if (end.type === 'error' && end.action.type === 'retry' && end.action.alert !== undefined) {
      const a = end.action.alert;
      await mailboxAlert(tx, deps, ctx, { level: a.level, code: error!.code, message: `${a.message} ${a.remedy}`, details: { pipeline } });
    }
    return decision;
  });
}
