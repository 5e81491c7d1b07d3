/**
 * CRM activities synced with Exchange: emails (incoming and outgoing), appointments and tasks.
 * Outgoing email is an outbox: Pending Send -> Sending -> Sent | Failed (DESIGN.md section 5).
 */

export const EMAIL_DIRECTIONS = ['incoming', 'outgoing'] as const;
export type EmailDirection = (typeof EMAIL_DIRECTIONS)[number];

export const EMAIL_STATUSES = ['draft', 'pending-send', 'sending', 'sent', 'received', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** Moves the outbox and tracking allow; anything else is a bug in the caller. */
export const EMAIL_STATUS_TRANSITIONS: Readonly<Record<EmailStatus, ReadonlyArray<EmailStatus>>> = {
  draft: ['pending-send'],
  'pending-send': ['sending', 'draft', 'failed'],
  sending: ['sent', 'failed', 'pending-send'],
  sent: [],
  received: [],
  failed: ['pending-send'],
};

export function canMoveEmail(from: EmailStatus, to: EmailStatus): boolean {
  return EMAIL_STATUS_TRANSITIONS[from].includes(to);
}

export const PARTY_ROLES = ['from', 'to', 'cc', 'bcc', 'organizer', 'required', 'optional'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export const PARTY_TYPES = ['user', 'queue', 'contact', 'account', 'lead'] as const;
export type PartyType = (typeof PARTY_TYPES)[number];

/** One addressee of an activity; resolved to a CRM record when the address matches one. */
export type ActivityParty = {
  role: PartyRole;
  address: string;
  name: string | null;
  partyType: PartyType | null;
  partyId: string | null;
};

export const REGARDING_TYPES = ['contact', 'account', 'lead'] as const;
export type RegardingType = (typeof REGARDING_TYPES)[number];
export type Regarding = { type: RegardingType; id: string };

export type EmailAttachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId: string | null;
};

/** An attachment of an incoming email that was not stored, and why (the limit it exceeded, in bytes). */
export type OmittedAttachment = { name: string; contentType: string; size: number; reason: 'over-size-limit'; limitBytes: number };

export type EmailActivity = {
  id: string;
  mailboxId: string | null;
  direction: EmailDirection;
  status: EmailStatus;
  subject: string;
  bodyType: 'html' | 'text';
  body: string;
  parties: ActivityParty[];
  regarding: Regarding | null;
  /** Internet Message-ID, angle brackets included. With the mailbox's org, the idempotency key. */
  messageId: string | null;
  inReplyTo: string | null;
  conversationId: string | null;
  conversationIndex: string | null;
  trackingToken: string | null;
  exchangeItemId: string | null;
  attachments: EmailAttachment[];
  sentAt: string | null;
  receivedAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
};

export const APPOINTMENT_STATUSES = ['scheduled', 'completed', 'canceled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export type Appointment = {
  id: string;
  mailboxId: string | null;
  subject: string;
  body: string;
  location: string;
  startAt: string;
  endAt: string;
  isAllDay: boolean;
  status: AppointmentStatus;
  parties: ActivityParty[];
  regarding: Regarding | null;
  createdAt: string;
  updatedAt: string;
};

export const TASK_STATUSES = ['not-started', 'in-progress', 'waiting', 'completed', 'deferred'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type Task = {
  id: string;
  mailboxId: string | null;
  subject: string;
  body: string;
  dueAt: string | null;
  status: TaskStatus;
  priority: Priority;
  percentComplete: number;
  regarding: Regarding | null;
  createdAt: string;
  updatedAt: string;
};
