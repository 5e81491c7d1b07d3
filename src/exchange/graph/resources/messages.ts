import type { AttachmentMeta, EmailMessage, RemoteFolderId, RemoteItemId, RemoteVersion } from '../../driver.ts';
import { immutableIds } from '../delta.ts';
import type { BatchItem } from './batch.ts';
import {
  activityIdProperty,
  expandProperties,
  inReplyToProperty,
  messageClassProperty,
  orgIdProperty,
  propertyValue,
  referencesProperty,
  stampFromProperties,
} from './extensions.ts';
import { arr, body, importance, obj, recipient, recipients, seg, str, type Json } from './graph-json.ts';

/**
 * Messages: https://learn.microsoft.com/graph/api/resources/message
 * internetMessageHeaders are returned only when $select names them; Exchange keeps In-Reply-To and
 * References also as MAPI properties, which we read as a fallback (sent items and drafts may lack headers).
 */
export const messageSelect = [
  'id',
  'parentFolderId',
  'internetMessageId',
  'internetMessageHeaders',
  'conversationId',
  'conversationIndex',
  'subject',
  'from',
  'sender',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'receivedDateTime',
  'sentDateTime',
  'body',
  'categories',
  'isDraft',
  'isRead',
  'importance',
  'hasAttachments',
].join(',');

export const messageExpand = [
  expandProperties([orgIdProperty, activityIdProperty, inReplyToProperty, referencesProperty, messageClassProperty]),
  'attachments($select=id,name,contentType,size,isInline)',
].join(',');

export const preferImmutable = { prefer: immutableIds };

export function messagePath(mailbox: string, id: string): string {
  return `/users/${seg(mailbox)}/messages/${seg(id)}`;
}

export function getMessageItem(mailbox: string, id: string): BatchItem {
  return { method: 'GET', url: `${messagePath(mailbox, id)}?$select=${messageSelect}&$expand=${messageExpand}`, headers: preferImmutable };
}

export function toEmailMessage(resource: Json): EmailMessage {
  const headers = arr(resource['internetMessageHeaders']);
  const header = (name: string): string | undefined =>
    str(headers.find((h) => str(h['name'])?.toLowerCase() === name.toLowerCase())?.['value']);
  const inReplyTo = header('In-Reply-To') ?? propertyValue(resource, inReplyToProperty);
  const references = (header('References') ?? propertyValue(resource, referencesProperty) ?? '').split(/\s+/).filter((r) => r !== '');
  const from = recipient(resource['from']);
  const sender = recipient(resource['sender']);
  const stamp = stampFromProperties(resource);
  const received = str(resource['receivedDateTime']);
  const sent = str(resource['sentDateTime']);
  const conversationId = str(resource['conversationId']);
  const conversationIndex = str(resource['conversationIndex']);
  return {
    id: String(resource['id']) as RemoteItemId,
    version: (str(resource['@odata.etag']) ?? str(resource['changeKey']) ?? '') as RemoteVersion,
    folderId: (str(resource['parentFolderId']) ?? '') as RemoteFolderId,
    internetMessageId: str(resource['internetMessageId']) ?? '',
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
    references,
    ...(conversationId === undefined ? {} : { conversationId }),
    ...(conversationIndex === undefined ? {} : { conversationIndex }),
    subject: str(resource['subject']) ?? '',
    ...(from === undefined ? {} : { from }),
    ...(sender === undefined ? {} : { sender }),
    to: recipients(resource['toRecipients']),
    cc: recipients(resource['ccRecipients']),
    bcc: recipients(resource['bccRecipients']),
    replyTo: recipients(resource['replyTo']),
    receivedAt: new Date(received ?? sent ?? 0),
    ...(sent === undefined ? {} : { sentAt: new Date(sent) }),
    body: body(resource['body']),
    attachments: arr(resource['attachments']).map(toAttachmentMeta),
    categories: categoriesOf(resource),
    isDraft: resource['isDraft'] === true,
    isRead: resource['isRead'] === true,
    importance: importance(resource['importance']),
    ...(stamp === undefined ? {} : { stamp }),
    itemClass: propertyValue(resource, messageClassProperty) ?? 'IPM.Note',
  };
}

export function toAttachmentMeta(resource: Json): AttachmentMeta {
  const contentId = str(resource['contentId']);
  return {
    id: str(resource['id']) ?? '',
    name: str(resource['name']) ?? '',
    contentType: str(resource['contentType']) ?? 'application/octet-stream',
    size: typeof resource['size'] === 'number' ? resource['size'] : 0,
    isInline: resource['isInline'] === true,
    ...(contentId === undefined ? {} : { contentId }),
  };
}

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function categoriesOf(resource: Json): string[] {
  const list = resource['categories'];
  return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
}

export function etagOf(resource: unknown): RemoteVersion {
  return (str(obj(resource)['@odata.etag']) ?? str(obj(resource)['changeKey']) ?? '') as RemoteVersion;
}
