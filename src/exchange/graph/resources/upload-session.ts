import { AppError } from '../../../errors.ts';
import type { OutgoingAttachment } from '../../driver.ts';
import type { GraphClient } from '../client.ts';
import { seg, str, type Json } from './graph-json.ts';

/**
 * Large attachments go through an upload session (https://learn.microsoft.com/graph/outlook-large-attachments):
 * from 3 MB up to 150 MB, PUT in ranges of at most 4 MB to a pre-authenticated URL, which must not be
 * sent an Authorization header. Our ranges are 3.75 MiB (12 x 320 KiB), under the 4 MB ceiling.
 */
export const inlineAttachmentLimit = 3 * 1024 * 1024;
export const maxAttachmentBytes = 150 * 1024 * 1024;
export const defaultChunkBytes = 12 * 320 * 1024;

export async function uploadAttachment(
  client: GraphClient,
  mailbox: string,
  messageId: string,
  attachment: OutgoingAttachment,
  chunkBytes = defaultChunkBytes,
): Promise<void> {
  const size = attachment.content.length;
  if (size > maxAttachmentBytes) {
    throw new AppError('graph_attachment_too_large', `Attachment "${attachment.name}" is ${size} bytes; Exchange Online accepts at most 150 MB.`, {
      kind: 'invalid-input',
    });
  }
  if (chunkBytes <= 0 || chunkBytes > 4 * 1024 * 1024) throw new AppError('graph_chunk_size', 'Upload ranges must be at most 4 MB.', { kind: 'invalid-input' });
  const session = await client.request({
    method: 'POST',
    mailbox,
    path: `/users/${seg(mailbox)}/messages/${seg(messageId)}/attachments/createUploadSession`,
    body: {
      AttachmentItem: {
        attachmentType: 'file',
        name: attachment.name,
        size,
        contentType: attachment.contentType,
        ...(attachment.isInline === undefined ? {} : { isInline: attachment.isInline }),
        ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }),
      },
    },
  });
  const uploadUrl = str((session.body as Json | undefined)?.['uploadUrl']);
  if (uploadUrl === undefined) throw new AppError('graph_upload_session', 'Microsoft Graph returned no upload URL.', { kind: 'transient' });
  for (let start = 0; start < size; start += chunkBytes) {
    const end = Math.min(start + chunkBytes, size);
    await client.request({
      method: 'PUT',
      mailbox,
      path: uploadUrl,
      anonymous: true,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end - 1}/${size}` },
      body: attachment.content.subarray(start, end),
    });
  }
}
