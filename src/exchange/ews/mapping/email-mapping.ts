import type { AttachmentMeta, EmailMessage, OutgoingEmail, RemoteFolderId, RemoteItemId, RemoteVersion } from '../../driver.ts';
import { AppError } from '../../../errors.ts';
import type { WireAttachment } from '../schema/attachment.ts';
import { fieldNamed } from '../schema/codec.ts';
import type { WireItem } from '../schema/item-kinds.ts';
import { messageFields, type MessageRecord } from '../schema/message.ts';
import { cleanText, toAddress, toAddresses, toBody, toImportance, toWireBody, toWireImportance, toWireMailbox } from './common-mapping.ts';
import { readStamp, stampProperties } from './stamp-mapping.ts';

/** What GetItem asks for to build an EmailMessage (FieldURIs come from the declarations). */
export const emailReadFields = [
  'ItemId', 'ParentFolderId', 'ItemClass', 'Subject', 'Body', 'Attachments', 'DateTimeReceived', 'Categories', 'Importance', 'InReplyTo',
  'IsDraft', 'DateTimeSent', 'ConversationId', 'Sender', 'ToRecipients', 'CcRecipients', 'BccRecipients', 'ConversationIndex', 'From',
  'InternetMessageId', 'IsRead', 'References', 'ReplyTo',
].map((n) => fieldNamed(messageFields, n as (typeof messageFields)[number]['name']));

export function toAttachmentMeta(a: WireAttachment): AttachmentMeta {
  return {
    id: a.AttachmentId ?? '',
    name: a.Name ?? '',
    contentType: a.ContentType ?? (a.kind === 'ItemAttachment' ? 'message/rfc822' : 'application/octet-stream'),
    size: a.Size ?? 0,
    isInline: a.IsInline ?? false,
    ...(a.ContentId === undefined ? {} : { contentId: a.ContentId }),
  };
}

/** Message-IDs in a References header, in order. */
export function splitReferences(value: string | undefined): string[] {
  return value?.match(/<[^<>]+>/g) ?? [];
}

export function toEmailMessage(item: WireItem): EmailMessage {
  if (item.type !== 'Message') throw new AppError('ews_unexpected_item_type', `expected a message, got ${item.element}`, { kind: 'permanent' });
  const r: MessageRecord = item.record;
  const from = toAddress(r.From);
  const sender = toAddress(r.Sender);
  const stamp = readStamp(r.ExtendedProperty);
  return {
    id: (r.ItemId?.Id ?? '') as RemoteItemId,
    version: (r.ItemId?.ChangeKey ?? '') as RemoteVersion,
    folderId: (r.ParentFolderId?.Id ?? '') as RemoteFolderId,
    internetMessageId: r.InternetMessageId ?? '',
    ...(r.InReplyTo === undefined ? {} : { inReplyTo: r.InReplyTo }),
    references: splitReferences(r.References),
    ...(r.ConversationId === undefined ? {} : { conversationId: r.ConversationId.Id }),
    ...(r.ConversationIndex === undefined ? {} : { conversationIndex: r.ConversationIndex.trim() }),
    subject: r.Subject ?? '',
    ...(from === undefined ? {} : { from }),
    ...(sender === undefined ? {} : { sender }),
    to: toAddresses(r.ToRecipients),
    cc: toAddresses(r.CcRecipients),
    bcc: toAddresses(r.BccRecipients),
    replyTo: toAddresses(r.ReplyTo),
    receivedAt: new Date(r.DateTimeReceived ?? 0),
    ...(r.DateTimeSent === undefined ? {} : { sentAt: new Date(r.DateTimeSent) }),
    body: toBody(r.Body),
    attachments: (r.Attachments ?? []).map(toAttachmentMeta),
    categories: r.Categories ?? [],
    isDraft: r.IsDraft ?? false,
    isRead: r.IsRead ?? false,
    importance: toImportance(r.Importance),
    ...(stamp === undefined ? {} : { stamp }),
    itemClass: r.ItemClass ?? 'IPM.Note',
  };
}

/** The draft Dovetail saves and then sends: our Message-ID and stamp are on it before the first attempt. */
export function toOutgoingItem(email: OutgoingEmail): WireItem {
  const references = email.references && email.references.length > 0 ? email.references.join(' ') : undefined;
  return {
    type: 'Message',
    element: 'Message',
    record: {
      Subject: cleanText(email.subject),
      Body: toWireBody(email.body),
      ...(email.attachments.length === 0
        ? {}
        : {
            Attachments: email.attachments.map((a) => ({
              kind: 'FileAttachment' as const,
              Name: cleanText(a.name),
              ContentType: a.contentType,
              ...(a.contentId === undefined ? {} : { ContentId: a.contentId }),
              ...(a.isInline === undefined ? {} : { IsInline: a.isInline }),
              Content: a.content.toString('base64'),
            })),
          }),
      ...(email.importance === undefined ? {} : { Importance: toWireImportance(email.importance) }),
      ...(email.inReplyTo === undefined ? {} : { InReplyTo: email.inReplyTo }),
      ExtendedProperty: stampProperties(email.stamp),
      ...(email.to.length === 0 ? {} : { ToRecipients: email.to.map(toWireMailbox) }),
      ...(email.cc.length === 0 ? {} : { CcRecipients: email.cc.map(toWireMailbox) }),
      ...(email.bcc.length === 0 ? {} : { BccRecipients: email.bcc.map(toWireMailbox) }),
      From: toWireMailbox(email.from),
      InternetMessageId: email.internetMessageId,
      ...(references === undefined ? {} : { References: references }),
    },
  };
}
