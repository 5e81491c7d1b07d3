/**
 * Per-item failures of the ACT pipeline, in the same table and with the same retry action as the
 * email pipelines (sync/item-failures.ts), so the admin center lists and retries them alike.
 *
 * An item with an Exchange id is keyed by it. A CRM record that has no Exchange item yet (its
 * create failed) is keyed by its failure title, which names the kind and the CRM id, so repeated
 * failures of one record count attempts on one row instead of adding rows.
 * Failures of a mailbox whose ACT run went through every item are resolved; a run stopped by the
 * safety valve resolves nothing, since it attempted nothing.
 */
import { sql } from 'kysely';
import type { Random } from '../../clock.ts';
import { recordFailure } from '../item-failures.ts';
import type { SyncExecutor } from '../sync-tables.ts';
import type { ItemFailure } from './act-cycle.ts';

export type ActFailureContext = { mailboxId: string; now: Date; retentionDays: number; random: Random };

/** The row title: what the admin center shows, and the key of a failure without an Exchange id. */
export function failureTitle(f: ItemFailure): string {
  const what = f.title === null || f.title === '' ? '' : ` "${f.title}"`;
  return f.crmId === null ? `${f.kind}${what}` : `${f.kind}${what} (CRM record ${f.crmId})`;
}

export async function recordActFailures(db: SyncExecutor, c: ActFailureContext, failures: readonly ItemFailure[]): Promise<void> {
  for (const f of failures) {
    const subject = failureTitle(f).slice(0, 500);
    const error = { code: f.error.code, message: f.error.message, providerCode: f.error.providerCode };
    if (f.remoteId !== null) {
      await recordFailure(db, { id: c.random.uuid(), mailboxId: c.mailboxId, pipeline: 'act', exchangeItemId: f.remoteId, emailId: null, messageId: null, subject, error, now: c.now, retentionDays: c.retentionDays });
      continue;
    }
    const existing = await db
      .selectFrom('sync_item_failures')
      .select('id')
      .where('mailbox_id', '=', c.mailboxId)
      .where('pipeline', '=', 'act')
      .where('exchange_item_id', 'is', null)
      .where('subject', '=', subject)
      .where('status', '!=', 'resolved')
      .executeTakeFirst();
    if (existing === undefined) {
      await recordFailure(db, { id: c.random.uuid(), mailboxId: c.mailboxId, pipeline: 'act', exchangeItemId: null, emailId: null, messageId: null, subject, error, now: c.now, retentionDays: c.retentionDays });
      continue;
    }
    const keepUntil = new Date(c.now.getTime() + c.retentionDays * 86_400_000);
    await db
      .updateTable('sync_item_failures')
      .set({ attempts: sql`attempts + 1`, status: 'failed', error_code: error.code, error_message: error.message.slice(0, 2000), provider_code: error.providerCode ?? null, last_failed_at: c.now, keep_until: keepUntil })
      .where('id', '=', existing.id)
      .execute();
  }
}

/** Marks resolved every open ACT failure of the mailbox that did not fail again in this run. */
export async function resolveActFailures(db: SyncExecutor, mailboxId: string, stillFailing: readonly ItemFailure[], now: Date): Promise<void> {
  const remoteIds = stillFailing.flatMap((f) => (f.remoteId === null ? [] : [f.remoteId]));
  const titles = stillFailing.filter((f) => f.remoteId === null).map((f) => failureTitle(f).slice(0, 500));
  let q = db.updateTable('sync_item_failures').set({ status: 'resolved', resolved_at: now }).where('mailbox_id', '=', mailboxId).where('pipeline', '=', 'act').where('status', '!=', 'resolved');
  if (remoteIds.length > 0) q = q.where((eb) => eb.or([eb('exchange_item_id', 'is', null), eb('exchange_item_id', 'not in', remoteIds)]));
  if (titles.length > 0) q = q.where((eb) => eb.or([eb('exchange_item_id', 'is not', null), eb('subject', 'not in', titles)]));
  await q.execute();
}
