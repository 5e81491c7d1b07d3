import { child } from '../../xml/parse-xml.ts';
import { tnode } from '../../xml/xml-writer.ts';
import { resolveFolderIn, resolveItem, type EwsCall } from '../call.ts';
import { sendMessage } from '../delivery.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * SendItem: sends a saved draft; with SaveItemToFolder="true" the sent copy goes to
 * SavedItemFolderId (default Sent Items). A stale ChangeKey answers ErrorStaleObject.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/senditem
 */
export function SendItem(call: EwsCall): string {
  const save = call.body.attrs['SaveItemToFolder'] !== 'false';
  const savedIn = child(call.body, 'SavedItemFolderId');
  const messages: string[] = [];
  for (const idNode of child(call.body, 'ItemIds')?.children ?? []) {
    const r = resolveItem(call, idNode);
    if (!r.ok) {
      messages.push(errorMessage('SendItem', { code: r.code }));
      continue;
    }
    const { item, changeKey } = r.value;
    const mb = r.mailbox;
    if (changeKey && changeKey.version !== item.version) {
      messages.push(errorMessage('SendItem', { code: 'ErrorStaleObject' }));
      continue;
    }
    if (item.kind !== 'Message') {
      messages.push(errorMessage('SendItem', { code: 'ErrorInvalidOperation' }));
      continue;
    }
    const target = savedIn ? resolveFolderIn(call, savedIn) : undefined;
    if (target && !target.ok) {
      messages.push(errorMessage('SendItem', { code: target.code }));
      continue;
    }
    item.props.set('IsDraft', tnode('IsDraft', 'false'));
    item.props.set('DateTimeSent', tnode('DateTimeSent', new Date(call.lab.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')));
    sendMessage(call.lab, mb, item);
    if (save) mb.moveItem(item, target?.ok ? target.value.key : mb.distinguished('sentitems')!.key);
    else mb.removeItem(item);
    messages.push(success('SendItem'));
  }
  return operationResponse('SendItem', messages);
}
