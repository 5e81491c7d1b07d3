import { AppError } from '../../errors.ts';
import type { OutgoingEmail, RemoteFolderId, RemoteItemId, SentEmail } from '../driver.ts';
import type { GraphClient } from './client.ts';
import { inReplyToProperty, referencesProperty, stampProperties } from './resources/extensions.ts';
import { seg, str, toBody, toRecipients, type Json } from './resources/graph-json.ts';
import { messagePath, odataString, preferImmutable } from './resources/messages.ts';
import { inlineAttachmentLimit, maxAttachmentBytes, uploadAttachment } from './resources/upload-session.ts';

/**
 * Sends as a draft, then send (https://learn.microsoft.com/graph/api/message-send), never sendMail:
 * the draft carries Dovetail's Message-ID (internetMessageId is writable on a new message) and stamp,
 * so after a crash the engine finds the email in Sent Items by Message-ID before sending again.
 * Graph accepts only x- headers in internetMessageHeaders, so In-Reply-To and References are set as
 * the MAPI properties Exchange writes them from (PidTagInReplyToId, PidTagInternetReferences).
 *
 * Idempotent per Message-ID: a copy already in Sent Items means the email went out (nothing is sent);
 * a draft left behind by a crash is sent instead of a second draft being made.
 */
export async function sendMessage(client: GraphClient, mailbox: string, email: OutgoingEmail, chunkBytes?: number): Promise<SentEmail> {
  for (const attachment of email.attachments) {
    if (attachment.content.length > maxAttachmentBytes) {
      throw new AppError('graph_attachment_too_large', `Attachment "${attachment.name}" exceeds the 150 MB Exchange Online accepts.`, { kind: 'invalid-input' });
    }
  }
  const sent = await findInFolder(client, mailbox, 'sentitems', email.internetMessageId);
  if (sent[0] !== undefined) return { id: sent[0], internetMessageId: email.internetMessageId };

  const leftover = await findInFolder(client, mailbox, 'drafts', email.internetMessageId);
  const draftId = leftover[0] ?? (await createDraft(client, mailbox, email, chunkBytes));
  await client.request({ method: 'POST', mailbox, path: `${messagePath(mailbox, draftId)}/send` });
  const copy = await findInFolder(client, mailbox, 'sentitems', email.internetMessageId);
  return { ...(copy[0] === undefined ? {} : { id: copy[0] }), internetMessageId: email.internetMessageId };
}

async function createDraft(client: GraphClient, mailbox: string, email: OutgoingEmail, chunkBytes: number | undefined): Promise<RemoteItemId> {
  const small = email.attachments.filter((a) => a.content.length < inlineAttachmentLimit);
  const large = email.attachments.filter((a) => a.content.length >= inlineAttachmentLimit);
  const threading = [
    ...(email.inReplyTo === undefined ? [] : [{ id: inReplyToProperty, value: email.inReplyTo }]),
    ...(email.references === undefined || email.references.length === 0 ? [] : [{ id: referencesProperty, value: email.references.join(' ') }]),
  ];
  const response = await client.request({
    method: 'POST',
    mailbox,
    path: `/users/${seg(mailbox)}/messages`,
    headers: preferImmutable,
    body: {
      subject: email.subject,
      body: toBody(email.body),
      ...(email.from.address.toLowerCase() === mailbox.toLowerCase() ? {} : { from: toRecipients([email.from])[0] }),
      toRecipients: toRecipients(email.to),
      ccRecipients: toRecipients(email.cc),
      bccRecipients: toRecipients(email.bcc),
      importance: email.importance ?? 'normal',
      internetMessageId: email.internetMessageId,
      singleValueExtendedProperties: [...stampProperties(email.stamp), ...threading],
      attachments: small.map((a) => ({
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: a.name,
        contentType: a.contentType,
        contentBytes: a.content.toString('base64'),
        ...(a.isInline === undefined ? {} : { isInline: a.isInline }),
        ...(a.contentId === undefined ? {} : { contentId: a.contentId }),
      })),
    },
  });
  const id = str((response.body as Json | undefined)?.['id']);
  if (id === undefined) throw new AppError('graph_draft_failed', 'Microsoft Graph created a draft without an id.', { kind: 'transient' });
  for (const attachment of large) await uploadAttachment(client, mailbox, id, attachment, chunkBytes);
  return id as RemoteItemId;
}

/** Messages of a folder with the given Internet Message-ID ($filter on internetMessageId). */
export async function findInFolder(client: GraphClient, mailbox: string, folder: RemoteFolderId | string, internetMessageId: string): Promise<RemoteItemId[]> {
  const response = await client.request({
    method: 'GET',
    mailbox,
    path: `/users/${seg(mailbox)}/mailFolders/${seg(folder)}/messages`,
    query: { $filter: `internetMessageId eq ${odataString(internetMessageId)}`, $select: 'id', $top: '10' },
    headers: preferImmutable,
  });
  const value = (response.body as Json | undefined)?.['value'];
  return Array.isArray(value) ? (value as Json[]).map((m) => String(m['id']) as RemoteItemId) : [];
}
