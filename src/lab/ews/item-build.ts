import { createHash } from 'node:crypto';
import type { Mailbox } from '../mailbox-store/mailbox.ts';
import { parseMime } from '../mailbox-store/mime.ts';
import type { ItemKind, StoredAttachment, StoredFolder } from '../mailbox-store/types.ts';
import { child, childText, type XmlNode } from '../xml/parse-xml.ts';
import { tnode } from '../xml/xml-writer.ts';
import { extendedKey } from './extended-properties.ts';
import { ELEMENT_ORDER, isItemKind, READ_ONLY } from './item-schema.ts';
import { recipientList, resolveRecipients, singleRecipient } from './recipients.ts';
import { isoTime } from './soap.ts';
import { assignConversationIndex, parentMessageIds } from '../threading/conversation-index.ts';

export type BuiltItem = {
  kind: ItemKind;
  props: Map<string, XmlNode>;
  extended: XmlNode[];
  attachments: StoredAttachment[];
  mime?: Buffer;
};

export type BuildResult = { ok: true; value: BuiltItem } | { ok: false; code: string; fieldUri?: string };

const FOLDER_FOR_KIND: Partial<Record<ItemKind, { folderKind: StoredFolder['kind']; code: string }>> = {
  Contact: { folderKind: 'ContactsFolder', code: 'ErrorCannotCreateContactInNonContactFolder' },
  CalendarItem: { folderKind: 'CalendarFolder', code: 'ErrorCannotCreateCalendarItemInNonCalendarFolder' },
  Task: { folderKind: 'TasksFolder', code: 'ErrorCannotCreateTaskInNonTaskFolder' },
};

/** Date-times without an offset are taken as UTC and stored as Exchange returns them (…Z). */
const DATE_PROPS = new Set(['Start', 'End', 'DueDate', 'StartDate', 'CompleteDate', 'ReminderDueBy', 'OriginalStart']);

export function normalizeDate(node: XmlNode): XmlNode {
  if (!DATE_PROPS.has(node.name)) return node;
  const raw = node.text.trim();
  const withZone = /([zZ]|[+-]\d\d:\d\d)$/.test(raw) ? raw : `${raw}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? node : { ...node, text: isoTime(ms) };
}

export function parseAttachments(node: XmlNode | undefined, newKey: () => string): StoredAttachment[] {
  const out: StoredAttachment[] = [];
  for (const a of node?.children ?? []) {
    if (a.name !== 'FileAttachment') continue;
    const contentId = childText(a, 'ContentId');
    out.push({
      key: newKey(),
      name: childText(a, 'Name') ?? 'attachment',
      contentType: childText(a, 'ContentType') ?? 'application/octet-stream',
      isInline: childText(a, 'IsInline') === 'true',
      content: Buffer.from(childText(a, 'Content') ?? '', 'base64'),
      ...(contentId ? { contentId } : {}),
    });
  }
  return out;
}

/** Reads an item element of CreateItem into properties; refuses what Exchange refuses. */
export function buildItem(mb: Mailbox, node: XmlNode, folder: StoredFolder): BuildResult {
  if (!isItemKind(node.name) || node.name === 'MeetingRequest') return { ok: false, code: 'ErrorInvalidRequest' };
  const kind = node.name;
  const need = FOLDER_FOR_KIND[kind];
  if (need && folder.kind !== need.folderKind) return { ok: false, code: need.code };
  const props = new Map<string, XmlNode>();
  const extended: XmlNode[] = [];
  let attachments: StoredAttachment[] = [];
  let mime: Buffer | undefined;
  for (const c of node.children) {
    if (c.name === 'ExtendedProperty') {
      const key = extendedKey(child(c, 'ExtendedFieldURI')?.attrs ?? {});
      const at = extended.findIndex((e) => extendedKey(child(e, 'ExtendedFieldURI')?.attrs ?? {}) === key);
      if (at >= 0) extended[at] = c;
      else extended.push(c);
    } else if (c.name === 'Attachments') {
      attachments = parseAttachments(c, () => mb.newKey());
    } else if (c.name === 'MimeContent') {
      mime = Buffer.from(c.text.trim(), 'base64');
    } else if (READ_ONLY.has(c.name) || !ELEMENT_ORDER[kind].includes(c.name)) {
      return { ok: false, code: 'ErrorInvalidPropertySet', fieldUri: c.name };
    } else {
      props.set(c.name, resolveRecipients(c.name, normalizeDate(c), (a) => mb.directory(a)));
    }
  }
  if (mime && (kind === 'Message')) {
    const parsed = parseMime(mime);
    if (!props.has('Subject') && parsed.subject !== undefined) props.set('Subject', tnode('Subject', parsed.subject));
    if (!props.has('From') && parsed.from) props.set('From', singleRecipient('From', parsed.from));
    if (!props.has('ToRecipients') && parsed.to.length) props.set('ToRecipients', recipientList('ToRecipients', parsed.to));
    if (!props.has('CcRecipients') && parsed.cc.length) props.set('CcRecipients', recipientList('CcRecipients', parsed.cc));
    if (!props.has('InternetMessageId') && parsed.messageId) props.set('InternetMessageId', tnode('InternetMessageId', parsed.messageId));
    if (!props.has('InReplyTo') && parsed.inReplyTo) props.set('InReplyTo', tnode('InReplyTo', parsed.inReplyTo));
    if (!props.has('References') && parsed.references) props.set('References', tnode('References', parsed.references));
    // Outlook and Exchange carry the conversation index across transport as the Thread-Index header.
    const threadIndex = parsed.headers.find(([k]) => k.toLowerCase() === 'thread-index')?.[1].trim();
    if (!props.has('ConversationIndex') && threadIndex) props.set('ConversationIndex', tnode('ConversationIndex', threadIndex));
    if (!props.has('Body')) props.set('Body', tnode('Body', parsed.body.content, { BodyType: parsed.body.type }));
    if (attachments.length === 0) attachments = parsed.attachments.map((a) => ({ ...a, key: mb.newKey() }));
  }
  const built: BuiltItem = { kind, props, extended, attachments };
  if (mime) built.mime = mime;
  return { ok: true, value: built };
}

function setDefault(props: Map<string, XmlNode>, name: string, value: string | boolean | number): void {
  if (!props.has(name)) props.set(name, tnode(name, String(value)));
}

export type DefaultsContext = {
  mb: Mailbox;
  now: number;
  draft: boolean;
  read: boolean;
  fromMe: boolean;
  uid: string;
};

/** The properties Exchange fills in on save (as GetItem AllProperties shows them in the samples). */
export function applyDefaults(kind: ItemKind, props: Map<string, XmlNode>, ctx: DefaultsContext): void {
  const owner = { name: ctx.mb.account.displayName, address: ctx.mb.account.smtp };
  setDefault(props, 'Sensitivity', 'Normal');
  setDefault(props, 'DateTimeReceived', isoTime(ctx.now));
  setDefault(props, 'Importance', 'Normal');
  setDefault(props, 'IsSubmitted', false);
  props.set('IsDraft', tnode('IsDraft', String(ctx.draft)));
  setDefault(props, 'IsFromMe', ctx.fromMe);
  setDefault(props, 'IsResend', false);
  setDefault(props, 'IsUnmodified', !ctx.draft && !ctx.fromMe);
  setDefault(props, 'DateTimeSent', isoTime(ctx.now));
  setDefault(props, 'Culture', 'en-US');
  if (kind === 'Message' || kind === 'MeetingRequest') {
    if (ctx.fromMe) {
      if (!props.has('From')) props.set('From', singleRecipient('From', owner));
      if (!props.has('Sender')) props.set('Sender', singleRecipient('Sender', owner));
    }
    setDefault(props, 'IsReadReceiptRequested', false);
    setDefault(props, 'IsDeliveryReceiptRequested', false);
    setDefault(props, 'ConversationTopic', props.get('Subject')?.text ?? '');
    setDefault(props, 'InternetMessageId', `<${ctx.uid.slice(0, 32)}@${ctx.mb.account.smtp.split('@')[1] ?? 'lab'}>`);
    setDefault(props, 'IsRead', ctx.read);
    props.set('ConversationIndex', tnode('ConversationIndex', conversationIndexFor(props, ctx).toString('base64')));
  }
  if (kind === 'CalendarItem') {
    const meeting = props.has('RequiredAttendees') || props.has('OptionalAttendees') || props.has('Resources');
    setDefault(props, 'UID', ctx.uid);
    setDefault(props, 'IsAllDayEvent', false);
    setDefault(props, 'LegacyFreeBusyStatus', 'Busy');
    setDefault(props, 'IsMeeting', meeting);
    setDefault(props, 'IsCancelled', false);
    setDefault(props, 'MeetingRequestWasSent', false);
    setDefault(props, 'IsResponseRequested', true);
    setDefault(props, 'MyResponseType', 'Organizer');
    if (!props.has('Organizer')) props.set('Organizer', singleRecipient('Organizer', owner));
    setDefault(props, 'AppointmentSequenceNumber', 0);
    setDefault(props, 'AppointmentState', meeting ? 1 : 0);
  }
  if (kind === 'Contact') {
    const given = props.get('GivenName')?.text ?? '';
    const surname = props.get('Surname')?.text ?? '';
    const display = props.get('DisplayName')?.text ?? [given, surname].filter(Boolean).join(' ');
    setDefault(props, 'FileAs', surname && given ? `${surname}, ${given}` : display);
    setDefault(props, 'DisplayName', display);
    setDefault(props, 'FileAsMapping', 'LastCommaFirst');
    setDefault(props, 'ContactSource', 'Store');
    completeName(props);
  }
  if (kind === 'Task') {
    setDefault(props, 'Status', 'NotStarted');
    taskDerived(props);
  }
}

/**
 * Exchange threads every message it saves or delivers (threading/conversation-index.ts): the index
 * it carries, else a reply under the mailbox's message its In-Reply-To or References name, else a
 * new conversation. The ConversationId is derived from the index when rendered.
 */
function conversationIndexFor(props: Map<string, XmlNode>, ctx: DefaultsContext): Buffer {
  const byMessageId = (id: string): string | undefined => {
    for (const item of ctx.mb.items.values()) {
      if (item.props.get('InternetMessageId')?.text === id) {
        const index = item.props.get('ConversationIndex')?.text.trim();
        if (index) return index;
      }
    }
    return undefined;
  };
  return assignConversationIndex({
    carried: props.get('ConversationIndex')?.text.trim(),
    parentIds: parentMessageIds(props.get('InReplyTo')?.text.trim(), props.get('References')?.text.trim()),
    lookup: byMessageId,
    nowMs: ctx.now,
    random: /^[0-9a-f]{32}$/i.test(ctx.uid) ? Buffer.from(ctx.uid, 'hex') : createHash('md5').update(ctx.uid).digest(),
  });
}

const STATUS_TEXT: Record<string, string> = {
  NotStarted: 'Not Started',
  InProgress: 'In Progress',
  Completed: 'Completed',
  WaitingOnOthers: 'Waiting on someone else',
  Deferred: 'Deferred',
};

/** IsComplete, PercentComplete and StatusDescription follow Status, as in Outlook. */
export function taskDerived(props: Map<string, XmlNode>): void {
  const status = props.get('Status')?.text.trim() ?? 'NotStarted';
  props.set('IsComplete', tnode('IsComplete', String(status === 'Completed')));
  if (status === 'Completed') props.set('PercentComplete', tnode('PercentComplete', '100'));
  setDefault(props, 'PercentComplete', 0);
  props.set('StatusDescription', tnode('StatusDescription', STATUS_TEXT[status] ?? status));
}

/** CompleteName is derived by Exchange from the name parts (CompleteNameType order). */
export function completeName(props: Map<string, XmlNode>): void {
  const parts: Array<[string, string | undefined]> = [
    ['FirstName', props.get('GivenName')?.text],
    ['MiddleName', props.get('MiddleName')?.text],
    ['LastName', props.get('Surname')?.text],
    ['Initials', props.get('Initials')?.text],
    ['FullName', props.get('DisplayName')?.text],
  ];
  const kids = parts.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '').map(([n, v]) => tnode(n, v));
  if (kids.length > 0) props.set('CompleteName', tnode('CompleteName', '', {}, kids));
  else props.delete('CompleteName');
}
