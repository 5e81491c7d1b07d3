/**
 * The incoming pipeline's reads (what is already tracked, which tracked emails match the page's
 * correlation keys, which records own its addresses) and writes (the activity with its parties
 * and attachments, the item link, the Exchange-side follow-up). Writes run inside the fenced
 * transaction that also moves the folder cursor.
 */
import { sql, type Transaction } from 'kysely';
import type { ActivityParty } from '../domain/activity.ts';
import type { PartyRecord } from '../crm/address-resolution.ts';
import type { CorrelationKeys, TrackedEmail } from '../crm/correlation.ts';
import type { AttachmentContent } from '../exchange/driver.ts';
import type { NewEmailActivity } from './plan-incoming.ts';
import type { SyncDatabase, SyncExecutor } from './sync-tables.ts';

/** Activity ids already holding these emails, by Exchange item id (link) or by Message-ID. */
export async function findExisting(db: SyncExecutor, mailboxId: string, items: ReadonlyArray<{ id: string; messageId: string }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (items.length === 0) return out;
  const links = await db
    .selectFrom('email_item_links')
    .select(['exchange_item_id', 'email_id'])
    .where('mailbox_id', '=', mailboxId)
    .where(
      'exchange_item_id',
      'in',
      items.map((i) => i.id),
    )
    .execute();
  for (const l of links) out.set(l.exchange_item_id, l.email_id);
  const ids = items.map((i) => i.messageId).filter((m) => m !== '');
  if (ids.length > 0) {
    const rows = await db.selectFrom('email_activities').select(['id', 'message_id']).where('message_id', 'in', ids).execute();
    const byMessageId = new Map(rows.map((r) => [r.message_id, r.id]));
    for (const i of items) {
      const hit = byMessageId.get(i.messageId);
      if (hit !== undefined && !out.has(i.id)) out.set(i.id, hit);
    }
  }
  return out;
}

/** Tracked emails matching any of the keys, for chooseCorrelation(). */
export async function findTracked(db: SyncExecutor, keys: ReadonlyArray<CorrelationKeys>): Promise<TrackedEmail[]> {
  const messageIds = [...new Set(keys.flatMap((k) => k.messageIds))];
  const tokens = [...new Set(keys.map((k) => k.token).filter((t): t is string => t !== null))];
  const indexes = [...new Set(keys.flatMap((k) => k.conversationIndexes))];
  const subjects = [...new Set(keys.map((k) => k.subjectKey).filter((s): s is string => s !== null && s !== ''))];
  if (messageIds.length + tokens.length + indexes.length + subjects.length === 0) return [];
  const rows = await db
    .selectFrom('email_activities')
    .select(['id', 'message_id', 'tracking_token', 'conversation_index', 'subject_key', 'addresses', 'regarding_type', 'regarding_id', 'conversation_id', 'created_at'])
    .where((eb) =>
      eb.or([
        ...(messageIds.length > 0 ? [eb('message_id', 'in', messageIds)] : []),
        ...(tokens.length > 0 ? [eb('tracking_token', 'in', tokens)] : []),
        ...(indexes.length > 0 ? [eb('conversation_index', 'in', indexes)] : []),
        ...(subjects.length > 0 ? [eb('subject_key', 'in', subjects)] : []),
      ]),
    )
    .where('status', 'not in', ['draft', 'failed'])
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    activityId: r.id,
    internetMessageId: r.message_id,
    trackingToken: r.tracking_token,
    conversationIndex: r.conversation_index,
    subjectKey: r.subject_key ?? '',
    addresses: r.addresses,
    regarding: r.regarding_type === null || r.regarding_id === null ? null : { type: r.regarding_type, id: r.regarding_id },
    conversationId: r.conversation_id,
    createdAt: new Date(r.created_at).getTime(),
  }));
}

/** Every user, queue, contact, account and lead whose address is one of these. */
export async function findPartyRecords(db: SyncExecutor, addresses: ReadonlyArray<string>): Promise<PartyRecord[]> {
  const lower = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (lower.length === 0) return [];
  const byLower = (col: 'email_address') => sql<boolean>`lower(${sql.ref(col)}) in (${sql.join(lower)})`;
  const [users, queues, accounts, leads, contacts] = await Promise.all([
    db.selectFrom('users').select(['id', 'email_address', 'created_at']).where(byLower('email_address')).execute(),
    db.selectFrom('queues').select(['id', 'email_address', 'created_at']).where(byLower('email_address')).execute(),
    db.selectFrom('accounts').select(['id', 'email_address', 'created_at']).where(byLower('email_address')).execute(),
    db.selectFrom('leads').select(['id', 'email_address', 'created_at']).where(byLower('email_address')).execute(),
    db
      .selectFrom('contacts')
      .select(['id', 'email_addresses', 'created_at'])
      .where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(email_addresses) e where lower(e) in (${sql.join(lower)}))`)
      .execute(),
  ]);
  const out: PartyRecord[] = [];
  const push = (kind: PartyRecord['kind'], rows: ReadonlyArray<{ id: string; email_address: string | null; created_at: Date }>) => {
    for (const r of rows) if (r.email_address !== null) out.push({ kind, id: r.id, address: r.email_address, createdAt: new Date(r.created_at).getTime() });
  };
  push('user', users);
  push('queue', queues);
  push('account', accounts);
  push('lead', leads);
  for (const c of contacts) {
    for (const a of c.email_addresses) if (lower.includes(a.toLowerCase())) out.push({ kind: 'contact', id: c.id, address: a, createdAt: new Date(c.created_at).getTime() });
  }
  return out;
}

export function toActivityParties(activity: NewEmailActivity): ActivityParty[] {
  return activity.parties.flatMap((p): ActivityParty[] =>
    p.records.length === 0
      ? [{ role: p.role, address: p.address, name: p.name ?? null, partyType: null, partyId: null }]
      : p.records.map((r) => ({ role: p.role, address: p.address, name: p.name ?? null, partyType: r.kind, partyId: r.id })),
  );
}

export type InsertTracked = {
  id: string;
  mailboxId: string;
  exchangeItemId: string;
  activity: NewEmailActivity;
  attachments: ReadonlyArray<AttachmentContent>;
  now: Date;
};

/**
 * Inserts the activity unless another mailbox tracked the same Message-ID first (the unique
 * index decides, not a read before the write), then links the Exchange item to whichever
 * activity holds the email. Returns that activity's id and whether it is new.
 */
export async function insertTracked(tx: Transaction<SyncDatabase>, t: InsertTracked, newAttachmentId: () => string): Promise<{ activityId: string; created: boolean }> {
  const a = t.activity;
  const inserted = await tx
    .insertInto('email_activities')
    .values({
      id: t.id,
      mailbox_id: t.mailboxId,
      direction: 'incoming',
      status: 'received',
      subject: a.subject,
      body_type: a.body.type,
      body: a.body.content,
      parties: JSON.stringify(toActivityParties(a)),
      regarding_type: a.regarding?.type ?? null,
      regarding_id: a.regarding?.id ?? null,
      message_id: a.internetMessageId,
      in_reply_to: a.inReplyTo,
      conversation_id: a.conversationId ?? a.internetMessageId,
      conversation_index: a.conversationIndex,
      tracking_token: a.trackingToken,
      exchange_item_id: t.exchangeItemId,
      sent_at: a.sentAt === null ? null : new Date(a.sentAt),
      received_at: new Date(a.receivedAt),
      last_error: null,
      subject_key: a.subjectKey,
      addresses: JSON.stringify(a.addresses),
      correlation_method: a.correlatedWith?.method ?? null,
      omitted_attachments: JSON.stringify(a.omittedAttachments),
      created_at: t.now,
      updated_at: t.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  let activityId = inserted?.id;
  const created = activityId !== undefined;
  if (activityId === undefined) {
    const existing = await tx.selectFrom('email_activities').select('id').where('message_id', '=', a.internetMessageId).executeTakeFirst();
    activityId = existing?.id;
  }
  if (activityId === undefined) {
    const linked = await tx.selectFrom('email_item_links').select('email_id').where('mailbox_id', '=', t.mailboxId).where('exchange_item_id', '=', t.exchangeItemId).executeTakeFirst();
    activityId = linked?.email_id;
  }
  if (activityId === undefined) throw new Error(`email ${a.internetMessageId} conflicted but no holder was found`);
  if (created) {
    for (const att of t.attachments) {
      await tx
        .insertInto('email_attachments')
        .values({
          id: newAttachmentId(),
          email_id: activityId,
          name: att.name,
          content_type: att.contentType,
          size: att.size,
          is_inline: att.isInline,
          content_id: att.contentId ?? null,
          content: att.content,
        })
        .execute();
    }
  }
  await linkItem(tx, t.mailboxId, t.exchangeItemId, activityId, t.now);
  return { activityId, created };
}

export async function linkItem(tx: SyncExecutor, mailboxId: string, exchangeItemId: string, emailId: string, now: Date): Promise<void> {
  await tx
    .insertInto('email_item_links')
    .values({ mailbox_id: mailboxId, exchange_item_id: exchangeItemId, email_id: emailId, created_at: now })
    .onConflict((oc) => oc.columns(['mailbox_id', 'exchange_item_id']).doNothing())
    .execute();
}
