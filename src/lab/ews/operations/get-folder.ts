import { child } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import { resolveFolder, type EwsCall } from '../call.ts';
import { parseFolderShape, renderFolder } from '../folder-render.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * GetFolder by FolderId or DistinguishedFolderId (optionally of another mailbox).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation
 */
export function GetFolder(call: EwsCall): string {
  const shape = parseFolderShape(child(call.body, 'FolderShape'));
  const messages = (child(call.body, 'FolderIds')?.children ?? []).map((node) => {
    const r = resolveFolder(call, node);
    if (!r.ok) return errorMessage('GetFolder', { code: r.code, trailer: '<m:Folders/>' });
    return success('GetFolder', el('m:Folders', undefined, renderFolder(r.mailbox, r.value, shape)));
  });
  return operationResponse('GetFolder', messages);
}
