/**
 * Links an incoming email to an email already tracked, in Dynamics' order, each method
 * switchable in the org settings:
 *   1. In-Reply-To (then References) naming a tracked Message-ID;
 *   2. the tracking token in the subject;
 *   3. the conversation index (the nearest tracked ancestor);
 *   4. smart matching, off by default: the same subject (prefixes and tokens removed) and at
 *      least two shared addresses.
 * @see https://learn.microsoft.com/en-us/power-platform/admin/email-message-filtering-correlation
 *
 * Two pure steps around one lookup: correlationKeys() says what to look for, the caller finds
 * the tracked emails that match those keys, chooseCorrelation() picks the parent.
 */
import type { EmailMessage } from '../exchange/driver.ts';
import { ancestorIndexes } from './conversation-index.ts';
import { subjectKey } from './subject-key.ts';
import { findToken, type TokenFormat } from './tracking-token.ts';

export type CorrelationOptions = {
  inReplyTo: boolean;
  trackingToken: boolean;
  tokenFormat: TokenFormat;
  conversationIndex: boolean;
  smartMatching: boolean;
};

export type CorrelationMethod = 'in-reply-to' | 'tracking-token' | 'conversation-index' | 'smart-matching';

export type CorrelationKeys = {
  /** In-Reply-To first, then References from the newest. */
  messageIds: string[];
  token: string | null;
  /** Ancestor conversation indexes, nearest first. */
  conversationIndexes: string[];
  subjectKey: string | null;
};

/** A tracked email as correlation needs it. */
export type TrackedEmail = {
  activityId: string;
  internetMessageId: string | null;
  trackingToken: string | null;
  conversationIndex: string | null;
  subjectKey: string;
  /** Every address on the email (from, to, cc), lower case. */
  addresses: string[];
  regarding: { type: string; id: string } | null;
  conversationId: string | null;
  /** For picking the newest among several smart matches. */
  createdAt: number;
};

export type Correlation = { method: CorrelationMethod; parent: TrackedEmail } | { method: null; parent: null };

export const smartMatchingMinSharedAddresses = 2;

export function correlationKeys(email: Pick<EmailMessage, 'inReplyTo' | 'references' | 'subject' | 'conversationIndex'>, options: CorrelationOptions): CorrelationKeys {
  const messageIds: string[] = [];
  if (options.inReplyTo) {
    const candidates = [email.inReplyTo, ...[...email.references].reverse()];
    for (const id of candidates) if (id && !messageIds.includes(id)) messageIds.push(id);
  }
  return {
    messageIds,
    token: options.trackingToken ? findToken(email.subject, options.tokenFormat) : null,
    conversationIndexes: options.conversationIndex && email.conversationIndex ? ancestorIndexes(email.conversationIndex) : [],
    subjectKey: options.smartMatching ? subjectKey(email.subject, options.tokenFormat) : null,
  };
}

export function emailAddresses(email: Pick<EmailMessage, 'from' | 'sender' | 'to' | 'cc'>): string[] {
  const all = [email.from, email.sender, ...email.to, ...email.cc].filter((a) => a !== undefined).map((a) => a.address.toLowerCase());
  return [...new Set(all)];
}

/** `found` holds every tracked email matching any key; the order of methods decides. */
export function chooseCorrelation(
  email: Pick<EmailMessage, 'from' | 'sender' | 'to' | 'cc'>,
  keys: CorrelationKeys,
  found: ReadonlyArray<TrackedEmail>,
): Correlation {
  for (const id of keys.messageIds) {
    const hit = found.find((t) => t.internetMessageId === id);
    if (hit) return { method: 'in-reply-to', parent: hit };
  }
  if (keys.token !== null) {
    const hit = newest(found.filter((t) => t.trackingToken === keys.token));
    if (hit) return { method: 'tracking-token', parent: hit };
  }
  for (const index of keys.conversationIndexes) {
    const hit = newest(found.filter((t) => t.conversationIndex === index));
    if (hit) return { method: 'conversation-index', parent: hit };
  }
  if (keys.subjectKey !== null && keys.subjectKey !== '') {
    const mine = new Set(emailAddresses(email));
    const hit = newest(
      found.filter((t) => t.subjectKey === keys.subjectKey && t.addresses.filter((a) => mine.has(a)).length >= smartMatchingMinSharedAddresses),
    );
    if (hit) return { method: 'smart-matching', parent: hit };
  }
  return { method: null, parent: null };
}

function newest(list: TrackedEmail[]): TrackedEmail | undefined {
  return list.reduce<TrackedEmail | undefined>((best, t) => (best === undefined || t.createdAt > best.createdAt ? t : best), undefined);
}
