import { child } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import { resolveFolderIn, resolveItem, type EwsCall } from '../call.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * MoveItem: the moved item gets a new ItemId, returned in the response (as Exchange does).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/moveitem-operation
 */
export function MoveItem(call: EwsCall): string {
  const to = resolveFolderIn(call, child(call.body, 'ToFolderId'));
  const messages: string[] = [];
  for (const idNode of child(call.body, 'ItemIds')?.children ?? []) {
    if (!to.ok) {
      messages.push(errorMessage('MoveItem', { code: to.code, trailer: '<m:Items/>' }));
      continue;
    }
    const r = resolveItem(call, idNode);
    if (!r.ok) {
      messages.push(errorMessage('MoveItem', { code: r.code, trailer: '<m:Items/>' }));
      continue;
    }
    if (r.mailbox !== to.mailbox) {
      messages.push(errorMessage('MoveItem', { code: 'ErrorMoveCopyFailed', trailer: '<m:Items/>' }));
      continue;
    }
    const moved = r.mailbox.moveItem(r.value.item, to.value.key);
    messages.push(success('MoveItem', el('m:Items', undefined, el(`t:${moved.kind}`, undefined, el('t:ItemId', { Id: moved.id, ChangeKey: r.mailbox.itemChangeKey(moved) })))));
  }
  return operationResponse('MoveItem', messages);
}
