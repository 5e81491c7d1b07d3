/**
 * The incoming pipeline of one leased mailbox: finish Exchange-side actions left by an earlier
 * run, retry items someone asked to retry, then read the Inbox and each tracked folder since its
 * own cursor, page by page:
 * fetch -> look up -> plan (pure) -> commit the page's activities, failures, follow-up actions and
 * the new cursor in one fenced transaction -> carry out the follow-ups.
 * A crash anywhere repeats at most the current page, and the database's unique indexes make the
 * repeat create nothing twice.
 */
import { sql, type Transaction } from 'kysely';
import { correlationKeys } from '../crm/correlation.ts';
import { addressesToResolve } from '../crm/address-resolution.ts';
import { AppError, toError } from '../errors.ts';
import type { AttachmentContent, EmailMessage, MailboxDriver, RemoteFolderId, RemoteItemId, SyncCursor } from '../exchange/driver.ts';
import { mailboxAlert } from './alerts.ts';
import type { EngineDeps } from './engine-deps.ts';
import { findExisting, findPartyRecords, findTracked, insertTracked, linkItem } from './incoming-store.ts';
import { recordFailure, resolveFailures } from './item-failures.ts';
import { fenced, type Lease } from './leases.ts';
import { drainActions, queueAction } from './mailbox-actions.ts';
import { correlationOptions, processFrom, resolutionOptions, type MailboxContext } from './mailbox-context.ts';
import { planIncoming, type IncomingDecision, type IncomingSettings } from './plan-incoming.ts';
import { decide } from './policy.ts';
import { syncDb, type SyncDatabase } from './sync-tables.ts';
import { enqueueEvent } from './webhook-events.ts';

export type PipelineRun = { processed: number; failed: number; more: boolean };

const inboxKey = 'inbox';
const fetchBatch = 50;

type ItemFailureNote = { itemId: string; message?: EmailMessage; error: AppError };

export async function runIncoming(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver): Promise<PipelineRun> {
  const db = syncDb(deps.store.kysely);
  const address = ctx.mailbox.emailAddress;
  await drainActions(db, driver, ctx.mailbox.id, address, deps.reached);
  let processed = 0;
  let failed = 0;

  const retries = await db
    .selectFrom('sync_item_failures')
    .select('exchange_item_id')
    .where('mailbox_id', '=', ctx.mailbox.id)
    .where('pipeline', '=', 'incoming')
    .where('status', '=', 'retry-requested')
    .where('exchange_item_id', 'is not', null)
    .execute();
  if (retries.length > 0) {
    const r = await processItems(deps, ctx, lease, driver, retries.map((x) => x.exchange_item_id as RemoteItemId), new Map(), null);
    processed += r.processed;
    failed += r.failed;
  }

  const inbox = await driver.getFolder(address, 'inbox');
  const folders: FolderToSync[] = [{ key: inboxKey, id: inbox.id as RemoteFolderId }];
  const tracked = await db.selectFrom('mailbox_tracked_folders').selectAll().where('mailbox_id', '=', ctx.mailbox.id).orderBy('created_at').execute();
  for (const t of tracked) {
    let folderId = t.folder_id;
    if (folderId === null) {
      // Named by the administrator; found, or created as Outlook users create folders they track.
      folderId = (await driver.ensureFolder(address, t.display_name)).id;
      const id = folderId;
      await fenced(db, lease, (tx) => tx.updateTable('mailbox_tracked_folders').set({ folder_id: id }).where('id', '=', t.id).execute());
    }
    folders.push({
      key: `folder:${folderId}`,
      id: folderId as RemoteFolderId,
      tracked: { id: t.id, name: t.display_name, regarding: t.regarding_type === null || t.regarding_id === null ? null : { type: t.regarding_type, id: t.regarding_id } },
    });
  }
  let more = false;
  for (const folder of folders) {
    try {
      const r = await syncFolder(deps, ctx, lease, driver, folder);
      processed += r.processed;
      failed += r.failed;
      more ||= r.more;
    } catch (error) {
      // A tracked folder the user deleted ends its tracking, not the mailbox's incoming email.
      if (folder.tracked !== undefined && error instanceof AppError && error.kind === 'not-found') {
        await forgetTrackedFolder(deps, ctx, lease, folder);
        continue;
      }
      throw error;
    }
  }
  return { processed, failed, more };
}

type FolderToSync = { key: string; id: RemoteFolderId; tracked?: { id: string; name: string; regarding: { type: string; id: string } | null } };

async function syncFolder(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver, folder: FolderToSync): Promise<PipelineRun> {
  const db = syncDb(deps.store.kysely);
  const address = ctx.mailbox.emailAddress;
  let processed = 0;
  let failed = 0;
  let cursor = (await deps.store.mailboxes.getCursor(ctx.mailbox.id, folder.key)) as SyncCursor | undefined;
  let reenumerated = false;
  for (let page = 0; page < deps.options.maxPagesPerRun; page++) {
    let result;
    try {
      result = await driver.syncMessages(address, folder.id, cursor ?? null, deps.options.pageSize);
    } catch (error) {
      const e = error instanceof AppError ? error : null;
      if (e !== null && !reenumerated && decide('incoming', 'sync-folder', e, 0).type === 're-enumerate') {
        // The server forgot our sync state: read the folder from the start; dedupe keeps it idempotent.
        deps.log.warn({ mailbox: address, folder: folder.key, code: e.code }, 'folder cursor no longer valid; re-enumerating');
        await fenced(db, lease, (tx) => tx.deleteFrom('mailbox_cursors').where('mailbox_id', '=', ctx.mailbox.id).where('folder', '=', folder.key).execute());
        cursor = undefined;
        reenumerated = true;
        page--;
        continue;
      }
      throw error;
    }
    const inline = new Map<string, EmailMessage>();
    const ids: RemoteItemId[] = [];
    for (const c of result.changes) {
      if (c.type !== 'upsert') continue;
      if (!ids.includes(c.id)) ids.push(c.id);
      if (c.item !== undefined) inline.set(c.id, c.item);
    }
    const r = await processItems(deps, ctx, lease, driver, ids, inline, { folder: folder.key, cursor: result.nextCursor }, folder.tracked);
    processed += r.processed;
    failed += r.failed;
    cursor = result.nextCursor;
    if (!result.more) return { processed, failed, more: false };
  }
  return { processed, failed, more: true };
}

async function forgetTrackedFolder(deps: EngineDeps, ctx: MailboxContext, lease: Lease, folder: FolderToSync): Promise<void> {
  await fenced(syncDb(deps.store.kysely), lease, async (tx) => {
    await tx.deleteFrom('mailbox_tracked_folders').where('id', '=', folder.tracked!.id).execute();
    await tx.deleteFrom('mailbox_cursors').where('mailbox_id', '=', ctx.mailbox.id).where('folder', '=', folder.key).execute();
    await mailboxAlert(tx, deps, ctx, {
      level: 'warning',
      code: 'tracked_folder_gone',
      message: `The tracked folder "${folder.tracked!.name}" no longer exists in the mailbox; its email is no longer tracked.`,
    });
  });
}

async function processItems(
  deps: EngineDeps,
  ctx: MailboxContext,
  lease: Lease,
  driver: MailboxDriver,
  ids: RemoteItemId[],
  inline: Map<string, EmailMessage>,
  cursorWrite: { folder: string; cursor: SyncCursor } | null,
  trackedFolder?: { regarding: { type: string; id: string } | null },
): Promise<{ processed: number; failed: number }> {
  const db = syncDb(deps.store.kysely);
  const address = ctx.mailbox.emailAddress;
  const messages: EmailMessage[] = [];
  const failures: ItemFailureNote[] = [];

  // 1. Content
  const missing = ids.filter((id) => !inline.has(id));
  for (let i = 0; i < missing.length; i += fetchBatch) {
    const batch = missing.slice(i, i + fetchBatch);
    const results = await driver.getMessages(address, batch);
    for (const [j, res] of results.entries()) {
      if (res.ok) {
        inline.set(batch[j]!, res.value);
        continue;
      }
      const action = decide('incoming', 'fetch-item', res.error, 0);
      // Retry, or stop the pipeline (credentials, impersonation, mailbox gone): the page is not
      // committed, so its cursor stays where it was and no email is passed over.
      if (action.type === 'retry' || action.type === 'disable-pipeline') throw res.error;
      if (action.type === 'fail-item') failures.push({ itemId: batch[j]!, error: res.error });
    }
  }
  for (const id of ids) {
    const m = inline.get(id);
    if (m !== undefined) messages.push(m);
  }

  // 2. Look-ups and the pure plan
  const settings: IncomingSettings = {
    orgId: ctx.settings.orgId,
    processFrom: processFrom(ctx),
    trackingRule: ctx.owner.trackingRule,
    correlation: correlationOptions(ctx.settings),
    resolution: resolutionOptions(ctx.settings),
    maxAttachmentBytes: ctx.settings.maxAttachmentSizeKb * 1024,
    ...(trackedFolder === undefined ? {} : { trackedFolder: { regarding: trackedFolder.regarding } }),
  };
  const existing = await findExisting(db, ctx.mailbox.id, messages.map((m) => ({ id: m.id, messageId: m.internetMessageId })));
  const keys = messages.map((m) => correlationKeys(m, settings.correlation));
  const tracked = await findTracked(db, keys);
  const records = await findPartyRecords(db, messages.flatMap((m) => addressesToResolve(m)));
  const planned: Array<{ message: EmailMessage; decision: IncomingDecision; attachments: AttachmentContent[] }> = [];
  for (const message of messages) {
    const decision = planIncoming(settings, { message, existingActivityId: existing.get(message.id) ?? null, tracked, records });
    planned.push({ message, decision, attachments: [] });
  }

  // 3. Attachment content for what will be tracked
  for (const p of planned) {
    if (p.decision.type !== 'track' || p.decision.activity.attachments.length === 0) continue;
    const results = await driver.getAttachments(address, p.message.id, p.decision.activity.attachments.map((a) => a.id));
    const bad = results.find((r) => !r.ok);
    if (bad !== undefined && !bad.ok) {
      const action = decide('incoming', 'fetch-item', bad.error, 0);
      if (action.type === 'retry' || action.type === 'disable-pipeline') throw bad.error;
      failures.push({ itemId: p.message.id, message: p.message, error: bad.error });
      p.decision = { type: 'skip', reason: 'attachment failed' };
      continue;
    }
    p.attachments = results.flatMap((r) => (r.ok ? [r.value] : []));
  }

  // 4. Commit the page, fenced
  const now = new Date(deps.clock.now());
  const move = ctx.profile.moveFailedToUndeliverable;
  let processed = 0;
  const failedItems = new Set<string>();
  await fenced(db, lease, async (tx) => {
    for (const p of planned) {
      const d = p.decision;
      if (d.type === 'link') {
        await linkItem(tx, ctx.mailbox.id, p.message.id, d.activityId, now);
        continue;
      }
      if (d.type !== 'track') continue;
      await sql`savepoint track_item`.execute(tx);
      try {
        const { activityId, created } = await insertTracked(tx, { id: deps.random.uuid(), mailboxId: ctx.mailbox.id, exchangeItemId: p.message.id, activity: d.activity, attachments: p.attachments, now }, () => deps.random.uuid());
        await queueAction(tx, deps.random.uuid(), ctx.mailbox.id, { kind: 'mark-tracked', itemId: p.message.id, stamp: { orgId: ctx.settings.orgId, activityId } }, now);
        await resolveFailures(tx, ctx.mailbox.id, 'incoming', { exchangeItemIds: [p.message.id] }, now);
        if (created) {
          await enqueueEvent(tx, deps, 'email.tracked', { emailId: activityId, mailboxId: ctx.mailbox.id, messageId: d.activity.internetMessageId, subject: d.activity.subject, correlation: d.activity.correlatedWith?.method ?? null });
        }
        await sql`release savepoint track_item`.execute(tx);
        processed++;
      } catch (error) {
        await sql`rollback to savepoint track_item`.execute(tx);
        failures.push({ itemId: p.message.id, message: p.message, error: asItemError(error) });
      }
    }
    for (const f of failures) {
      failedItems.add(f.itemId);
      await recordFailure(tx, {
        id: deps.random.uuid(),
        mailboxId: ctx.mailbox.id,
        pipeline: 'incoming',
        exchangeItemId: f.itemId,
        emailId: null,
        messageId: f.message?.internetMessageId ?? null,
        subject: f.message?.subject ?? '',
        error: f.error,
        now,
        retentionDays: deps.options.failureRetentionDays,
      });
      await queueAction(tx, deps.random.uuid(), ctx.mailbox.id, { kind: 'mark-undeliverable', itemId: f.itemId, move }, now);
    }
    if (cursorWrite !== null) await writeCursor(tx, ctx.mailbox.id, cursorWrite.folder, cursorWrite.cursor, now);
    deps.reached?.('incoming:before-commit');
  });
  deps.reached?.('incoming:after-commit');
  await drainActions(db, driver, ctx.mailbox.id, address, deps.reached);
  deps.reached?.('incoming:after-actions');
  return { processed, failed: failedItems.size };
}

async function writeCursor(tx: Transaction<SyncDatabase>, mailboxId: string, folder: string, cursor: string, now: Date): Promise<void> {
  await tx
    .insertInto('mailbox_cursors')
    .values({ mailbox_id: mailboxId, folder, cursor, updated_at: now })
    .onConflict((oc) => oc.columns(['mailbox_id', 'folder']).doUpdateSet({ cursor, updated_at: now }))
    .execute();
}

/** A database refusal of one email (bad bytes, a value out of range) is that email's failure. */
function asItemError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = toError(error);
  const pgCode = (error as { code?: unknown }).code;
  return new AppError('activity_create_failed', `The email activity could not be created: ${e.message}`, {
    kind: 'permanent',
    ...(typeof pgCode === 'string' ? { providerCode: `pg:${pgCode}` } : {}),
  });
}
