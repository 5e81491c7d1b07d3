/**
 * The ACT pipeline of one mailbox: checks that it may run (a user mailbox, ACT by server-side sync
 * and enabled, and the mailbox's ACT not owned by another org unless "sync items with Exchange
 * from this org only" takes it over), then syncs appointments, contacts and tasks in turn.
 */
import { AppError, isAppError, toError } from '../../errors.ts';
import type { ActKind, MailboxDriver } from '../../exchange/driver.ts';
import { mailboxAlert } from '../alerts.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { fenced, type Lease } from '../leases.ts';
import type { MailboxContext } from '../mailbox-context.ts';
import type { RunEnd } from '../run-record.ts';
import { decide } from '../policy.ts';
import { syncDb } from '../sync-tables.ts';
import { syncKind, type ItemFailure } from './act-cycle.ts';
import { loadActFilters, loadActPolicy } from './act-settings.ts';
import { actDb } from './act-tables.ts';
import { dbActStore } from './db-act-store.ts';

export const ACT_KINDS: readonly ActKind[] = ['appointment', 'contact', 'task'];

export type ActRun = { end: RunEnd; failures: ItemFailure[]; valves: ActKind[] };

/** Whether ACT may run for this mailbox at all, before asking Exchange. */
export function actEligibility(ctx: MailboxContext): { ok: true } | { ok: false; reason: string } {
  const m = ctx.mailbox;
  if (m.ownerType !== 'user') return { ok: false, reason: 'queues have no appointments, contacts and tasks synchronization' };
  if (m.actMethod !== 'server-side-sync') return { ok: false, reason: 'appointments, contacts and tasks are not set to server-side synchronization' };
  if (!m.actEnabled) return { ok: false, reason: 'appointments, contacts and tasks are not enabled for this mailbox (run Test & Enable)' };
  return { ok: true };
}

/** `attempt` counts the mailbox's consecutive failed ACT runs before this one (0 after a good run). */
export async function runAct(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver, attempt = 0): Promise<ActRun> {
  const eligible = actEligibility(ctx);
  if (!eligible.ok) return { end: { type: 'ineligible', reason: eligible.reason }, failures: [], valves: [] };
  const reached = deps.reached ?? (() => undefined);
  const mailbox = ctx.mailbox.emailAddress;
  const orgId = ctx.settings.orgId;
  const db = actDb(deps.store.kysely);
  try {
    const stamp = await driver.getOrgStamp(mailbox);
    if (stamp !== null && stamp !== orgId && !ctx.settings.syncOnlyFromThisOrg) {
      const reason = `this mailbox synchronizes appointments, contacts and tasks with another org (${stamp}); turn on "Sync items with Exchange from this org only" to take it over`;
      await fenced(syncDb(deps.store.kysely), lease, (tx) => mailboxAlert(tx, deps, ctx, { level: 'warning', code: 'act_other_org', message: `Appointments, contacts and tasks of ${mailbox} are not synchronized: ${reason}.`, details: { orgStamp: stamp } }));
      return { end: { type: 'ineligible', reason }, failures: [], valves: [] };
    }
    if (stamp !== orgId) {
      await driver.setOrgStamp(mailbox, orgId);
      reached('act:org-stamped');
    }
  } catch (error) {
    const e = isAppError(error) ? error : new AppError('internal_error', toError(error).message, { kind: 'transient', cause: error });
    return { end: { type: 'error', error: e, action: decide('act', 'org-stamp', e, attempt), processed: 0, failed: 0 }, failures: [], valves: [] };
  }

  const policy = await loadActPolicy(db);
  const filters = await loadActFilters(db, ctx.owner.id);
  const store = dbActStore({
    db,
    lease,
    user: { id: ctx.owner.id, emailAddress: ctx.owner.emailAddress },
    filters,
    clock: deps.clock,
    random: deps.random,
    alert: (tx, code, message, details) =>
      mailboxAlert(tx as never, deps, ctx, { level: code === 'act_safety_valve' ? 'error' : 'warning', code, message, details }),
  });
  const cycle = { driver, store, mailbox, orgId, policy, clock: deps.clock, random: deps.random, pageSize: deps.options.pageSize, maxPages: deps.options.maxPagesPerRun, reached };
  let processed = 0;
  let failed = 0;
  let more = false;
  const failures: ItemFailure[] = [];
  const valves: ActKind[] = [];
  for (const kind of ACT_KINDS) {
    try {
      const r = await syncKind(cycle, kind);
      processed += r.processed;
      failed += r.failed;
      failures.push(...r.failures);
      more ||= r.more;
      if (r.valve !== null) valves.push(kind);
      for (const f of r.failures) deps.log.warn({ mailbox, kind, crmId: f.crmId, remoteId: f.remoteId, code: f.error.code }, 'an item failed to synchronize');
    } catch (error) {
      if (isAppError(error, 'lease_lost')) throw error;
      const e = isAppError(error) ? error : new AppError('internal_error', toError(error).message, { kind: 'transient', cause: error });
      return { end: { type: 'error', error: e, action: decide('act', 'sync-folder', e, attempt), processed, failed }, failures, valves };
    }
  }
  return { end: { type: 'ok', processed, failed, more }, failures, valves };
}
