/**
 * The pure heart of the incoming pipeline: for one email seen in a mailbox folder, with the facts
 * the engine looked up (is it already tracked? which tracked emails match its correlation keys?
 * which records own its addresses?), decide what happens. No I/O here, so every rule of tracking
 * is tested without a database or an Exchange.
 */
import type { OmittedAttachment } from '../domain/activity.ts';
import type { AttachmentMeta, EmailMessage } from '../exchange/driver.ts';
import { resolveParties, type PartyRecord, type ResolutionOptions, type ResolvedParty } from '../crm/address-resolution.ts';
import { chooseCorrelation, correlationKeys, emailAddresses, type CorrelationMethod, type CorrelationOptions, type TrackedEmail } from '../crm/correlation.ts';
import { subjectKey } from '../crm/subject-key.ts';
import { findToken } from '../crm/tracking-token.ts';
import { shouldTrack, type TrackingRule } from '../crm/tracking-rules.ts';
import { isTestMessageId } from './outbox.ts';

export type IncomingSettings = {
  orgId: string;
  /** Email received before this instant is left alone (the later of profile's and mailbox's). */
  processFrom: number | null;
  trackingRule: TrackingRule;
  correlation: CorrelationOptions;
  resolution: ResolutionOptions;
  /** Attachments larger than this are recorded by name and size but not stored. */
  maxAttachmentBytes: number;
  /**
   * Set when the message sits in a tracked folder: it is tracked whatever the owner's rule, and
   * regards the folder's record unless correlation found one.
   */
  trackedFolder?: { regarding: { type: string; id: string } | null };
};

export type IncomingFacts = {
  message: EmailMessage;
  /** The activity that already holds this email (same Message-ID in this org, or same Exchange item). */
  existingActivityId: string | null;
  /** Tracked emails matching any of correlationKeys(message). */
  tracked: ReadonlyArray<TrackedEmail>;
  /** Records whose address appears on the message. */
  records: ReadonlyArray<PartyRecord>;
};

export type NewEmailActivity = {
  internetMessageId: string;
  inReplyTo: string | null;
  conversationId: string | null;
  conversationIndex: string | null;
  trackingToken: string | null;
  subject: string;
  subjectKey: string;
  body: EmailMessage['body'];
  receivedAt: number;
  sentAt: number | null;
  importance: EmailMessage['importance'];
  parties: ResolvedParty[];
  addresses: string[];
  regarding: { type: string; id: string } | null;
  correlatedWith: { activityId: string; method: CorrelationMethod } | null;
  /** Attachments to download and store. */
  attachments: AttachmentMeta[];
  /** Attachments over the size limit: not downloaded; the activity records them so the CRM user sees what is missing. */
  omittedAttachments: OmittedAttachment[];
};

export type IncomingDecision =
  | { type: 'skip'; reason: string }
  | { type: 'link'; activityId: string; reason: string }
  | { type: 'ignore'; reason: string }
  | { type: 'track'; activity: NewEmailActivity; reason: string };

/** Message classes that are email a person wrote (not receipts, NDRs, meeting requests). */
export function isTrackableClass(itemClass: string): boolean {
  const c = itemClass.toLowerCase();
  return c === 'ipm.note' || (c.startsWith('ipm.note.') && !c.startsWith('ipm.note.rules.'));
}

export function planIncoming(settings: IncomingSettings, facts: IncomingFacts): IncomingDecision {
  const m = facts.message;
  if (facts.existingActivityId !== null) return { type: 'link', activityId: facts.existingActivityId, reason: 'already tracked' };
  if (m.stamp?.orgId === settings.orgId) {
    // Stamped by us: an email we sent (link it to its activity) or a Test & Enable message.
    if (m.stamp.activityId !== undefined) return { type: 'link', activityId: m.stamp.activityId, reason: 'stamped by this org' };
    return { type: 'skip', reason: 'a message Dovetail sent for a test' };
  }
  if (isTestMessageId(m.internetMessageId)) return { type: 'skip', reason: 'a Test & Enable message' };
  if (m.isDraft) return { type: 'skip', reason: 'a draft' };
  if (!isTrackableClass(m.itemClass)) return { type: 'skip', reason: `message class ${m.itemClass}` };
  if (settings.processFrom !== null && m.receivedAt.getTime() < settings.processFrom) {
    return { type: 'skip', reason: 'received before "process email from"' };
  }
  const inTrackedFolder = settings.trackedFolder !== undefined;
  if (settings.trackingRule === 'none' && !inTrackedFolder) return { type: 'ignore', reason: 'the mailbox owner tracks no email' };

  const keys = correlationKeys(m, settings.correlation);
  const correlation = chooseCorrelation(m, keys, facts.tracked);
  const parties = resolveParties(m, facts.records, settings.resolution);
  const sender = parties.find((p) => p.role === 'from');
  const senderKind = sender?.records[0]?.kind ?? null;
  const decision = inTrackedFolder
    ? { track: true, reason: 'in a tracked folder' }
    : shouldTrack(settings.trackingRule, { correlated: correlation.parent !== null, senderKind });
  if (!decision.track) return { type: 'ignore', reason: decision.reason };

  const parent = correlation.parent;
  const attachments = m.attachments.filter((a) => a.size <= settings.maxAttachmentBytes);
  const omittedAttachments = m.attachments
    .filter((a) => a.size > settings.maxAttachmentBytes)
    .map((a): OmittedAttachment => ({ name: a.name, contentType: a.contentType, size: a.size, reason: 'over-size-limit', limitBytes: settings.maxAttachmentBytes }));
  return {
    type: 'track',
    reason: decision.reason,
    activity: {
      internetMessageId: m.internetMessageId,
      inReplyTo: m.inReplyTo ?? null,
      conversationId: parent?.conversationId ?? m.conversationId ?? null,
      conversationIndex: m.conversationIndex ?? null,
      trackingToken: findToken(m.subject, settings.correlation.tokenFormat),
      subject: m.subject,
      subjectKey: subjectKey(m.subject, settings.correlation.tokenFormat),
      body: m.body,
      receivedAt: m.receivedAt.getTime(),
      sentAt: m.sentAt?.getTime() ?? null,
      importance: m.importance,
      parties,
      addresses: emailAddresses(m),
      regarding: parent?.regarding ?? settings.trackedFolder?.regarding ?? null,
      correlatedWith: parent === null || correlation.method === null ? null : { activityId: parent.activityId, method: correlation.method },
      attachments,
      omittedAttachments,
    },
  };
}
