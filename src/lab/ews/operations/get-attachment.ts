import { child } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { decodeId } from '../../mailbox-store/ids.ts';
import { errorMessage, isoTime, operationResponse, success } from '../soap.ts';

/**
 * GetAttachment: file attachments with their Content.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getattachment-operation
 */
export function GetAttachment(call: EwsCall): string {
  const messages: string[] = [];
  for (const idNode of child(call.body, 'AttachmentIds')?.children ?? []) {
    const fail = (code: string): string => errorMessage('GetAttachment', { code, trailer: '<m:Attachments/>' });
    const d = decodeId(idNode.attrs['Id'] ?? '');
    if (!d || d.kind !== 'attachment') {
      messages.push(fail('ErrorInvalidIdMalformed'));
      continue;
    }
    const mb = call.lab.mailboxByNo(d.mailboxNo);
    if (!mb || (mb !== call.mailbox && !call.lab.mayImpersonate(call.principal, mb.account.smtp))) {
      messages.push(fail('ErrorItemNotFound'));
      continue;
    }
    const item = mb.items.get(d.key);
    const a = item?.attachments.find((x) => x.key === d.attachmentKey);
    if (!item || !a) {
      messages.push(fail('ErrorItemNotFound'));
      continue;
    }
    const file = el(
      't:FileAttachment',
      undefined,
      el('t:AttachmentId', { Id: idNode.attrs['Id'] ?? '' }),
      tel('t:Name', a.name),
      tel('t:ContentType', a.contentType),
      a.contentId ? tel('t:ContentId', a.contentId) : '',
      tel('t:Size', a.content.length),
      tel('t:LastModifiedTime', isoTime(item.modifiedAt)),
      tel('t:IsInline', a.isInline),
      tel('t:IsContactPhoto', false),
      tel('t:Content', a.content.toString('base64')),
    );
    messages.push(success('GetAttachment', el('m:Attachments', undefined, file)));
  }
  return operationResponse('GetAttachment', messages);
}
