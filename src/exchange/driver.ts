/**
 * The one seam between the sync engine and Exchange. sync/ knows nothing else of Exchange:
 * the EWS driver (Exchange Server) and the Graph driver (Exchange Online) both implement
 * MailboxDriver and must pass the same contract suite (test/contract).
 *
 * Conventions
 * - A driver instance is bound to one email server profile (connection, credentials, limits).
 *   Every call names the mailbox by its primary SMTP address.
 * - Ids are opaque strings owned by the provider; they are branded so that an Exchange id is
 *   never mixed up with a CRM id.
 * - Failures are thrown as AppError (src/errors.ts) with `kind` set from the provider's code by a
 *   table (ews/response-codes.ts, graph/error-codes.ts), keeping providerCode/providerMessage.
 * - Batch calls return one ItemResult per input, in input order; one bad item never fails the batch.
 * - Drivers never touch the database and never read the clock directly.
 */
import type { AppError } from '../errors.ts';

export type Brand<T, B extends string> = T & { readonly __brand: B };

/** An Exchange item id (EWS ItemId/@Id or Graph immutable id). */
export type RemoteItemId = Brand<string, 'RemoteItemId'>;
/** An Exchange folder id (EWS FolderId/@Id or Graph mailFolder id). */
export type RemoteFolderId = Brand<string, 'RemoteFolderId'>;
/** An item's version for conditional writes: EWS ChangeKey or Graph @odata.etag / changeKey. */
export type RemoteVersion = Brand<string, 'RemoteVersion'>;
/** An opaque per-folder sync cursor: EWS SyncState or Graph deltaLink. */
export type SyncCursor = Brand<string, 'SyncCursor'>;

export type ProviderName = 'ews' | 'graph';

/** Folders Dovetail needs by role, independent of language and provider. */
export type WellKnownFolder =
  | 'inbox'
  | 'sentitems'
  | 'drafts'
  | 'deleteditems'
  | 'calendar'
  | 'contacts'
  | 'tasks'
  | 'msgfolderroot';

export type FolderRef = { id: RemoteFolderId; displayName: string; wellKnown?: WellKnownFolder };

export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: AppError };

export type EmailAddress = { address: string; name?: string };

export type AttachmentMeta = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
};

export type AttachmentContent = AttachmentMeta & { content: Buffer };

export type MessageBody = { type: 'html' | 'text'; content: string };

/** Dovetail's own marks on an Exchange item (an extended MAPI property / single-value extended property). */
export type DovetailStamp = {
  /** The CRM org that tracked or created the item. */
  orgId: string;
  /** The CRM activity the item is linked to. */
  activityId?: string;
};

/** An email as the sync engine needs it to track and correlate. */
export type EmailMessage = {
  id: RemoteItemId;
  version: RemoteVersion;
  folderId: RemoteFolderId;
  /** Internet Message-ID header, with angle brackets as on the wire. */
  internetMessageId: string;
  inReplyTo?: string;
  references: string[];
  conversationId?: string;
  /** Base64 of the PR_CONVERSATION_INDEX bytes. */
  conversationIndex?: string;
  subject: string;
  from?: EmailAddress;
  sender?: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  replyTo: EmailAddress[];
  receivedAt: Date;
  sentAt?: Date;
  body: MessageBody;
  attachments: AttachmentMeta[];
  categories: string[];
  isDraft: boolean;
  isRead: boolean;
  importance: 'low' | 'normal' | 'high';
  stamp?: DovetailStamp;
  /** Whether this is a read receipt, NDR or other non-IPM.Note class the tracker may skip. */
  itemClass: string;
};

/** One change reported by a folder sync. A `removed` change carries only the id. */
export type FolderChange<T> =
  | { type: 'upsert'; id: RemoteItemId; version: RemoteVersion; item?: T }
  | { type: 'removed'; id: RemoteItemId }
  | { type: 'read-flag'; id: RemoteItemId; isRead: boolean };

/**
 * A page of changes since `cursor`. The caller persists `nextCursor` only after it has made the
 * page's effects durable; calling again with the old cursor must return the same changes
 * (EWS SyncState and Graph delta tokens both have that property).
 * `item` is filled when the provider returns the content in the same round trip (Graph delta);
 * otherwise the caller fetches content with getMessages / getItems.
 */
export type ChangePage<T> = {
  changes: FolderChange<T>[];
  nextCursor: SyncCursor;
  /** More changes are waiting: call again at once with nextCursor. */
  more: boolean;
};

export type OutgoingAttachment = {
  name: string;
  contentType: string;
  content: Buffer;
  isInline?: boolean;
  contentId?: string;
};

/** An email the CRM queued for sending. */
export type OutgoingEmail = {
  /** Dovetail stamps the Message-ID before the first attempt, so a resend after a crash can be detected. */
  internetMessageId: string;
  from: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  subject: string;
  body: MessageBody;
  attachments: OutgoingAttachment[];
  inReplyTo?: string;
  references?: string[];
  importance?: 'low' | 'normal' | 'high';
  stamp: DovetailStamp;
};

export type SentEmail = { id?: RemoteItemId; internetMessageId: string };

export type Attendee = EmailAddress & {
  type: 'required' | 'optional' | 'resource';
  response?: 'none' | 'organizer' | 'accepted' | 'tentative' | 'declined';
};

export type RecurrencePattern =
  | { type: 'daily'; interval: number }
  | { type: 'weekly'; interval: number; daysOfWeek: DayOfWeek[]; firstDayOfWeek?: DayOfWeek }
  | { type: 'absoluteMonthly'; interval: number; dayOfMonth: number }
  | { type: 'relativeMonthly'; interval: number; daysOfWeek: DayOfWeek[]; index: WeekIndex }
  | { type: 'absoluteYearly'; interval: number; dayOfMonth: number; month: number }
  | { type: 'relativeYearly'; interval: number; daysOfWeek: DayOfWeek[]; index: WeekIndex; month: number };

export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export type WeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';

export type RecurrenceRange =
  | { type: 'noEnd'; startDate: string }
  | { type: 'endDate'; startDate: string; endDate: string }
  | { type: 'numbered'; startDate: string; numberOfOccurrences: number };

export type Recurrence = {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
  /** IANA time zone the pattern is expressed in. */
  timeZone: string;
};

/** A date-time with the zone it was entered in; `dateTime` is local wall time, ISO without offset. */
export type ZonedDateTime = { dateTime: string; timeZone: string };

export type AppointmentData = {
  subject: string;
  body: MessageBody;
  location: string;
  start: ZonedDateTime;
  end: ZonedDateTime;
  isAllDay: boolean;
  organizer?: EmailAddress;
  attendees: Attendee[];
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
  isCancelled: boolean;
  reminderMinutesBeforeStart?: number;
  isReminderOn: boolean;
  recurrence?: Recurrence;
  /** For an occurrence or exception of a series: the series master's id. */
  seriesMasterId?: RemoteItemId;
  /** For an exception: the original start of the occurrence it replaces. */
  originalStart?: string;
  /** The iCalendar UID, shared by organizer's and attendees' copies. */
  iCalUid?: string;
  categories: string[];
};

export type PhysicalAddress = {
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  countryOrRegion?: string;
};

export type ContactData = {
  givenName?: string;
  middleName?: string;
  surname?: string;
  displayName?: string;
  emailAddresses: EmailAddress[];
  businessPhones: string[];
  homePhones: string[];
  mobilePhone?: string;
  businessAddress?: PhysicalAddress;
  homeAddress?: PhysicalAddress;
  otherAddress?: PhysicalAddress;
  companyName?: string;
  jobTitle?: string;
  categories: string[];
};

export type TaskData = {
  subject: string;
  body: MessageBody;
  /** Due date as YYYY-MM-DD (Exchange tasks are date-only in practice). */
  dueDate?: string;
  startDate?: string;
  status: 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
  importance: 'low' | 'normal' | 'high';
  percentComplete: number;
  completedAt?: string;
  categories: string[];
};

export type ActKind = 'appointment' | 'contact' | 'task';

export type ActData<K extends ActKind> = K extends 'appointment'
  ? AppointmentData
  : K extends 'contact'
    ? ContactData
    : TaskData;

export type ActItem<K extends ActKind> = {
  id: RemoteItemId;
  version: RemoteVersion;
  data: ActData<K>;
  stamp?: DovetailStamp;
  lastModifiedAt: Date;
};

export type ConnectionCheck = {
  /** Short step name, stable: 'autodiscover', 'tls', 'authentication', 'mailbox-access', 'impersonation', 'permissions'… */
  step: string;
  ok: boolean;
  detail: string;
  /** What the administrator should do when !ok. */
  remedy?: string;
  /** A redacted excerpt of the last request/response, for the admin center. */
  trace?: string;
  durationMs: number;
};

/** A booking in a mailbox's calendar as free/busy sees it (double-booking checks). */
export type CalendarBooking = {
  id: RemoteItemId;
  subject: string;
  start: Date;
  end: Date;
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'working-elsewhere' | 'unknown';
  cancelled: boolean;
};

export type MailboxInfo = {
  smtpAddress: string;
  displayName?: string;
  /** Exchange build, e.g. "15.2.1544.4" (EWS), or "Exchange Online". */
  serverVersion?: string;
};

export interface MailboxDriver {
  readonly provider: ProviderName;

  /** Steps of Test Connection for one mailbox; never throws for a failed step, reports it. */
  testConnection(mailbox: string): Promise<ConnectionCheck[]>;

  getMailboxInfo(mailbox: string): Promise<MailboxInfo>;

  getFolder(mailbox: string, folder: WellKnownFolder): Promise<FolderRef>;
  /** Finds a folder by display name under the mailbox root, creating it if missing (e.g. "Undeliverable"). */
  ensureFolder(mailbox: string, displayName: string): Promise<FolderRef>;

  /** Changes to messages in a folder since `cursor` (null = from the beginning). */
  syncMessages(mailbox: string, folder: RemoteFolderId, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<EmailMessage>>;
  getMessages(mailbox: string, ids: RemoteItemId[]): Promise<ItemResult<EmailMessage>[]>;
  getAttachments(mailbox: string, itemId: RemoteItemId, attachmentIds: string[]): Promise<ItemResult<AttachmentContent>[]>;
  /** Finds messages in a folder by Internet Message-ID (used to detect an email already sent before a crash). */
  findByInternetMessageId(mailbox: string, folder: RemoteFolderId, internetMessageId: string): Promise<RemoteItemId[]>;

  /** Adds categories (keeps existing ones). Returns one result per id. */
  addCategories(mailbox: string, ids: RemoteItemId[], categories: string[]): Promise<ItemResult<RemoteVersion>[]>;
  setStamp(mailbox: string, ids: RemoteItemId[], stamp: DovetailStamp): Promise<ItemResult<RemoteVersion>[]>;
  moveMessages(mailbox: string, ids: RemoteItemId[], to: RemoteFolderId): Promise<ItemResult<RemoteItemId>[]>;

  /** Sends through the mailbox and saves a copy in Sent Items, with the given Message-ID and stamp. */
  sendMessage(mailbox: string, email: OutgoingEmail): Promise<SentEmail>;

  /** The org id stored in the mailbox (EWS user configuration / Graph extension), or null. */
  getOrgStamp(mailbox: string): Promise<string | null>;
  setOrgStamp(mailbox: string, orgId: string): Promise<void>;

  syncItems<K extends ActKind>(mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>>;
  getItems<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]>;
  createItem<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp, options?: { sendInvitations?: boolean }): Promise<ActItem<K>>;
  /** Conditional on `version`; a mismatch throws kind 'conflict'. */
  updateItem<K extends ActKind>(
    mailbox: string,
    kind: K,
    id: RemoteItemId,
    version: RemoteVersion,
    data: ActData<K>,
    options?: { sendInvitations?: boolean },
  ): Promise<ActItem<K>>;
  /** Conditional on `version` when given; an item already gone is success. */
  deleteItem(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion, options?: { sendCancellations?: boolean }): Promise<void>;

  /**
   * Everything in the mailbox's calendar that overlaps [start, end), recurring series expanded
   * into occurrences, whether Dovetail tracks it or not. Optional: without it, double bookings are
   * found among the appointments Dovetail links only.
   */
  findBookings?(mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]>;

  /** Releases connections and subscriptions. */
  close(): Promise<void>;
}
