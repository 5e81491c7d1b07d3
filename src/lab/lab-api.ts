import type { FaultRule, LabState, RequestRecord, SentRecord } from './lab-state.ts';
import type { Mailbox } from './mailbox-store/mailbox.ts';
import { buildMime, type MimeAddress } from './mailbox-store/mime.ts';
import type { ItemKind, StoredItem } from './mailbox-store/types.ts';
import { decodeId } from './mailbox-store/ids.ts';
import { applyDefaults, normalizeDate, taskDerived } from './ews/item-build.ts';
import { recipientList, singleRecipient } from './ews/recipients.ts';
import { sendInvitations } from './ews/delivery.ts';
import { deleteOccurrence, occurrenceOn, occurrenceWritten } from './ews/calendar-series.ts';
import type { XmlNode } from './xml/parse-xml.ts';
import { tnode } from './xml/xml-writer.ts';

export type InboundEmail = {
  to: string[];
  cc?: string[];
  from: MimeAddress;
  subject: string;
  body: string;
  html?: boolean;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** The Thread-Index the sender's mail client wrote (base64 conversation index); Exchange keeps it as ConversationIndex. */
  threadIndex?: string;
  attachments?: Array<{ name: string; contentType: string; content: Buffer }>;
};

export type MeetingSpec = {
  organizer: string;
  subject: string;
  start: string;
  end: string;
  location?: string;
  attendees: string[];
  /** A weekly recurrence on the start's weekday, for this many occurrences. */
  weeklyOccurrences?: number;
};

export type ItemSummary = { id: string; kind: ItemKind; subject: string; folder: string; internetMessageId?: string; categories: string[]; isRead?: boolean };

/**
 * What tests and the traffic generator do to the lab directly, as a user in Outlook or mail from
 * outside would: deliver mail, edit and delete items, create meetings; and what the lab saw.
 */
export class LabApi {
  private readonly lab: LabState;
  private readonly setCertificate: (which: 'valid' | 'expired') => void;

  constructor(lab: LabState, setCertificate: (which: 'valid' | 'expired') => void) {
    this.lab = lab;
    this.setCertificate = setCertificate;
  }

  /** Adds a mailbox user (e.g. for a test or the demo's org). */
  addMailbox(user: { smtp: string; displayName: string; userName: string; password: string }): Mailbox {
    return this.lab.addMailbox(user);
  }

  mailbox(smtp: string): Mailbox {
    const mb = this.lab.mailbox(smtp);
    if (!mb) throw new Error(`no lab mailbox ${smtp}`);
    return mb;
  }

  /** Mail arriving from outside (or another user) into each lab recipient's Inbox. */
  deliverEmail(email: InboundEmail): Array<{ mailbox: string; itemId: string; internetMessageId: string }> {
    const messageId = email.messageId ?? `<${this.lab.random.bytes(12).toString('hex')}@${email.from.address.split('@')[1] ?? 'external.example'}>`;
    const to = email.to.map((address) => ({ address }));
    const cc = (email.cc ?? []).map((address) => ({ address }));
    const mime = buildMime({
      from: email.from,
      to,
      cc,
      subject: email.subject,
      date: new Date(this.lab.clock.now()),
      messageId,
      ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
      ...(email.references?.length ? { references: email.references.join(' ') } : {}),
      body: { type: email.html ? 'HTML' : 'Text', content: email.body },
      attachments: (email.attachments ?? []).map((a) => ({ ...a, isInline: false })),
      boundary: `_lab_${this.lab.random.bytes(8).toString('hex')}_`,
    });
    const out: Array<{ mailbox: string; itemId: string; internetMessageId: string }> = [];
    for (const address of [...email.to, ...(email.cc ?? [])]) {
      const mb = this.lab.mailbox(address);
      if (!mb) continue;
      const props = new Map<string, XmlNode>([
        ['Subject', tnode('Subject', email.subject)],
        ['Body', tnode('Body', email.body, { BodyType: email.html ? 'HTML' : 'Text' })],
        ['From', singleRecipient('From', email.from)],
        ['Sender', singleRecipient('Sender', email.from)],
        ['ToRecipients', recipientList('ToRecipients', to)],
        ['InternetMessageId', tnode('InternetMessageId', messageId)],
      ]);
      if (cc.length) props.set('CcRecipients', recipientList('CcRecipients', cc));
      if (email.inReplyTo) props.set('InReplyTo', tnode('InReplyTo', email.inReplyTo));
      if (email.references?.length) props.set('References', tnode('References', email.references.join(' ')));
      if (email.threadIndex) props.set('ConversationIndex', tnode('ConversationIndex', email.threadIndex));
      applyDefaults('Message', props, { mb, now: this.lab.clock.now(), draft: false, read: false, fromMe: false, uid: this.lab.random.bytes(16).toString('hex') });
      const item = mb.addItem({
        kind: 'Message',
        folderKey: mb.distinguished('inbox')!.key,
        props,
        mime,
        attachments: (email.attachments ?? []).map((a) => ({ ...a, key: mb.newKey(), isInline: false })),
        newMail: true,
      });
      out.push({ mailbox: mb.account.smtp, itemId: item.id, internetMessageId: messageId });
    }
    return out;
  }

  /** A meeting the organizer creates in Outlook and sends. */
  createMeeting(spec: MeetingSpec): string {
    const mb = this.mailbox(spec.organizer);
    const props = new Map<string, XmlNode>([
      ['Subject', tnode('Subject', spec.subject)],
      ['Body', tnode('Body', '', { BodyType: 'Text' })],
      ['Start', normalizeDate(tnode('Start', spec.start))],
      ['End', normalizeDate(tnode('End', spec.end))],
      ['Location', tnode('Location', spec.location ?? '')],
    ]);
    if (spec.attendees.length) {
      props.set('RequiredAttendees', tnode('RequiredAttendees', '', {}, spec.attendees.map((a) => tnode('Attendee', '', {}, [recipientList('x', [{ address: a }]).children[0]!]))));
    }
    if (spec.weeklyOccurrences) {
      const day = new Date(spec.start).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
      const startDate = spec.start.slice(0, 10);
      props.set(
        'Recurrence',
        tnode('Recurrence', '', {}, [
          tnode('WeeklyRecurrence', '', {}, [tnode('Interval', '1'), tnode('DaysOfWeek', day)]),
          tnode('NumberedRecurrence', '', {}, [tnode('StartDate', `${startDate}Z`), tnode('NumberOfOccurrences', String(spec.weeklyOccurrences))]),
        ]),
      );
    }
    applyDefaults('CalendarItem', props, { mb, now: this.lab.clock.now(), draft: false, read: true, fromMe: true, uid: this.lab.random.bytes(16).toString('hex') });
    const item = mb.addItem({ kind: 'CalendarItem', folderKey: mb.distinguished('calendar')!.key, props });
    if (spec.attendees.length) {
      sendInvitations(this.lab, mb, item);
      mb.modified(item, ['MeetingRequestWasSent']);
    }
    return item.id;
  }

  createContact(smtp: string, contact: { givenName: string; surname: string; email: string; companyName?: string }): string {
    const mb = this.mailbox(smtp);
    const props = new Map<string, XmlNode>([
      ['GivenName', tnode('GivenName', contact.givenName)],
      ['Surname', tnode('Surname', contact.surname)],
      ['EmailAddresses', tnode('EmailAddresses', '', {}, [tnode('Entry', contact.email, { Key: 'EmailAddress1' })])],
    ]);
    if (contact.companyName) props.set('CompanyName', tnode('CompanyName', contact.companyName));
    applyDefaults('Contact', props, { mb, now: this.lab.clock.now(), draft: false, read: true, fromMe: true, uid: '' });
    return mb.addItem({ kind: 'Contact', folderKey: mb.distinguished('contacts')!.key, props }).id;
  }

  createTask(smtp: string, task: { subject: string; dueDate?: string }): string {
    const mb = this.mailbox(smtp);
    const props = new Map<string, XmlNode>([['Subject', tnode('Subject', task.subject)]]);
    if (task.dueDate) props.set('DueDate', normalizeDate(tnode('DueDate', task.dueDate)));
    applyDefaults('Task', props, { mb, now: this.lab.clock.now(), draft: false, read: true, fromMe: true, uid: '' });
    return mb.addItem({ kind: 'Task', folderKey: mb.distinguished('tasks')!.key, props }).id;
  }

  private find(smtp: string, id: string): { mb: Mailbox; item: StoredItem } {
    const mb = this.mailbox(smtp);
    const d = decodeId(id);
    const item = d ? mb.items.get(d.key) : undefined;
    if (!item) throw new Error(`no item ${id} in ${smtp}`);
    return { mb, item };
  }

  /**
   * Changes one occurrence of a recurring series (by its date in the series' zone) as its owner would
   * in Outlook (Subject, Location, Start, End…): it becomes an exception of the series.
   */
  editOccurrence(smtp: string, masterId: string, date: string, changes: Record<string, string>): void {
    const { mb, item } = this.find(smtp, masterId);
    const o = occurrenceOn(mb, item, date);
    if (o === null || o.deleted) throw new Error(`no occurrence on ${date} in ${masterId}`);
    for (const [name, value] of Object.entries(changes)) o.item.props.set(name, normalizeDate(tnode(name, value)));
    occurrenceWritten(mb, o);
  }

  /** Deletes one occurrence of a recurring series as its owner would in Outlook. */
  deleteOccurrence(smtp: string, masterId: string, date: string): void {
    const { mb, item } = this.find(smtp, masterId);
    const o = occurrenceOn(mb, item, date);
    if (o === null || o.deleted) throw new Error(`no occurrence on ${date} in ${masterId}`);
    deleteOccurrence(mb, o);
  }

  /** Edits simple properties as a user would in Outlook (Subject, Location, Status, Body…); bumps the ChangeKey. */
  editItem(smtp: string, id: string, changes: Record<string, string>): void {
    const { mb, item } = this.find(smtp, id);
    for (const [name, value] of Object.entries(changes)) {
      item.props.set(name, normalizeDate(tnode(name, value, name === 'Body' ? { BodyType: 'Text' } : {})));
    }
    if (item.kind === 'Task') taskDerived(item.props);
    mb.modified(item, Object.keys(changes));
  }

  setRead(smtp: string, id: string, read: boolean): void {
    const { mb, item } = this.find(smtp, id);
    item.props.set('IsRead', tnode('IsRead', String(read)));
    mb.modified(item, ['IsRead'], true);
  }

  deleteItem(smtp: string, id: string): void {
    const { mb, item } = this.find(smtp, id);
    mb.removeItem(item);
  }

  moveItem(smtp: string, id: string, folder: string): string {
    const { mb, item } = this.find(smtp, id);
    const target = mb.distinguished(folder) ?? [...mb.folders.values()].find((f) => f.displayName === folder);
    if (!target) throw new Error(`no folder ${folder}`);
    return mb.moveItem(item, target.key).id;
  }

  items(smtp: string, folder: string): ItemSummary[] {
    const mb = this.mailbox(smtp);
    const f = mb.distinguished(folder) ?? [...mb.folders.values()].find((x) => x.displayName === folder);
    if (!f) throw new Error(`no folder ${folder}`);
    return mb.itemsIn(f.key).map((i) => this.summary(mb, i));
  }

  item(smtp: string, id: string): StoredItem {
    return this.find(smtp, id).item;
  }

  private summary(mb: Mailbox, i: StoredItem): ItemSummary {
    const s: ItemSummary = {
      id: i.id,
      kind: i.kind,
      subject: i.props.get('Subject')?.text ?? '',
      folder: mb.folders.get(i.folderKey)!.displayName,
      categories: (i.props.get('Categories')?.children ?? []).map((c) => c.text.trim()),
    };
    const mid = i.props.get('InternetMessageId')?.text;
    if (mid) s.internetMessageId = mid;
    const read = i.props.get('IsRead')?.text;
    if (read !== undefined) s.isRead = read.trim() === 'true';
    return s;
  }

  requests(mailbox?: string): RequestRecord[] {
    return this.lab.requests.filter((r) => mailbox === undefined || r.mailbox?.toLowerCase() === mailbox.toLowerCase());
  }

  /** Highest number of requests one throttling budget had open at once. */
  concurrencyHighWater(): number {
    return Math.max(0, ...this.lab.highWater.values());
  }

  highWaterByBudget(): Map<string, number> {
    return new Map(this.lab.highWater);
  }

  /** Starts keeping every EWS answer body; returns the live list. */
  captureReplies(): Array<{ operation: string; body: string }> {
    this.lab.replyLog ??= [];
    return this.lab.replyLog;
  }

  sent(): SentRecord[] {
    return [...this.lab.sent];
  }

  inject(rule: Omit<FaultRule, 'times'> & { times?: number }): void {
    this.lab.faults.push({ ...rule, times: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.lab.faults = [];
  }

  /** Serves an expired certificate (or the valid one again) on new TLS connections. */
  useCertificate(which: 'valid' | 'expired'): void {
    this.setCertificate(which);
  }

  /** Holds every EWS request open (inside its throttling slot) until the returned function is called. */
  holdRequests(): () => void {
    let release = (): void => {};
    this.lab.gate = new Promise<void>((resolve) => {
      release = () => {
        this.lab.gate = undefined;
        resolve();
      };
    });
    return release;
  }

  /** Requests open right now, per throttling budget. */
  openRequests(): Map<string, number> {
    return new Map(this.lab.inFlight);
  }

  setMaxSubscriptions(limit: number): void {
    this.lab.maxSubscriptions = limit;
  }

  setMaxConcurrency(limit: number): void {
    this.lab.maxConcurrency = limit;
  }
}
