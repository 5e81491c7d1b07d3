/**
 * Which incoming emails become email activities, chosen per user or queue as in Dynamics'
 * personal options ("Track email messages"):
 *   all                    every email;
 *   responses (default)    replies to email the CRM tracked or sent (correlated);
 *   crm-records            responses, and email from leads, contacts and accounts;
 *   email-enabled-records  responses, and email from any record with an email address
 *                          (users, queues, contacts, accounts, leads);
 *   none                   nothing.
 * Each wider rule includes the narrower ones, so choosing a wider rule never stops tracking a reply.
 * @see https://learn.microsoft.com/en-us/power-platform/admin/email-message-filtering-correlation
 */
import type { PartyKind } from './address-resolution.ts';

export type TrackingRule = 'all' | 'responses' | 'crm-records' | 'email-enabled-records' | 'none';

export const trackingRules: ReadonlyArray<TrackingRule> = ['all', 'responses', 'crm-records', 'email-enabled-records', 'none'];
export const defaultTrackingRule: TrackingRule = 'responses';

export type TrackingFacts = {
  /** The email correlates with a tracked email (see correlation.ts). */
  correlated: boolean;
  /** What the sender resolved to, or null when unresolved. */
  senderKind: PartyKind | null;
};

export type TrackingDecision = { track: boolean; reason: string };

const crmRecordKinds: ReadonlySet<PartyKind> = new Set(['contact', 'account', 'lead']);

export function shouldTrack(rule: TrackingRule, facts: TrackingFacts): TrackingDecision {
  switch (rule) {
    case 'none':
      return { track: false, reason: 'the mailbox owner tracks no email' };
    case 'all':
      return { track: true, reason: 'the mailbox owner tracks all email' };
    case 'responses':
      return facts.correlated
        ? { track: true, reason: 'a response to tracked email' }
        : { track: false, reason: 'not a response to tracked email' };
    case 'crm-records':
      if (facts.correlated) return { track: true, reason: 'a response to tracked email' };
      return facts.senderKind !== null && crmRecordKinds.has(facts.senderKind)
        ? { track: true, reason: `from a ${facts.senderKind}` }
        : { track: false, reason: 'not from a lead, contact or account' };
    case 'email-enabled-records':
      if (facts.correlated) return { track: true, reason: 'a response to tracked email' };
      return facts.senderKind !== null
        ? { track: true, reason: `from a ${facts.senderKind}` }
        : { track: false, reason: 'not from an email-enabled record' };
  }
}
