/**
 * The outgoing pipeline of one leased mailbox: send its due Pending Send email through Exchange,
 * exactly once (see outbox.ts for the states and why every attempt after the first looks in
 * Sent Items before sending).
 */
import { sql, type Selectable } from 'kysely';
import type { ActivityParty } from '../domain/activity.ts';
import { subjectKey } from '../crm/subject-key.ts';
import { appendToken, formatToken } from '../crm/tracking-token.ts';
import { AppError } from '../errors.ts';
import type { EmailAddress, MailboxDriver, OutgoingEmail, RemoteFolderId, RemoteItemId } from '../exchange/driver.ts';
import { mailboxAlert } from './alerts.ts';
import type { EngineDeps } from './engine-deps.ts';
import { linkItem } from './incoming-store.ts';
import { recordFailure, resolveFailures } from './item-failures.ts';
import { fenced, type Lease } from './leases.ts';
import { tokenFormat, type MailboxContext } from './mailbox-context.ts';
import { afterSendError, planSend, stampMessageId } from './outbox.ts';
import { decide, type PolicyAction } from './policy.ts';
import type { NextOverride } from './run-record.ts';
import { syncDb, type SyncDatabase } from './sync-tables.ts';
import { enqueueEvent } from './webhook-events.ts';

export type OutgoingRun = {
  processed: number;
  failed: number;
  more: boolean;
  next: NextOverride;
  /** Set when the mailbox itself cannot send: the run ends as this error (pipeline disabled). */
  stop?: { error: AppError; action: PolicyAction };
};

type EmailRow = Selectable<SyncDatabase['email_activities']>;

export async function runOutgoing(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver): Promise<OutgoingRun> {
  const db = syncDb(deps.store.kysely);
  const now = new Date(deps.clock.now());
  const due = await db
    .selectFrom('email_activities')
    .select('id')
    .where('mailbox_id', '=', ctx.mailbox.id)
    .where('status', 'in', ['pending-send', 'sending'])
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('created_at')
    .orderBy('id')
    .limit(deps.options.outboxBatch + 1)
    .execute();
  const batch = due.slice(0, deps.options.outboxBatch);
  let processed = 0;
  let failed = 0;
  for (const { id } of batch) {
    const r = await sendOne(deps, ctx, lease, driver, id);
    if (r.type === 'sent') processed++;
    if (r.type === 'failed') failed++;
    if (r.type === 'stop') return { processed, failed, more: false, next: { at: null, reason: 'disabled', detail: r.error.message }, stop: { error: r.error, action: r.action } };
  }
  const more = due.length > batch.length;
  const waiting = await db
    .selectFrom('email_activities')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('mailbox_id', '=', ctx.mailbox.id)
    .where('status', 'in', ['pending-send', 'sending'])
    .executeTakeFirst();
  const nextAt = more ? now.getTime() : waiting?.at == null ? null : new Date(waiting.at).getTime();
  const detail = more ? 'more email is waiting to be sent' : nextAt === null ? 'the outbox is empty' : 'email is waiting to be retried';
  return { processed, failed, more, next: { at: nextAt, reason: more ? 'more-pages' : nextAt === null ? 'outbox-empty' : 'retry-wait', detail } };
}

type SendResult = { type: 'sent' } | { type: 'failed' } | { type: 'waiting' } | { type: 'skipped' } | { type: 'stop'; error: AppError; action: PolicyAction };

async function sendOne(deps: EngineDeps, ctx: MailboxContext, lease: Lease, driver: MailboxDriver, emailId: string): Promise<SendResult> {
  const db = syncDb(deps.store.kysely);
  const address = ctx.mailbox.emailAddress;

  // 1. Claim: Sending, Message-ID stamped, attempt counted, all before Exchange is called.
  const claimed = await fenced(db, lease, async (tx) => {
    const row = await tx.selectFrom('email_activities').selectAll().where('id', '=', emailId).where('status', 'in', ['pending-send', 'sending']).forUpdate().executeTakeFirst();
    if (row === undefined) return undefined;
    let subject = row.subject;
    let token = row.tracking_token;
    if (token === null && ctx.settings.useTrackingToken) {
      const seq = await sql<{ n: string | number }>`select nextval('email_tracking_token_seq') as n`.execute(tx);
      token = formatToken(Number(seq.rows[0]!.n), tokenFormat(ctx.settings));
      subject = appendToken(subject, token);
    }
    const messageId = row.message_id ?? stampMessageId(deps.random.uuid(), deps.options.messageIdDomain);
    return tx
      .updateTable('email_activities')
      .set({
        status: 'sending',
        message_id: messageId,
        conversation_id: row.conversation_id ?? messageId,
        subject,
        tracking_token: token,
        send_attempts: sql`send_attempts + 1`,
        next_attempt_at: null,
        updated_at: new Date(deps.clock.now()),
      })
      .where('id', '=', emailId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  if (claimed === undefined) return { type: 'skipped' };
  deps.reached?.('outgoing:after-claim');

  try {
    let sentItemId: string | undefined;
    for (const step of planSend({ status: 'sending', internetMessageId: claimed.message_id, sendAttempts: claimed.send_attempts })) {
      if (step.type === 'find-in-sent-items') {
        const sentItems = await driver.getFolder(address, 'sentitems');
        const found = await driver.findByInternetMessageId(address, sentItems.id as RemoteFolderId, step.internetMessageId);
        if (found.length > 0) {
          // An earlier attempt got through before we heard back: it counts as sent.
          sentItemId = found[0]!;
          break;
        }
      } else {
        const sent = await driver.sendMessage(address, await outgoingEmail(deps, ctx, claimed));
        deps.reached?.('outgoing:after-send');
        sentItemId = sent.id ?? '';
      }
    }
    const thread = sentItemId === undefined || sentItemId === '' ? null : await readConversation(deps, driver, address, sentItemId, claimed);
    await markSent(deps, ctx, lease, claimed, sentItemId ?? '', thread);
    deps.reached?.('outgoing:after-mark-sent');
    return { type: 'sent' };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return onSendError(deps, ctx, lease, claimed, error);
  }
}

type SentConversation = { conversationIndex: string | null; conversationId: string | null };

/**
 * The conversation Exchange gave the email, read back from its Sent Items copy, so a reply that
 * carries neither our Message-ID nor our token still correlates by conversation index. Best effort:
 * the email went out whatever this read says, so a failure leaves the fields empty and is logged.
 * After a crash the next attempt finds the copy in Sent Items and reads it then.
 */
async function readConversation(deps: EngineDeps, driver: MailboxDriver, address: string, sentItemId: string, row: EmailRow): Promise<SentConversation | null> {
  try {
    const [read] = await driver.getMessages(address, [sentItemId as RemoteItemId]);
    if (read?.ok === true) return { conversationIndex: read.value.conversationIndex ?? null, conversationId: read.value.conversationId ?? null };
    deps.log.warn({ emailId: row.id, code: read?.ok === false ? read.error.code : 'no_result' }, 'could not read the sent email back for its conversation');
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    deps.log.warn({ emailId: row.id, code: error.code }, 'could not read the sent email back for its conversation');
  }
  return null;
}

/** Every address on the email (from, to, cc), lower case, as smart matching compares them (crm/correlation.ts). */
function sentAddresses(row: EmailRow): string[] {
  const parties = row.parties as ActivityParty[];
  return [...new Set(parties.filter((p) => p.role === 'from' || p.role === 'to' || p.role === 'cc').map((p) => p.address.toLowerCase()))];
}

async function markSent(deps: EngineDeps, ctx: MailboxContext, lease: Lease, row: EmailRow, sentItemId: string, thread: SentConversation | null): Promise<void> {
  const now = new Date(deps.clock.now());
  await fenced(syncDb(deps.store.kysely), lease, async (tx) => {
    await tx
      .updateTable('email_activities')
      .set({
        status: 'sent',
        sent_at: now,
        exchange_item_id: sentItemId === '' ? null : sentItemId,
        last_error: null,
        next_attempt_at: null,
        updated_at: now,
        // What correlation of replies compares (crm/correlation.ts): the incoming store fills these for received email.
        subject_key: subjectKey(row.subject, tokenFormat(ctx.settings)),
        addresses: JSON.stringify(sentAddresses(row)),
        ...(thread?.conversationIndex == null ? {} : { conversation_index: thread.conversationIndex }),
        ...(thread?.conversationId == null ? {} : { conversation_id: thread.conversationId }),
      })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .execute();
    if (sentItemId !== '') await linkItem(tx, ctx.mailbox.id, sentItemId, row.id, now);
    await resolveFailures(tx, ctx.mailbox.id, 'outgoing', { emailId: row.id }, now);
    await enqueueEvent(tx, deps, 'email.sent', { emailId: row.id, mailboxId: ctx.mailbox.id, messageId: row.message_id, subject: row.subject });
  });
}

async function onSendError(deps: EngineDeps, ctx: MailboxContext, lease: Lease, row: EmailRow, error: AppError): Promise<SendResult> {
  const action = decide('outgoing', 'send', error, Math.max(0, row.send_attempts - 1));
  const outcome = afterSendError(action);
  const now = new Date(deps.clock.now());
  const message = `${error.providerCode ?? error.code}: ${error.message}`;
  await fenced(syncDb(deps.store.kysely), lease, async (tx) => {
    if (outcome.status === 'failed') {
      await tx.updateTable('email_activities').set({ status: 'failed', last_error: message, updated_at: now }).where('id', '=', row.id).execute();
      await recordFailure(tx, {
        id: deps.random.uuid(),
        mailboxId: ctx.mailbox.id,
        pipeline: 'outgoing',
        exchangeItemId: null,
        emailId: row.id,
        messageId: row.message_id,
        subject: row.subject,
        error,
        now,
        retentionDays: deps.options.failureRetentionDays,
      });
      await enqueueEvent(tx, deps, 'email.failed', { emailId: row.id, mailboxId: ctx.mailbox.id, messageId: row.message_id, errorCode: error.providerCode ?? error.code });
      return;
    }
    // Waiting (quota, transient) or held (the mailbox cannot send): the email stays queued with its Message-ID.
    const retryAt = outcome.status === 'pending-send' ? new Date(now.getTime() + outcome.retryInMs) : null;
    await tx.updateTable('email_activities').set({ status: 'pending-send', next_attempt_at: retryAt, last_error: message, updated_at: now }).where('id', '=', row.id).execute();
    if (outcome.status === 'pending-send' && outcome.alert && action.type === 'retry' && action.alert !== undefined) {
      await mailboxAlert(tx, deps, ctx, { level: action.alert.level, code: 'send_quota', message: `${action.alert.message} ${action.alert.remedy}`, details: { emailId: row.id } });
    }
  });
  if (outcome.status === 'held') return { type: 'stop', error, action };
  return outcome.status === 'failed' ? { type: 'failed' } : { type: 'waiting' };
}

async function outgoingEmail(deps: EngineDeps, ctx: MailboxContext, row: EmailRow): Promise<OutgoingEmail> {
  const parties = row.parties as ActivityParty[];
  const list = (role: ActivityParty['role']): EmailAddress[] => {
    const seen = new Set<string>();
    const out: EmailAddress[] = [];
    for (const p of parties.filter((x) => x.role === role)) {
      const key = p.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p.name === null ? { address: p.address } : { address: p.address, name: p.name });
    }
    return out;
  };
  const attachments = await syncDb(deps.store.kysely).selectFrom('email_attachments').selectAll().where('email_id', '=', row.id).orderBy('name').execute();
  const email: OutgoingEmail = {
    internetMessageId: row.message_id!,
    from: { address: ctx.mailbox.emailAddress, name: ctx.owner.name },
    to: list('to'),
    cc: list('cc'),
    bcc: list('bcc'),
    subject: row.subject,
    body: { type: row.body_type === 'html' ? 'html' : 'text', content: row.body },
    attachments: attachments.map((a) => ({
      name: a.name,
      contentType: a.content_type,
      content: Buffer.from(a.content),
      isInline: a.is_inline,
      ...(a.content_id === null ? {} : { contentId: a.content_id }),
    })),
    stamp: { orgId: ctx.settings.orgId, activityId: row.id },
  };
  if (row.in_reply_to !== null) {
    email.inReplyTo = row.in_reply_to;
    email.references = [row.in_reply_to];
  }
  return email;
}
