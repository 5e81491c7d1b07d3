import type { Mailbox } from '../mailbox-store/mailbox.ts';
import { buildMime, parseMime } from '../mailbox-store/mime.ts';
import type { StoredItem } from '../mailbox-store/types.ts';
import { encodeId } from '../mailbox-store/ids.ts';
import { child, type XmlNode } from '../xml/parse-xml.ts';
import { el, escapeText, tel, writeNode } from '../xml/xml-writer.ts';
import { ELEMENT_ORDER, elementForFieldUri, ITEM_CLASS, NOT_IN_VIEWS } from './item-schema.ts';
import { isoTime } from './soap.ts';
import { extendedKey } from './extended-properties.ts';
import { addressesOf } from './recipients.ts';
import { conversationIdOf } from '../threading/conversation-index.ts';
import { isOccurrence, occurrenceByKey, renderDeletedOccurrences, renderModifiedOccurrences } from './calendar-series.ts';

export type ItemShape = {
  base: 'IdOnly' | 'Default' | 'AllProperties';
  /** Element names asked for in AdditionalProperties (FieldURI / IndexedFieldURI). */
  fields: Map<string, string>;
  /** ExtendedFieldURI nodes asked for. */
  extended: XmlNode[];
  includeMime: boolean;
  bodyType: 'Best' | 'HTML' | 'Text';
};

export function parseShape(node: XmlNode | undefined): ItemShape {
  const shape: ItemShape = { base: 'Default', fields: new Map(), extended: [], includeMime: false, bodyType: 'Best' };
  if (!node) return shape;
  const base = child(node, 'BaseShape')?.text.trim();
  if (base === 'IdOnly' || base === 'AllProperties' || base === 'Default') shape.base = base;
  shape.includeMime = child(node, 'IncludeMimeContent')?.text.trim() === 'true';
  const bodyType = child(node, 'BodyType')?.text.trim();
  if (bodyType === 'HTML' || bodyType === 'Text' || bodyType === 'Best') shape.bodyType = bodyType;
  for (const f of child(node, 'AdditionalProperties')?.children ?? []) {
    if (f.name === 'ExtendedFieldURI') shape.extended.push(f);
    else {
      const uri = f.attrs['FieldURI'] ?? '';
      const name = elementForFieldUri(uri);
      if (name) shape.fields.set(name, uri);
    }
  }
  return shape;
}

/** The first requested property the item's type does not have (GetItem answers ErrorInvalidPropertyRequest). */
export function invalidProperty(item: StoredItem, shape: ItemShape): string | undefined {
  const order = ELEMENT_ORDER[item.kind];
  for (const [name, uri] of shape.fields) if (!order.includes(name)) return uri;
  return undefined;
}

function stripHtml(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, '').replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}

function renderBody(node: XmlNode | undefined, wanted: ItemShape['bodyType'], name = 'Body'): string {
  if (!node) return el(`t:${name}`, { BodyType: 'Text' });
  const type = node.attrs['BodyType'] === 'HTML' ? 'HTML' : 'Text';
  const text = node.text;
  if (wanted === 'Best' || wanted === type) return writeNode(node);
  if (wanted === 'Text') return tel(`t:${name}`, stripHtml(text), { BodyType: 'Text' });
  return tel(`t:${name}`, `<html><body>${escapeText(text).replace(/\n/g, '<br>')}</body></html>`, { BodyType: 'HTML' });
}

export function itemSize(item: StoredItem): number {
  let size = item.mime?.length ?? 0;
  for (const node of item.props.values()) size += node.text.length + 16;
  for (const a of item.attachments) size += a.content.length;
  return size;
}

export function mimeOf(mb: Mailbox, item: StoredItem): Buffer {
  if (item.mime) return item.mime;
  const subject = item.props.get('Subject')?.text ?? '';
  const bodyNode = item.props.get('Body');
  const from = addressesOf(item.props.get('From'))[0] ?? { name: mb.account.displayName, address: mb.account.smtp };
  const inReplyTo = item.props.get('InReplyTo')?.text;
  const references = item.props.get('References')?.text;
  return buildMime({
    from,
    to: addressesOf(item.props.get('ToRecipients')),
    cc: addressesOf(item.props.get('CcRecipients')),
    subject,
    date: new Date(item.createdAt),
    messageId: item.props.get('InternetMessageId')?.text ?? `<${item.key}@lab>`,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references ? { references } : {}),
    body: { type: bodyNode?.attrs['BodyType'] === 'HTML' ? 'HTML' : 'Text', content: bodyNode?.text ?? '' },
    attachments: item.attachments,
    boundary: `_lab_${item.key}_`,
  });
}

function renderHeaders(mb: Mailbox, item: StoredItem): string {
  const parsed = parseMime(mimeOf(mb, item));
  return el('t:InternetMessageHeaders', undefined, ...parsed.headers.map(([k, v]) => tel('t:InternetMessageHeader', v, { HeaderName: k })));
}

function renderAttachments(mb: Mailbox, item: StoredItem): string {
  return el(
    't:Attachments',
    undefined,
    ...item.attachments.map((a) =>
      el(
        't:FileAttachment',
        undefined,
        el('t:AttachmentId', { Id: encodeId('attachment', mb.no, item.key, a.key) }),
        tel('t:Name', a.name),
        tel('t:ContentType', a.contentType),
        a.contentId ? tel('t:ContentId', a.contentId) : '',
        tel('t:Size', a.content.length),
        tel('t:LastModifiedTime', isoTime(item.modifiedAt)),
        tel('t:IsInline', a.isInline),
      ),
    ),
  );
}

function display(node: XmlNode | undefined): string {
  return addressesOf(node).map((a) => a.name ?? a.address).join('; ');
}

function durationOf(item: StoredItem): string | undefined {
  const start = Date.parse(item.props.get('Start')?.text ?? '');
  const end = Date.parse(item.props.get('End')?.text ?? '');
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return undefined;
  const minutes = Math.round((end - start) / 60000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 || h === 0 ? `${m}M` : ''}`;
}

/** Values the server derives at read time; undefined means "use what is stored". */
function computed(mb: Mailbox, item: StoredItem, name: string, shape: ItemShape): string | undefined {
  switch (name) {
    case 'MimeContent':
      return tel('t:MimeContent', mimeOf(mb, item).toString('base64'), { CharacterSet: 'UTF-8' });
    case 'ItemId':
      return el('t:ItemId', { Id: item.id, ChangeKey: mb.itemChangeKey(item) });
    case 'ParentFolderId': {
      const f = mb.folders.get(item.folderKey)!;
      return el('t:ParentFolderId', { Id: f.id, ChangeKey: mb.folderChangeKey(f) });
    }
    case 'ItemClass':
      return item.props.has('ItemClass') ? undefined : tel('t:ItemClass', ITEM_CLASS[item.kind]);
    case 'Body':
      return renderBody(item.props.get('Body'), shape.bodyType);
    case 'Attachments':
      return item.attachments.length > 0 ? renderAttachments(mb, item) : '';
    case 'Size':
      return tel('t:Size', itemSize(item));
    case 'DateTimeCreated':
      return tel('t:DateTimeCreated', isoTime(item.createdAt));
    case 'LastModifiedTime':
      return tel('t:LastModifiedTime', isoTime(item.modifiedAt));
    case 'HasAttachments':
      return tel('t:HasAttachments', item.attachments.some((a) => !a.isInline));
    case 'InternetMessageHeaders':
      return item.kind === 'Message' || item.kind === 'MeetingRequest' ? renderHeaders(mb, item) : '';
    case 'DisplayTo':
      return item.kind === 'Contact' || item.kind === 'Task' ? '' : tel('t:DisplayTo', display(item.props.get('ToRecipients') ?? item.props.get('RequiredAttendees')));
    case 'DisplayCc':
      return item.kind === 'Contact' || item.kind === 'Task' ? '' : tel('t:DisplayCc', display(item.props.get('CcRecipients') ?? item.props.get('OptionalAttendees')));
    case 'ConversationId': {
      // Derived from the conversation index, as Exchange derives PidTagConversationId.
      const index = item.props.get('ConversationIndex')?.text.trim();
      const id = index ? conversationIdOf(Buffer.from(index, 'base64')) : null;
      return id === null ? '' : el('t:ConversationId', { Id: id });
    }
    case 'ChangeCount':
      return item.kind === 'Task' ? tel('t:ChangeCount', item.contentVersion) : undefined;
    case 'Duration': {
      const d = item.kind === 'CalendarItem' || item.kind === 'MeetingRequest' ? durationOf(item) : undefined;
      return d ? tel('t:Duration', d) : '';
    }
    case 'IsRecurring':
      return item.kind === 'Contact' ? undefined : tel('t:IsRecurring', item.props.has('Recurrence') || (item.kind === 'CalendarItem' && isOccurrence(item)));
    case 'CalendarItemType':
      return item.kind === 'CalendarItem' ? tel('t:CalendarItemType', calendarItemType(mb, item)) : undefined;
    case 'ModifiedOccurrences':
      return item.kind === 'CalendarItem' && item.props.has('Recurrence') ? renderModifiedOccurrences(mb, item) : undefined;
    case 'DeletedOccurrences':
      return item.kind === 'CalendarItem' && item.props.has('Recurrence') ? renderDeletedOccurrences(item) : undefined;
    default:
      return undefined;
  }
}

function calendarItemType(mb: Mailbox, item: StoredItem): string {
  if (item.props.has('Recurrence')) return 'RecurringMaster';
  if (!isOccurrence(item)) return 'Single';
  return occurrenceByKey(mb, item.key)?.modified === true ? 'Exception' : 'Occurrence';
}

function wanted(name: string, shape: ItemShape, view: boolean): boolean {
  if (name === 'ItemId') return true;
  if (shape.fields.has(name)) return true;
  if (name === 'MimeContent') return shape.includeMime;
  if (shape.base === 'IdOnly') return false;
  if (name === 'InternetMessageHeaders') return shape.base === 'AllProperties' && !view;
  if (view && NOT_IN_VIEWS.has(name)) return false;
  return true;
}

/** Writes one item in its type's element order, with the properties `shape` asks for. */
export function renderItem(mb: Mailbox, item: StoredItem, shape: ItemShape, view = false): string {
  const parts: string[] = [];
  for (const name of ELEMENT_ORDER[item.kind]) {
    if (name === 'ExtendedProperty') {
      for (const request of shape.extended) {
        const key = extendedKey(request.attrs);
        const match = item.extended.find((p) => extendedKey(child(p, 'ExtendedFieldURI')?.attrs ?? {}) === key);
        if (match) parts.push(writeNode(match));
      }
      continue;
    }
    if (!wanted(name, shape, view)) continue;
    const value = computed(mb, item, name, shape);
    if (value !== undefined) {
      parts.push(value);
      continue;
    }
    const stored = item.props.get(name);
    if (stored) parts.push(writeNode(stored));
  }
  return el(`t:${item.kind}`, undefined, ...parts);
}
