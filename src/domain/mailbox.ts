/**
 * A user's or queue's Exchange mailbox as Dovetail tracks it: configuration (profile, delivery
 * methods, approval) and the schedule and sync state the sync engine keeps.
 */
import type { ValidationError } from '../errors.ts';
import { checkBoolean, checkDateTime, checkEmail, checkOneOf, checkUuid, toValidationError, type Issue } from './rules.ts';
import { SYNC_METHODS, type OrgEmailSettings, type SyncMethod } from './settings.ts';

export const OWNER_TYPES = ['user', 'queue'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

/** Dynamics' approval state: empty until someone asks, pending, approved or rejected. */
export const APPROVAL_STATES = ['empty', 'pending', 'approved', 'rejected'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const PIPELINE_STATUSES = ['not-run', 'success', 'failure'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

export const PIPELINES = ['incoming', 'outgoing', 'act', 'test'] as const;
export type Pipeline = (typeof PIPELINES)[number];

export type MailboxConfig = {
  ownerType: OwnerType;
  ownerId: string;
  emailAddress: string;
  profileId: string | null;
  incomingMethod: SyncMethod;
  outgoingMethod: SyncMethod;
  actMethod: SyncMethod;
  approval: ApprovalState;
  incomingEnabled: boolean;
  outgoingEnabled: boolean;
  actEnabled: boolean;
  /**
   * Email received before this instant is left alone. The profile has its own; incoming uses the
   * later of the two, so a mailbox can start later than its profile but never earlier.
   */
  processEmailFrom: string | null;
};

export type MailboxSyncState = {
  incomingStatus: PipelineStatus;
  outgoingStatus: PipelineStatus;
  actStatus: PipelineStatus;
  nextIncomingAt: string | null;
  nextOutgoingAt: string | null;
  nextActAt: string | null;
  /** When test & enable should run; null when none is requested. */
  nextTestAt: string | null;
  leaseOwner: string | null;
  leaseEpoch: number;
  leaseExpiresAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: string | null;
  lastCycleProcessed: number;
  lastCycleFailed: number;
  transientFailureCount: number;
  lastSyncAt: string | null;
};

export type Mailbox = { id: string } & MailboxConfig & MailboxSyncState & { createdAt: string; updatedAt: string };

/** A folder's sync cursor (EWS SyncState / Graph deltaLink), keyed by our folder name. */
export type MailboxCursor = { mailboxId: string; folder: string; cursor: string; updatedAt: string };

export type MailboxInput = Pick<MailboxConfig, 'ownerType' | 'ownerId' | 'emailAddress'> & Partial<MailboxConfig>;
/** What an administrator may change; owner and address stay with the user or queue. */
export type MailboxPatch = Partial<Omit<MailboxConfig, 'ownerType' | 'ownerId'>>;

export function initialSyncState(): MailboxSyncState {
  return {
    incomingStatus: 'not-run',
    outgoingStatus: 'not-run',
    actStatus: 'not-run',
    nextIncomingAt: null,
    nextOutgoingAt: null,
    nextActAt: null,
    nextTestAt: null,
    leaseOwner: null,
    leaseEpoch: 0,
    leaseExpiresAt: null,
    lastErrorCode: null,
    lastErrorMessage: null,
    lastErrorAt: null,
    lastCycleProcessed: 0,
    lastCycleFailed: 0,
    transientFailureCount: 0,
    lastSyncAt: null,
  };
}

/** A new mailbox takes the org's default profile and methods; approval starts empty, nothing enabled. */
export function newMailboxConfig(input: MailboxInput, settings: OrgEmailSettings): MailboxConfig {
  return {
    ownerType: input.ownerType,
    ownerId: input.ownerId,
    emailAddress: input.emailAddress,
    profileId: input.profileId === undefined ? settings.defaultProfileId : input.profileId,
    incomingMethod: input.incomingMethod ?? settings.incomingMethod,
    outgoingMethod: input.outgoingMethod ?? settings.outgoingMethod,
    actMethod: input.actMethod ?? settings.actMethod,
    approval: input.approval ?? 'empty',
    incomingEnabled: input.incomingEnabled ?? false,
    outgoingEnabled: input.outgoingEnabled ?? false,
    actEnabled: input.actEnabled ?? false,
    processEmailFrom: input.processEmailFrom ?? null,
  };
}

/** "Apply default email settings": the org's profile and delivery methods replace the mailbox's. */
export function applyDefaultEmailSettings(settings: OrgEmailSettings): MailboxPatch {
  return {
    profileId: settings.defaultProfileId,
    incomingMethod: settings.incomingMethod,
    outgoingMethod: settings.outgoingMethod,
    actMethod: settings.actMethod,
  };
}

/** Whether the org's approval rules let this mailbox process email at all. */
export function isApprovalSatisfied(m: Pick<MailboxConfig, 'ownerType' | 'approval'>, s: Pick<OrgEmailSettings, 'processOnlyApprovedUsers' | 'processOnlyApprovedQueues'>): boolean {
  const required = m.ownerType === 'user' ? s.processOnlyApprovedUsers : s.processOnlyApprovedQueues;
  return !required || m.approval === 'approved';
}

export function validateMailboxConfig(m: MailboxConfig): ValidationError | undefined {
  const out: Issue[] = [];
  out.push(...checkOneOf('ownerType', m.ownerType, OWNER_TYPES));
  out.push(...checkUuid('ownerId', m.ownerId, true));
  out.push(...checkEmail('emailAddress', m.emailAddress, true));
  out.push(...checkUuid('profileId', m.profileId, false));
  out.push(...checkOneOf('incomingMethod', m.incomingMethod, SYNC_METHODS));
  out.push(...checkOneOf('outgoingMethod', m.outgoingMethod, SYNC_METHODS));
  out.push(...checkOneOf('actMethod', m.actMethod, SYNC_METHODS));
  out.push(...checkOneOf('approval', m.approval, APPROVAL_STATES));
  out.push(...checkBoolean('incomingEnabled', m.incomingEnabled));
  out.push(...checkBoolean('outgoingEnabled', m.outgoingEnabled));
  out.push(...checkBoolean('actEnabled', m.actEnabled));
  out.push(...checkDateTime('processEmailFrom', m.processEmailFrom));
  return toValidationError(out);
}
