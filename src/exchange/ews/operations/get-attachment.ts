import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { readAttachment, type WireAttachment } from '../schema/attachment.ts';
import { element } from '../xml/xml-text.ts';
import { child } from '../xml/xml-reader.ts';

/** `includeMimeContent` makes an attached message (ItemAttachment) come back as MIME, the form Dovetail stores. */
export type GetAttachmentArgs = { attachmentIds: string[]; includeMimeContent?: boolean };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getattachment-operation */
export const GetAttachment: Operation<GetAttachmentArgs, ItemResult<WireAttachment>[]> = {
  name: 'GetAttachment',
  build: (a) =>
    `<m:GetAttachment>${a.includeMimeContent === undefined ? '' : `<m:AttachmentShape><t:IncludeMimeContent>${a.includeMimeContent}</t:IncludeMimeContent></m:AttachmentShape>`}<m:AttachmentIds>${a.attachmentIds.map((i) => element('t:AttachmentId', { Id: i })).join('')}</m:AttachmentIds></m:GetAttachment>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'GetAttachment', (m) => {
        const n = child(m.node, 'Attachments')?.children.find((x) => x.name.endsWith('Attachment'));
        if (!n) throw new Error('no attachment in the response message');
        return readAttachment(n);
      }),
      a.attachmentIds.length,
      'GetAttachment',
    ),
};
