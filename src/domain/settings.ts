/**
 * Org email settings: the defaults applied to mailboxes and the tracking/correlation options
 * (Dynamics "Email settings": synchronization methods, approval, tracking, correlation).
 */
import type { ValidationError } from '../errors.ts';
import { ALERT_LEVELS, type AlertLevel } from './alert.ts';
import { checkBoolean, checkIntRange, checkOneOf, checkTenant, checkText, checkUuid, issue, toValidationError, type Issue } from './rules.ts';

export const SYNC_METHODS = ['server-side-sync', 'none'] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];

/** Which incoming emails become email activities (Dynamics "Track" option). */
export const TRACK_EMAIL_OPTIONS = ['all', 'responses-to-crm', 'from-crm-parties', 'from-email-enabled-records'] as const;
export type TrackEmailOption = (typeof TRACK_EMAIL_OPTIONS)[number];

/**
 * When a sender's address matches several records of the first kind found (user, queue, contact,
 * account, lead): the oldest, the most recently created, or leave the sender unresolved.
 */
export const SENDER_DUPLICATE_RULES = ['oldest', 'newest', 'unresolved'] as const;
export type SenderDuplicateRule = (typeof SENDER_DUPLICATE_RULES)[number];

/** To/Cc/Bcc addresses matching several records: all of them, or leave the address unresolved. */
export const RECIPIENT_DUPLICATE_RULES = ['all', 'unresolved'] as const;
export type RecipientDuplicateRule = (typeof RECIPIENT_DUPLICATE_RULES)[number];

/** Dynamics' attachment size setting: 5,120 KB by default, at most 131,072 KB (128 MB). */
export const MAX_ATTACHMENT_SIZE_KB = { min: 1, max: 131_072, default: 5_120 } as const;

export type TrackingTokenFormat = {
  prefix: string;
  baseDigits: number;
  userDigits: number;
  counterDigits: number;
};

export type OrgEmailSettings = {
  defaultProfileId: string | null;
  incomingMethod: SyncMethod;
  outgoingMethod: SyncMethod;
  actMethod: SyncMethod;
  processOnlyApprovedUsers: boolean;
  processOnlyApprovedQueues: boolean;
  trackEmails: TrackEmailOption;
  useTrackingToken: boolean;
  trackingTokenFormat: TrackingTokenFormat;
  useInReplyTo: boolean;
  useConversationIndex: boolean;
  useSmartMatching: boolean;
  /** Alerts on a mailbox's wall also go to its owner's (Dynamics: "alert the mailbox owner"). */
  alertMailboxOwners: boolean;
  /**
   * Which alert levels are recorded on the walls (Dynamics' Error / Warning / Information alert
   * options). An alert of a level left out is not recorded; a mailbox's last error is kept on the
   * mailbox either way.
   */
  alertLevels: AlertLevel[];
  senderDuplicateRule: SenderDuplicateRule;
  recipientDuplicateRule: RecipientDuplicateRule;
  /** Incoming attachments larger than this are not stored; the email activity records what was left out. */
  maxAttachmentSizeKb: number;
  /** "Sync items with Exchange from this org only, even if Exchange was set to sync with a different org." */
  syncOnlyFromThisOrg: boolean;
  /** Stamped into Exchange items this org syncs, so another org's items can be told apart. */
  orgId: string;
  /** The org-level Exchange Online tenant id profiles use with useDefaultTenantId. */
  defaultExchangeOnlineTenantId: string | null;
  updatedAt: string;
};

export type OrgEmailSettingsPatch = Partial<Omit<OrgEmailSettings, 'orgId' | 'updatedAt'>>;

/** Dynamics' defaults: server-side sync, approval required, token "CRM:" with 2/3/3 digits, smart matching off. */
export function defaultOrgEmailSettings(orgId: string, nowIso: string): OrgEmailSettings {
  return {
    defaultProfileId: null,
    incomingMethod: 'server-side-sync',
    outgoingMethod: 'server-side-sync',
    actMethod: 'server-side-sync',
    processOnlyApprovedUsers: true,
    processOnlyApprovedQueues: true,
    trackEmails: 'responses-to-crm',
    useTrackingToken: true,
    trackingTokenFormat: { prefix: 'CRM:', baseDigits: 2, userDigits: 3, counterDigits: 3 },
    useInReplyTo: true,
    useConversationIndex: true,
    useSmartMatching: false,
    syncOnlyFromThisOrg: false,
    alertMailboxOwners: true,
    alertLevels: [...ALERT_LEVELS],
    senderDuplicateRule: 'oldest',
    recipientDuplicateRule: 'all',
    maxAttachmentSizeKb: MAX_ATTACHMENT_SIZE_KB.default,
    orgId,
    defaultExchangeOnlineTenantId: null,
    updatedAt: nowIso,
  };
}

export function validateOrgEmailSettings(s: OrgEmailSettings): ValidationError | undefined {
  const out: Issue[] = [];
  out.push(...checkUuid('defaultProfileId', s.defaultProfileId, false));
  out.push(...checkOneOf('incomingMethod', s.incomingMethod, SYNC_METHODS));
  out.push(...checkOneOf('outgoingMethod', s.outgoingMethod, SYNC_METHODS));
  out.push(...checkOneOf('actMethod', s.actMethod, SYNC_METHODS));
  for (const f of ['processOnlyApprovedUsers', 'processOnlyApprovedQueues', 'useTrackingToken', 'useInReplyTo', 'useConversationIndex', 'useSmartMatching', 'syncOnlyFromThisOrg', 'alertMailboxOwners'] as const) {
    out.push(...checkBoolean(f, s[f]));
  }
  out.push(...checkOneOf('trackEmails', s.trackEmails, TRACK_EMAIL_OPTIONS));
  out.push(...checkAlertLevels(s.alertLevels));
  out.push(...checkOneOf('senderDuplicateRule', s.senderDuplicateRule, SENDER_DUPLICATE_RULES));
  out.push(...checkOneOf('recipientDuplicateRule', s.recipientDuplicateRule, RECIPIENT_DUPLICATE_RULES));
  out.push(...checkIntRange('maxAttachmentSizeKb', s.maxAttachmentSizeKb, MAX_ATTACHMENT_SIZE_KB.min, MAX_ATTACHMENT_SIZE_KB.max));
  const t = s.trackingTokenFormat as Partial<TrackingTokenFormat> | undefined;
  if (typeof t !== 'object' || t === null) {
    out.push(issue('trackingTokenFormat', 'required', 'is required'));
  } else {
    out.push(...checkText('trackingTokenFormat.prefix', t.prefix, { required: false, max: 20 }));
    if (typeof t.prefix === 'string' && /[\s\]]/.test(t.prefix)) {
      out.push(issue('trackingTokenFormat.prefix', 'token-chars', 'must not contain spaces or "]"'));
    }
    // Dynamics allows 1-9 digits for the base number and 1-9 for user and counter parts.
    out.push(...checkIntRange('trackingTokenFormat.baseDigits', t.baseDigits, 1, 9));
    out.push(...checkIntRange('trackingTokenFormat.userDigits', t.userDigits, 1, 9));
    out.push(...checkIntRange('trackingTokenFormat.counterDigits', t.counterDigits, 1, 9));
  }
  out.push(...checkTenant('defaultExchangeOnlineTenantId', s.defaultExchangeOnlineTenantId, false));
  return toValidationError(out);
}

/** A subset of error, warning and information, each at most once; empty records no alert at all. */
function checkAlertLevels(value: unknown): Issue[] {
  if (value === undefined) return [issue('alertLevels', 'required', 'is required')];
  if (!Array.isArray(value)) return [issue('alertLevels', 'type', `must be a list of ${ALERT_LEVELS.join(', ')}`)];
  const unknown = value.filter((v) => typeof v !== 'string' || !(ALERT_LEVELS as ReadonlyArray<string>).includes(v));
  if (unknown.length > 0) return [issue('alertLevels', 'one-of', `must contain only ${ALERT_LEVELS.join(', ')}`)];
  if (new Set(value).size !== value.length) return [issue('alertLevels', 'unique', 'must not name a level twice')];
  return [];
}

/** Whether an alert of this level is recorded under the org's settings. */
export function recordsAlertLevel(settings: Pick<OrgEmailSettings, 'alertLevels'>, level: AlertLevel): boolean {
  return settings.alertLevels.includes(level);
}
