/**
 * Alerts: on the mailbox's wall (and its owner's, when enabled), on the profile owner's wall, and
 * the email to the profile owner when more than half of the profile's mailboxes failed within an
 * hour, sent through the owner's own mailbox, or logged when the owner has none that can send.
 *
 * Only the levels the org records (org email settings, alertLevels) reach a wall; an alert of
 * another level is dropped here. That touches nothing else: the run that failed still writes the
 * mailbox's last error (run-record.ts), disables or backs off as policy says, and the profile
 * owner's email about a majority of failing mailboxes is still sent when the profile asks for it.
 */
import type { AlertLevel } from '../domain/alert.ts';
import { recordsAlertLevel, type OrgEmailSettings } from '../domain/settings.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { MailboxContext } from './mailbox-context.ts';
import { profileAlertRule, profileAlertWindowMs } from './profile-alert-rule.ts';
import { syncDb, type SyncExecutor } from './sync-tables.ts';

export type AlertText = { level: AlertLevel; code: string; message: string; details?: Record<string, unknown> };

/** Records the alert on the mailbox's wall, unless the org does not record its level. */
export async function mailboxAlert(db: SyncExecutor, deps: EngineDeps, ctx: MailboxContext, a: AlertText): Promise<void> {
  const owner = ctx.owner.type === 'user' && ctx.settings.alertMailboxOwners ? ctx.owner.id : null;
  await insertAlert(db, deps, ctx.settings, 'mailbox', ctx.mailbox.id, owner, a);
}

/** Records the alert on the profile owner's wall, unless the org does not record its level. */
export async function profileAlert(db: SyncExecutor, deps: EngineDeps, ctx: MailboxContext, a: AlertText): Promise<void> {
  await insertAlert(db, deps, ctx.settings, 'profile', ctx.profile.id, ctx.profile.ownerUserId, {
    ...a,
    details: { ...(a.details ?? {}), mailboxId: ctx.mailbox.id, mailbox: ctx.mailbox.emailAddress },
  });
}

async function insertAlert(
  db: SyncExecutor, deps: EngineDeps, settings: Pick<OrgEmailSettings, 'alertLevels'>, targetType: 'mailbox' | 'profile', targetId: string, ownerUserId: string | null, a: AlertText,
): Promise<boolean> {
  if (!recordsAlertLevel(settings, a.level)) return false;
  await db
    .insertInto('alerts')
    .values({
      id: deps.random.uuid(),
      level: a.level,
      target_type: targetType,
      target_id: targetId,
      owner_user_id: ownerUserId,
      code: a.code,
      message: a.message,
      details: JSON.stringify(a.details ?? {}),
      created_at: new Date(deps.clock.now()),
    })
    .execute();
  return true;
}

/**
 * After a failed run: when more than half of the profile's active mailboxes failed in the last
 * hour and the profile asks for it, email the profile owner (at most once an hour).
 * Returns what was done, for the log and the tests.
 */
export async function checkProfileFailures(deps: EngineDeps, ctx: MailboxContext): Promise<'none' | 'emailed' | 'logged'> {
  const db = syncDb(deps.store.kysely);
  const now = deps.clock.now();
  const since = new Date(now - profileAlertWindowMs);
  const active = await db
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('profile_id', '=', ctx.profile.id)
    .where((eb) => eb.or([eb('incoming_enabled', '=', true), eb('outgoing_enabled', '=', true), eb('act_enabled', '=', true)]))
    .executeTakeFirstOrThrow();
  const failedRows = await db
    .selectFrom('sync_runs')
    .select('mailbox_id')
    .distinct()
    .where('profile_id', '=', ctx.profile.id)
    .where('outcome', 'in', ['error', 'disabled'])
    .where('finished_at', '>=', since)
    .execute();
  const state = await db.selectFrom('profile_alert_state').select('last_alert_at').where('profile_id', '=', ctx.profile.id).executeTakeFirst();
  const fire = profileAlertRule({
    enabled: ctx.profile.alertOwnerOnMajorEvents,
    // A mailbox disabled by its failure still counts as one of the profile's mailboxes.
    activeMailboxes: Math.max(Number(active.n), failedRows.length),
    failedMailboxes: failedRows.length,
    lastAlertAt: state === undefined ? null : new Date(state.last_alert_at).getTime(),
    now,
  });
  if (!fire) return 'none';

  const nowDate = new Date(now);
  const subject = `Dovetail: more than half of the mailboxes of profile "${ctx.profile.name}" failed in the last hour`;
  const body = `${failedRows.length} of the mailboxes of email server profile "${ctx.profile.name}" failed to synchronize within the last hour. See the alerts of the profile in the admin center for what to fix.`;
  return db.transaction().execute(async (tx) => {
    // The state row serializes two workers deciding at once: only the one that moves it sends.
    const claimed = await tx
      .insertInto('profile_alert_state')
      .values({ profile_id: ctx.profile.id, last_alert_at: nowDate })
      .onConflict((oc) => oc.column('profile_id').doUpdateSet({ last_alert_at: nowDate }).where('profile_alert_state.last_alert_at', '<=', since))
      .returning('profile_id')
      .executeTakeFirst();
    if (claimed === undefined) return 'none';
    await insertAlert(tx, deps, ctx.settings, 'profile', ctx.profile.id, ctx.profile.ownerUserId, {
      level: 'error',
      code: 'profile_majority_failed',
      message: body,
      details: { failedMailboxes: failedRows.length },
    });
    const owner = ctx.profile.ownerUserId === null ? undefined : await tx.selectFrom('users').select(['id', 'email_address', 'full_name']).where('id', '=', ctx.profile.ownerUserId).executeTakeFirst();
    const ownerMailbox =
      owner === undefined
        ? undefined
        : await tx
            .selectFrom('mailboxes')
            .select(['id', 'email_address'])
            .where('owner_type', '=', 'user')
            .where('owner_id', '=', owner.id)
            .where('outgoing_enabled', '=', true)
            .where('outgoing_status', '=', 'success')
            .executeTakeFirst();
    if (owner === undefined || ownerMailbox === undefined) {
      deps.log.warn({ profileId: ctx.profile.id, failedMailboxes: failedRows.length }, `${subject} (the profile owner has no mailbox that can send; not emailed)`);
      return 'logged';
    }
    const party = (role: 'from' | 'to') => ({ role, address: role === 'from' ? ownerMailbox.email_address : owner.email_address, name: owner.full_name, partyType: 'user', partyId: owner.id });
    await tx
      .insertInto('email_activities')
      .values({
        id: deps.random.uuid(),
        mailbox_id: ownerMailbox.id,
        direction: 'outgoing',
        status: 'pending-send',
        subject,
        body_type: 'text',
        body,
        parties: JSON.stringify([party('from'), party('to')]),
        created_at: nowDate,
        updated_at: nowDate,
      })
      .execute();
    await tx.updateTable('mailboxes').set({ next_outgoing_at: nowDate }).where('id', '=', ownerMailbox.id).execute();
    return 'emailed';
  });
}
