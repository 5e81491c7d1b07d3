import { child, childText } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import { resolveFolderIn, type EwsCall } from '../call.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { FolderKind } from '../../mailbox-store/types.ts';

const KIND_CLASS: Record<string, string> = { Folder: 'IPF.Note', CalendarFolder: 'IPF.Appointment', ContactsFolder: 'IPF.Contact', TasksFolder: 'IPF.Task' };

/**
 * CreateFolder (Dovetail creates "Undeliverable" this way); a sibling with the same name answers
 * ErrorFolderExists.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation
 */
export function CreateFolder(call: EwsCall): string {
  const parent = resolveFolderIn(call, child(call.body, 'ParentFolderId'));
  const messages = (child(call.body, 'Folders')?.children ?? []).map((node) => {
    if (!parent.ok) return errorMessage('CreateFolder', { code: parent.code, trailer: '<m:Folders/>' });
    const kind = node.name as FolderKind;
    if (!(kind in KIND_CLASS)) return errorMessage('CreateFolder', { code: 'ErrorInvalidRequest', trailer: '<m:Folders/>' });
    const name = childText(node, 'DisplayName') ?? '';
    const mb = parent.mailbox;
    if (mb.childFolders(parent.value.key).some((f) => f.displayName.toLowerCase() === name.toLowerCase())) {
      return errorMessage('CreateFolder', { code: 'ErrorFolderExists', trailer: '<m:Folders/>' });
    }
    const folder = mb.createFolder(parent.value.key, name, kind, childText(node, 'FolderClass') ?? KIND_CLASS[kind]!);
    return success('CreateFolder', el('m:Folders', undefined, el(`t:${folder.kind}`, undefined, el('t:FolderId', { Id: folder.id, ChangeKey: mb.folderChangeKey(folder) }))));
  });
  return operationResponse('CreateFolder', messages);
}
