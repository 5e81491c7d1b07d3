/**
 * The outbox: how an email the CRM asked to send moves through its states.
 *
 *   draft ──send──> pending-send ──claim (Message-ID stamped)──> sending ──> sent
 *                       ^                                          │  └────> failed ──retry──> pending-send
 *                       └──────── quota / transient: wait ─────────┘
 *
 * The Message-ID is stamped in the same write that moves the email to `sending`, before Exchange
 * is called. Once any attempt has begun, Exchange may have sent the email even if we never
 * heard back (crash, timeout), so every later attempt first looks the Message-ID up in Sent Items
 * and only sends when it is not there: an email is never sent twice.
 */
import { AppError } from '../errors.ts';
import type { PolicyAction } from './policy.ts';

export type EmailStatus = 'draft' | 'pending-send' | 'sending' | 'sent' | 'failed' | 'received' | 'canceled';

export type OutboxEmail = {
  status: EmailStatus;
  internetMessageId: string | null;
  /** Attempts begun so far (incremented by the claim, before Exchange is called). */
  sendAttempts: number;
};

const allowed: Record<EmailStatus, ReadonlyArray<EmailStatus>> = {
  draft: ['pending-send', 'canceled'],
  'pending-send': ['sending', 'draft', 'canceled'],
  // Back to pending-send only through a wait (quota, transient); the Message-ID stays.
  sending: ['sent', 'failed', 'pending-send'],
  failed: ['pending-send'],
  sent: [],
  received: [],
  canceled: [],
};

export function canTransition(from: EmailStatus, to: EmailStatus): boolean {
  return allowed[from].includes(to);
}

export function assertTransition(from: EmailStatus, to: EmailStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('invalid_email_status_transition', `An email in status ${from} cannot become ${to}.`, {
      kind: 'conflict',
      status: 409,
      details: { from, to },
    });
  }
}

/** The Message-ID Dovetail stamps: unique, and naming our host so replies are recognisable. */
export function stampMessageId(uuid: string, domain: string): string {
  return `<${uuid.replace(/-/g, '')}.dovetail@${domain}>`;
}

/**
 * The Message-ID of a Test & Enable message. Our stamp (an extended property) stays on the
 * sender's copy and does not travel with the message, so the copy that arrives is recognised by
 * its Message-ID and never tracked.
 */
export function testMessageId(uuid: string, domain: string): string {
  return `<test-${uuid.replace(/-/g, '')}.dovetail@${domain}>`;
}

export function isTestMessageId(internetMessageId: string): boolean {
  return /^<test-[0-9a-f]{32}\.dovetail@[^>]+>$/.test(internetMessageId);
}

export type SendStep =
  /** Look for the Message-ID in Sent Items; when found the email counts as sent. */
  | { type: 'find-in-sent-items'; internetMessageId: string }
  | { type: 'send'; internetMessageId: string };

/** What to do with an email just claimed (status `sending`, Message-ID stamped, attempts counted). */
export function planSend(email: OutboxEmail): SendStep[] {
  if (email.status !== 'sending' || email.internetMessageId === null) {
    throw new AppError('email_not_claimed', 'Only a claimed email with a stamped Message-ID can be sent.', { kind: 'permanent' });
  }
  const id = email.internetMessageId;
  // sendAttempts counts this attempt too: more than one means an earlier one began.
  return email.sendAttempts > 1 ? [{ type: 'find-in-sent-items', internetMessageId: id }, { type: 'send', internetMessageId: id }] : [{ type: 'send', internetMessageId: id }];
}

export type SendOutcome =
  | { status: 'sent' }
  | { status: 'pending-send'; retryInMs: number; reason: string; alert: boolean }
  | { status: 'failed'; reason: string }
  /** The mailbox cannot send until an administrator acts: the email waits, the pipeline is disabled. */
  | { status: 'held'; reason: string };

/** Where a send error leaves the email, from the policy's decision. */
export function afterSendError(action: PolicyAction): SendOutcome {
  switch (action.type) {
    case 'retry':
      return { status: 'pending-send', retryInMs: action.delayMs, reason: action.reason, alert: action.alert !== undefined };
    case 'disable-pipeline':
      return { status: 'held', reason: action.reason };
    case 'skip-item':
    case 'fail-item':
    case 're-enumerate':
      return { status: 'failed', reason: action.reason };
  }
}
