/**
 * Runs ACT for the mailboxes whose next ACT run is due, each under a fenced lease of its own
 * (claimed the way the email pipelines claim theirs), records how the run ended and releases it.
 * The worker calls runDueAct once per round.
 */
import { AppError, isAppError, toError } from '../../errors.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { claimDueMailboxes, fenced, release, type Lease } from '../leases.ts';
import { loadMailboxContext } from '../mailbox-context.ts';
import { decide } from '../policy.ts';
import { finishRun, type RunEnd } from '../run-record.ts';
import { syncDb } from '../sync-tables.ts';
import { recordActFailures, resolveActFailures } from './act-failures.ts';
import { runAct, type ActRun } from './act-pipeline.ts';

/** Claims up to `limit` mailboxes due for ACT; each claim takes a new lease epoch. */
export async function claimDueAct(deps: EngineDeps, limit: number, onlyMailboxId?: string): Promise<Lease[]> {
  // The same claim as email: a profile's maximum concurrent connections holds across every worker.
  const claims = await claimDueMailboxes(syncDb(deps.store.kysely), {
    owner: deps.workerId,
    now: deps.clock.now(),
    ttlMs: deps.options.leaseTtlMs,
    limit,
    pipelines: 'act',
    ...(onlyMailboxId === undefined ? {} : { onlyMailboxId }),
  });
  return claims.map((c) => ({ mailboxId: c.mailboxId, owner: c.owner, epoch: c.epoch }));
}

export async function runActLease(deps: EngineDeps, lease: Lease): Promise<ActRun | null> {
  const db = syncDb(deps.store.kysely);
  try {
    const ctx = await loadMailboxContext(deps.store, lease.mailboxId);
    const startedAt = deps.clock.now();
    // Consecutive failed runs so far: each one more backs a transient error off further.
    const state = await db.selectFrom('mailbox_pipeline_state').select('failure_count').where('mailbox_id', '=', lease.mailboxId).where('pipeline', '=', 'act').executeTakeFirst();
    const attempt = state?.failure_count ?? 0;
    let run: ActRun;
    try {
      const driver = await deps.openDriver(ctx.profile);
      run = await runAct(deps, ctx, lease, driver, attempt);
    } catch (error) {
      if (isAppError(error, 'lease_lost')) throw error;
      const e = isAppError(error) ? error : new AppError('internal_error', toError(error).message, { kind: 'transient', cause: error });
      const end: RunEnd = { type: 'error', error: e, action: decide('act', 'connect', e, attempt), processed: 0, failed: 0 };
      run = { end, failures: [], valves: [] };
    }
    const failureContext = { mailboxId: lease.mailboxId, now: new Date(deps.clock.now()), retentionDays: deps.options.failureRetentionDays, random: deps.random };
    if (run.failures.length > 0 || (run.end.type === 'ok' && run.valves.length === 0)) {
      await fenced(db, lease, async (tx) => {
        await recordActFailures(tx, failureContext, run.failures);
        if (run.end.type === 'ok' && run.valves.length === 0) await resolveActFailures(tx, lease.mailboxId, run.failures, failureContext.now);
      });
    }
    await finishRun(deps, ctx, lease, 'act', startedAt, run.end);
    return run;
  } catch (error) {
    if (isAppError(error, 'lease_lost')) deps.log.warn({ mailboxId: lease.mailboxId, epoch: lease.epoch }, 'lease lost; the ACT run stopped without writing');
    else deps.log.error({ mailboxId: lease.mailboxId, err: toError(error).message }, 'ACT run failed');
    return null;
  } finally {
    await release(db, lease).catch(() => undefined);
  }
}

/** One round: every mailbox due for ACT now, up to the worker's concurrency. Returns how many ran. */
export async function runDueAct(deps: EngineDeps): Promise<number> {
  const leases = await claimDueAct(deps, deps.options.concurrency);
  await Promise.all(leases.map((l) => runActLease(deps, l)));
  return leases.length;
}
