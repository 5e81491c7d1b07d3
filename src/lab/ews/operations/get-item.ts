import { child } from '../../xml/parse-xml.ts';
import { el, escapeAttr } from '../../xml/xml-writer.ts';
import { resolveItem, type EwsCall } from '../call.ts';
import { invalidProperty, parseShape, renderItem } from '../item-render.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * GetItem: one response message per ItemId, in request order; MimeContent, extended properties and
 * InternetMessageHeaders when the shape asks for them.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation
 */
export function GetItem(call: EwsCall): string {
  const shape = parseShape(child(call.body, 'ItemShape'));
  const messages: string[] = [];
  for (const idNode of child(call.body, 'ItemIds')?.children ?? []) {
    const r = resolveItem(call, idNode);
    if (!r.ok) {
      messages.push(errorMessage('GetItem', { code: r.code, trailer: '<m:Items/>' }));
      continue;
    }
    const item = r.value.item;
    const bad = invalidProperty(item, shape);
    if (bad) {
      messages.push(errorMessage('GetItem', { code: 'ErrorInvalidPropertyRequest', messageXml: `<t:FieldURI FieldURI="${escapeAttr(bad)}"/>`, trailer: '<m:Items/>' }));
      continue;
    }
    if ((shape.includeMime || shape.fields.has('MimeContent')) && (item.kind === 'Contact' || item.kind === 'Task')) {
      // Exchange converts messages and calendar items to MIME, not contacts or tasks
      // (ews-samples/GetItem-contact-error-ErrorUnsupportedMimeConversion-response.xml).
      messages.push(errorMessage('GetItem', { code: 'ErrorUnsupportedMimeConversion', trailer: '<m:Items/>' }));
      continue;
    }
    messages.push(success('GetItem', el('m:Items', undefined, renderItem(r.mailbox, item, shape))));
  }
  return operationResponse('GetItem', messages);
}
