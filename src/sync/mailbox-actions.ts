/**
 * Exchange-side follow-ups of a committed page: stamp and categorize tracked items, mark or move
 * items that failed. They are written in the same transaction as the page's activities and
 * cursor, then carried out; a crash in between leaves them in the table and the next run of the
 * mailbox finishes them. Each is idempotent (a stamp set twice is the same stamp; an item already
 * moved is "not found" and done).
 */
import type { DovetailStamp, MailboxDriver, RemoteFolderId, RemoteItemId } from '../exchange/driver.ts';
import { moveFailureItem } from './item-failures.ts';
import type { SyncExecutor } from './sync-tables.ts';

export const trackedCategory = 'Tracked to Dovetail';
export const undeliverableCategory = 'Undeliverable';
export const undeliverableFolder = 'Undeliverable';

export type MailboxAction =
  | { kind: 'mark-tracked'; itemId: string; stamp: DovetailStamp }
  | { kind: 'mark-undeliverable'; itemId: string; move: boolean };

export async function queueAction(db: SyncExecutor, id: string, mailboxId: string, action: MailboxAction, now: Date): Promise<void> {
  const { kind, itemId, ...payload } = action;
  await db.insertInto('mailbox_actions').values({ id, mailbox_id: mailboxId, kind, exchange_item_id: itemId, payload: JSON.stringify(payload), created_at: now }).execute();
}

export type DrainResult = { done: number; dropped: number };

/**
 * Carries out the mailbox's pending actions. Mailbox-wide errors (auth, transient) are thrown
 * for the policy to judge; one item's error drops that action only.
 */
export async function drainActions(db: SyncExecutor, driver: MailboxDriver, mailboxId: string, address: string, reached?: (step: string) => void): Promise<DrainResult> {
  const rows = await db.selectFrom('mailbox_actions').selectAll().where('mailbox_id', '=', mailboxId).orderBy('created_at').orderBy('id').limit(500).execute();
  let done = 0;
  let dropped = 0;
  const finish = async (ids: string[], ok: boolean[]): Promise<void> => {
    if (ids.length === 0) return;
    await db.deleteFrom('mailbox_actions').where('id', 'in', ids).execute();
    for (const o of ok) (o ? done++ : dropped++);
  };

  const tracked = rows.filter((r) => r.kind === 'mark-tracked');
  // Categories first, in one batch; then one setStamp per item (each stamp names its activity),
  // deleting each action once its stamp is set, so a crash redoes only what was not done.
  if (tracked.length > 0) {
    await driver.addCategories(address, tracked.map((r) => r.exchange_item_id as RemoteItemId), [trackedCategory]);
  }
  for (const r of tracked) {
    const stamp = (r.payload as { stamp: DovetailStamp }).stamp;
    const [res] = await driver.setStamp(address, [r.exchange_item_id as RemoteItemId], stamp);
    reached?.('incoming:after-stamp');
    await finish([r.id], [res?.ok === true]);
  }

  const failed = rows.filter((r) => r.kind === 'mark-undeliverable');
  const toMove = failed.filter((r) => (r.payload as { move: boolean }).move);
  const toTag = failed.filter((r) => !(r.payload as { move: boolean }).move);
  if (toTag.length > 0) {
    const results = await driver.addCategories(address, toTag.map((r) => r.exchange_item_id as RemoteItemId), [undeliverableCategory]);
    await finish(toTag.map((r) => r.id), results.map((x) => x.ok));
  }
  if (toMove.length > 0) {
    const folder = await driver.ensureFolder(address, undeliverableFolder);
    const results = await driver.moveMessages(address, toMove.map((r) => r.exchange_item_id as RemoteItemId), folder.id as RemoteFolderId);
    for (const [i, res] of results.entries()) {
      const row = toMove[i]!;
      if (res.ok) await moveFailureItem(db, mailboxId, row.exchange_item_id, res.value);
    }
    await finish(toMove.map((r) => r.id), results.map((x) => x.ok));
  }
  return { done, dropped };
}
