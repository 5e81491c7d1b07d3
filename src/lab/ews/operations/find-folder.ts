import { child } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import { resolveFolder, type EwsCall } from '../call.ts';
import { parseFolderShape, renderFolder } from '../folder-render.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { StoredFolder } from '../../mailbox-store/types.ts';
import type { XmlNode } from '../../xml/parse-xml.ts';

function folderMatches(folder: StoredFolder, node: XmlNode): boolean {
  switch (node.name) {
    case 'Restriction':
    case 'And':
      return node.children.every((c) => folderMatches(folder, c));
    case 'Or':
      return node.children.some((c) => folderMatches(folder, c));
    case 'Not':
      return !node.children.every((c) => folderMatches(folder, c));
  }
  const field = child(node, 'FieldURI')?.attrs['FieldURI'];
  const value = child(node, 'FieldURIOrConstant')?.children[0]?.attrs['Value'] ?? child(node, 'Constant')?.attrs['Value'] ?? '';
  const actual = field === 'folder:DisplayName' ? folder.displayName : field === 'folder:FolderClass' ? folder.folderClass : undefined;
  if (actual === undefined) return false;
  if (node.name === 'IsEqualTo') return actual.toLowerCase() === value.toLowerCase();
  if (node.name === 'IsNotEqualTo') return actual.toLowerCase() !== value.toLowerCase();
  if (node.name === 'Contains') return actual.toLowerCase().includes(value.toLowerCase());
  return false;
}

/**
 * FindFolder, Shallow or Deep, with a DisplayName/FolderClass restriction and paging.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation
 */
export function FindFolder(call: EwsCall): string {
  const shape = parseFolderShape(child(call.body, 'FolderShape'));
  const deep = call.body.attrs['Traversal'] === 'Deep';
  const restriction = child(call.body, 'Restriction');
  const paged = child(call.body, 'IndexedPageFolderView');
  const messages = (child(call.body, 'ParentFolderIds')?.children ?? []).map((node) => {
    const r = resolveFolder(call, node);
    if (!r.ok) return errorMessage('FindFolder', { code: r.code });
    let folders = deep ? r.mailbox.descendants(r.value.key) : r.mailbox.childFolders(r.value.key);
    if (restriction) folders = folders.filter((f) => folderMatches(f, restriction));
    const total = folders.length;
    const offset = Number(paged?.attrs['Offset'] ?? '0');
    const max = Number(paged?.attrs['MaxEntriesReturned'] ?? '1000');
    const page = folders.slice(offset, offset + max);
    const attrs = { IndexedPagingOffset: offset + page.length, TotalItemsInView: total, IncludesLastItemInRange: offset + page.length >= total };
    return success('FindFolder', el('m:RootFolder', attrs, el('t:Folders', undefined, ...page.map((f) => renderFolder(r.mailbox, f, shape)))));
  });
  return operationResponse('FindFolder', messages);
}
