/** The API's records as the admin center reads them (see /openapi.json for the full schemas). */
export type SyncMethod = 'server-side-sync' | 'none';
export type PipelineStatus = 'not-run' | 'success' | 'failure';
export type Approval = 'empty' | 'pending' | 'approved' | 'rejected';

export type Profile = {
  id: string; name: string; serverType: 'exchange-server' | 'exchange-online';
  auth: Record<string, unknown> & { type: 'credentials' | 'hybrid-modern-auth' | 'app-certificate' };
  secretsSet: string[]; description: string; ownerUserId: string | null; isDefaultForNewMailboxes: boolean;
  autodiscover: boolean; autodiscoverAllowedRedirectDomains: string[]; incomingServerUrl: string | null; outgoingServerUrl: string | null; incomingPort: number; outgoingPort: number;
  trustedCaBundle: string | null; processEmailFrom: string | null; minimumPollingIntervalMinutes: number; maximumConcurrentConnections: number;
  connectionTimeoutSeconds: number; moveFailedToUndeliverable: boolean; alertOwnerOnMajorEvents: boolean; createdAt: string; updatedAt: string;
};

export type Mailbox = {
  id: string; ownerType: 'user' | 'queue'; ownerId: string; emailAddress: string; profileId: string | null;
  incomingMethod: SyncMethod; outgoingMethod: SyncMethod; actMethod: SyncMethod; approval: Approval;
  incomingEnabled: boolean; outgoingEnabled: boolean; actEnabled: boolean; processEmailFrom: string | null;
  incomingStatus: PipelineStatus; outgoingStatus: PipelineStatus; actStatus: PipelineStatus;
  nextIncomingAt: string | null; nextOutgoingAt: string | null; nextActAt: string | null; nextTestAt: string | null;
  leaseOwner: string | null; leaseEpoch: number; leaseExpiresAt: string | null;
  lastErrorCode: string | null; lastErrorMessage: string | null; lastErrorAt: string | null;
  lastCycleProcessed: number; lastCycleFailed: number; transientFailureCount: number; lastSyncAt: string | null; createdAt: string; updatedAt: string;
};

export type MailboxResult = { id: string; ok: boolean; mailbox?: Mailbox; error?: { code: string; message: string } };

export type Settings = {
  orgId: string; defaultProfileId: string | null; incomingMethod: SyncMethod; outgoingMethod: SyncMethod; actMethod: SyncMethod;
  processOnlyApprovedUsers: boolean; processOnlyApprovedQueues: boolean;
  trackEmails: 'all' | 'responses-to-crm' | 'from-crm-parties' | 'from-email-enabled-records';
  useTrackingToken: boolean; trackingTokenFormat: { prefix: string; baseDigits: number; userDigits: number; counterDigits: number };
  useInReplyTo: boolean; useConversationIndex: boolean; useSmartMatching: boolean; syncOnlyFromThisOrg: boolean;
  alertMailboxOwners: boolean; alertLevels: AlertLevel[];
  senderDuplicateRule: 'oldest' | 'newest' | 'unresolved'; recipientDuplicateRule: 'all' | 'unresolved'; maxAttachmentSizeKb: number;
  defaultExchangeOnlineTenantId: string | null; updatedAt: string;
};

export type AlertLevel = 'error' | 'warning' | 'information';

/** GET /api/me: the signed-in token, its role, and a mailbox owner's user and mailboxes. */
export type Me = {
  tokenId: string | null; name: string; role: 'administrator' | 'mailbox-owner' | 'read-only';
  user: { id: string; fullName: string; emailAddress: string } | null;
  mailboxes: Array<{ id: string; emailAddress: string }>;
};
export type Alert = {
  id: string; level: AlertLevel; targetType: 'mailbox' | 'profile'; targetId: string; ownerUserId: string | null;
  code: string; message: string; details: Record<string, unknown>; createdAt: string; dismissedAt: string | null;
};

export type AuditEntry = {
  id: string; at: string; actor: { type: string; id: string | null; name: string }; action: string; entityType: string; entityId: string | null;
  changes: Record<string, unknown>;
};

/** Which incoming email a user's or queue's mailbox tracks; null follows the org's trackEmails. */
export type OwnerTrackEmails = Settings['trackEmails'] | 'none';
export type User = { id: string; fullName: string; emailAddress: string; trackEmails: OwnerTrackEmails | null };
export type Queue = { id: string; name: string; emailAddress: string; trackEmails: OwnerTrackEmails | null };

export type JobItem = { mailboxId: string; status: string; result: Record<string, unknown>; finishedAt: string | null };
export type Job = {
  id: string; kind: string; status: string; total: number; done: number; failed: number; progress: number;
  createdAt: string; startedAt: string | null; finishedAt: string | null; items?: JobItem[];
};

export type PipelineSchedule = {
  pipeline: string; enabled: boolean | null; status: string | null; nextRunAt: string | null; reason: string | null; detail: string | null;
  idleStreak: number; consecutiveFailures: number; lastRunAt: string | null; lastErrorCode: string | null; lastErrorMessage: string | null;
};
export type Schedule = {
  mailboxId: string; emailAddress: string; lease: { holder: string; epoch: number; expiresAt: string } | null;
  pipelines: PipelineSchedule[]; lastCycle: { processed: number; failed: number; at: string | null };
  recentRuns: Array<{ pipeline: string; worker: string; startedAt: string; finishedAt: string; outcome: string; itemsProcessed: number; itemsFailed: number; errorCode: string | null }>;
  openFailures: number;
};

export type Failure = {
  id: string; mailboxId: string; pipeline: string; subject: string; errorCode: string; errorMessage: string; providerCode: string | null;
  attempts: number; status: string; firstFailedAt: string; lastFailedAt: string;
};

export type Email = {
  id: string; mailboxId: string | null; direction: 'incoming' | 'outgoing'; status: string; subject: string;
  parties: Array<{ role?: string; address?: string; name?: string }>; sentAt: string | null; receivedAt: string | null; createdAt: string;
  correlationMethod: string | null; lastError: string | null;
  /** Attachments the email carried that were not stored, and why. */
  omittedAttachments: Array<{ name: string; contentType: string; size: number; reason: 'over-size-limit'; limitBytes: number }>;
};

/** Appointments, contacts and tasks (ACT): the org policy, a user's filters, safety valves and flagged conflicts. */
export type ActKind = 'appointment' | 'contact' | 'task';
export type Direction = 'two-way' | 'crm-to-exchange' | 'exchange-to-crm' | 'none';
export type ActPolicy = {
  conflict: 'newest' | 'crm-wins' | 'exchange-wins' | 'flag';
  directions: Partial<Record<ActKind, Record<string, Direction>>>;
  contactAddresses: 'mailing' | 'all';
  valve: { minItems: number; fraction: number };
};
export type TaskActivityType = 'task' | 'phonecall' | 'letter' | 'fax';
export type ActFilter = { enabled: boolean; scope: 'me' | 'me-or-party'; statuses: string[] | null; activityTypes: TaskActivityType[] | null };
export type ActFilters = Record<ActKind, ActFilter>;
export type Valve = { mailboxId: string; kind: ActKind; side: 'exchange' | 'crm'; deletes: number; linked: number; trippedAt: string; confirmedAt: string | null; confirmedBy: string | null };
export type Conflict = { linkId: string; mailboxId: string; kind: ActKind; crmId: string; remoteId: string | null; fields: string[]; resolveWith: 'crm' | 'exchange' | null };
