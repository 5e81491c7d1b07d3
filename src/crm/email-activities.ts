/**
 * Email activities as a CRM app works with them: list and filter, read one with its parties,
 * body and attachments, write a draft, send it (Draft -> Pending Send, picked up by the outbox
 * within seconds), retry a failed one. The same rules serve the REST API and the CLI.
 */
import { sql, type Transaction } from 'kysely';
import type { ActivityParty, EmailActivity, OmittedAttachment, Regarding } from '../domain/activity.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import { audited, requireMailboxAccess, type UseCaseContext } from '../use-cases/context.ts';
import { syncDb, type SyncExecutor } from '../sync/sync-tables.ts';
import { resolveRecipient, type PartyRecord } from './address-resolution.ts';
import { findPartyRecords } from '../sync/incoming-store.ts';
import { canTransition, type EmailStatus } from '../sync/outbox.ts';

export type EmailFilter = {
  mailboxId?: string;
  /** An address, or the id of a user, queue, contact, account or lead on the email. */
  party?: string;
  regardingId?: string;
  direction?: 'incoming' | 'outgoing';
  status?: EmailStatus;
  /** Inclusive bounds on the received (incoming) or created (outgoing) time, ISO 8601. */
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
};

/** The PostgreSQL channel that tells workers an email was put in Pending Send (payload: the mailbox id). */
export const OUTBOX_CHANNEL = 'dovetail_outbox';

export type EmailView = EmailActivity & { sendAttempts: number; nextAttemptAt: string | null; correlationMethod: string | null; omittedAttachments: OmittedAttachment[] };

export type DraftInput = {
  mailboxId: string;
  to: Array<{ address: string; name?: string }>;
  cc?: Array<{ address: string; name?: string }>;
  bcc?: Array<{ address: string; name?: string }>;
  subject: string;
  body: string;
  bodyType?: 'html' | 'text';
  regarding?: Regarding | null;
  inReplyTo?: string | null;
  attachments?: Array<{ name: string; contentType: string; contentBase64: string; isInline?: boolean; contentId?: string }>;
};

const maxSubject = 800;

export async function listEmails(ctx: UseCaseContext, f: EmailFilter = {}): Promise<EmailView[]> {
  const db = syncDb(ctx.store.kysely);
  let q = db.selectFrom('email_activities').select('id');
  if (f.mailboxId !== undefined) q = q.where('mailbox_id', '=', f.mailboxId);
  if (f.direction !== undefined) q = q.where('direction', '=', f.direction);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.regardingId !== undefined) q = q.where('regarding_id', '=', f.regardingId);
  if (f.party !== undefined) {
    const p = f.party.toLowerCase();
    q = q.where(sql<boolean>`exists (select 1 from jsonb_array_elements(parties) x where lower(x->>'address') = ${p} or x->>'partyId' = ${f.party})`);
  }
  const when = sql`coalesce(received_at, sent_at, created_at)`;
  if (f.from !== undefined) q = q.where(sql<boolean>`${when} >= ${new Date(f.from)}`);
  if (f.to !== undefined) q = q.where(sql<boolean>`${when} <= ${new Date(f.to)}`);
  const rows = await q.orderBy(sql`${when}`, 'desc').orderBy('id').limit(Math.min(f.limit ?? 100, 1000)).offset(f.offset ?? 0).execute();
  const out: EmailView[] = [];
  for (const r of rows) out.push(await view(ctx, db, r.id));
  return out;
}

export async function getEmail(ctx: UseCaseContext, id: string): Promise<EmailView> {
  return view(ctx, syncDb(ctx.store.kysely), id);
}

async function view(ctx: UseCaseContext, db: SyncExecutor, id: string): Promise<EmailView> {
  const email = await ctx.store.activities.getEmail(id);
  if (email === undefined) throw notFound('email', id);
  const extra = await db.selectFrom('email_activities').select(['send_attempts', 'next_attempt_at', 'correlation_method', 'omitted_attachments']).where('id', '=', id).executeTakeFirstOrThrow();
  return {
    ...email,
    sendAttempts: extra.send_attempts,
    nextAttemptAt: extra.next_attempt_at === null ? null : new Date(extra.next_attempt_at).toISOString(),
    correlationMethod: extra.correlation_method,
    omittedAttachments: extra.omitted_attachments,
  };
}

export async function createDraft(ctx: UseCaseContext, input: DraftInput): Promise<EmailView> {
  const mailbox = await ctx.store.mailboxes.require(input.mailboxId);
  requireMailboxAccess(ctx, mailbox);
  const issues: Array<{ field: string; rule: string; message: string }> = [];
  if (input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0) === 0) issues.push({ field: 'to', rule: 'required', message: 'needs at least one recipient' });
  for (const [field, list] of [['to', input.to], ['cc', input.cc ?? []], ['bcc', input.bcc ?? []]] as const) {
    for (const a of list) if (!/^[^\s@]+@[^\s@]+$/.test(a.address)) issues.push({ field, rule: 'email', message: `${a.address} is not an email address` });
  }
  if (input.subject.length > maxSubject) issues.push({ field: 'subject', rule: 'max-length', message: `must be at most ${maxSubject} characters` });
  if (issues.length > 0) throw new ValidationError(issues);
  const id = await audited<string>(ctx, { action: 'email.create-draft', entityType: 'email', entityId: (x) => x, changes: () => ({ mailboxId: input.mailboxId, subject: input.subject }) }, async (tx) => {
    const db = syncDb(tx.db as Transaction<Database>);
    const owner = mailbox.ownerType === 'user' ? await tx.users.require(mailbox.ownerId) : await tx.queues.get(mailbox.ownerId);
    const ownerName = owner === undefined ? null : 'fullName' in owner ? owner.fullName : owner.name;
    const addresses = [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])].map((a) => a.address);
    const records = await findPartyRecords(db, addresses);
    const parties: ActivityParty[] = [
      { role: 'from', address: mailbox.emailAddress, name: ownerName, partyType: mailbox.ownerType, partyId: mailbox.ownerId },
      ...partiesFor('to', input.to, records),
      ...partiesFor('cc', input.cc ?? [], records),
      ...partiesFor('bcc', input.bcc ?? [], records),
    ];
    const email = await tx.activities.createEmail({
      mailboxId: mailbox.id,
      direction: 'outgoing',
      status: 'draft',
      subject: input.subject,
      bodyType: input.bodyType ?? 'html',
      body: input.body,
      parties,
      regarding: input.regarding ?? null,
      messageId: null,
      inReplyTo: input.inReplyTo ?? null,
      conversationId: null,
      conversationIndex: null,
      trackingToken: null,
      exchangeItemId: null,
      sentAt: null,
      receivedAt: null,
      lastError: null,
    });
    for (const a of input.attachments ?? []) {
      const content = Buffer.from(a.contentBase64, 'base64');
      await tx.activities.addAttachment(email.id, { name: a.name, contentType: a.contentType, size: content.length, isInline: a.isInline ?? false, contentId: a.contentId ?? null, content });
    }
    return email.id;
  });
  return getEmail(ctx, id);
}

function partiesFor(role: 'to' | 'cc' | 'bcc', list: ReadonlyArray<{ address: string; name?: string }>, records: ReadonlyArray<PartyRecord>): ActivityParty[] {
  return list.flatMap((a): ActivityParty[] => {
    const refs = resolveRecipient(records.filter((r) => r.address.toLowerCase() === a.address.toLowerCase()), { senderDuplicates: 'oldest', recipientsWhenSeveral: 'all' });
    const name = a.name ?? null;
    return refs.length === 0 ? [{ role, address: a.address, name, partyType: null, partyId: null }] : refs.map((r) => ({ role, address: a.address, name, partyType: r.kind, partyId: r.id }));
  });
}

/** Draft -> Pending Send; the mailbox's outgoing pipeline becomes due at once. */
export async function sendEmail(ctx: UseCaseContext, id: string): Promise<EmailView> {
  return moveToPendingSend(ctx, id, 'draft', 'email.send');
}

/** Failed -> Pending Send, keeping its Message-ID so a send that did get through is not repeated. */
export async function retryEmail(ctx: UseCaseContext, id: string): Promise<EmailView> {
  return moveToPendingSend(ctx, id, 'failed', 'email.retry');
}

async function moveToPendingSend(ctx: UseCaseContext, id: string, from: EmailStatus, action: string): Promise<EmailView> {
  const email = await ctx.store.activities.getEmail(id);
  if (email === undefined) throw notFound('email', id);
  if (email.mailboxId === null) throw new AppError('email_without_mailbox', 'The email has no mailbox to send it through.', { kind: 'invalid-input', status: 409 });
  requireMailboxAccess(ctx, await ctx.store.mailboxes.require(email.mailboxId));
  if (email.direction !== 'outgoing' || email.status !== from || !canTransition(from, 'pending-send')) {
    throw new AppError('invalid_email_status_transition', `Only a ${from} outgoing email can be ${from === 'draft' ? 'sent' : 'retried'}; this one is ${email.direction} and ${email.status}.`, {
      kind: 'conflict',
      status: 409,
      details: { status: email.status },
    });
  }
  await audited(ctx, { action, entityType: 'email', entityId: () => id, changes: () => ({ status: { from, to: 'pending-send' } }) }, async (tx) => {
    const db = syncDb(tx.db as Transaction<Database>);
    const now = new Date(ctx.clock.now());
    const r = await db.updateTable('email_activities').set({ status: 'pending-send', next_attempt_at: null, last_error: null, updated_at: now }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw new AppError('invalid_email_status_transition', 'The email changed status meanwhile.', { kind: 'conflict', status: 409 });
    await db.updateTable('sync_item_failures').set({ status: 'resolved', resolved_at: now }).where('email_id', '=', id).where('status', '!=', 'resolved').execute();
    await db
      .updateTable('mailboxes')
      .set({ next_outgoing_at: sql`least(coalesce(next_outgoing_at, ${now}), ${now})` })
      .where('id', '=', email.mailboxId!)
      .execute();
    // Delivered at commit to every worker listening (PostgreSQL); polling stays the floor.
    if (ctx.store.engine === 'postgres') await sql`select pg_notify(${OUTBOX_CHANNEL}, ${email.mailboxId!})`.execute(db);
  });
  return getEmail(ctx, id);
}
