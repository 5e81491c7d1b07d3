import { child, childText } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import { resolveFolderIn, type EwsCall } from '../call.ts';
import { parseFolderShape, renderFolder } from '../folder-render.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import { decodeSyncState, encodeSyncState, type Known } from '../sync-state.ts';
import { encodeId } from '../../mailbox-store/ids.ts';

const ERROR_TRAILER = '<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>';

/**
 * SyncFolderHierarchy under SyncFolderId (default: the message folder root), with the same
 * SyncState rules as SyncFolderItems.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderhierarchy
 */
export function SyncFolderHierarchy(call: EwsCall): string {
  const sync = child(call.body, 'SyncFolderId');
  const root = sync ? resolveFolderIn(call, sync) : { ok: true as const, value: call.mailbox.distinguished('msgfolderroot')!, mailbox: call.mailbox };
  if (!root.ok) return operationResponse('SyncFolderHierarchy', [errorMessage('SyncFolderHierarchy', { code: root.code, trailer: ERROR_TRAILER })]);
  const mb = root.mailbox;
  const scope = `folders:${mb.no}:${root.value.key}`;
  const stateText = childText(call.body, 'SyncState') ?? '';
  let known: Known = new Map();
  if (stateText !== '') {
    const decoded = decodeSyncState(call.lab.syncSecret, scope, stateText);
    if (!decoded) return operationResponse('SyncFolderHierarchy', [errorMessage('SyncFolderHierarchy', { code: 'ErrorInvalidSyncStateData', trailer: ERROR_TRAILER })]);
    known = decoded;
  }
  const shape = parseFolderShape(child(call.body, 'FolderShape'));
  const parts: string[] = [];
  const next: Known = new Map();
  const present = new Set<string>();
  for (const folder of mb.descendants(root.value.key)) {
    present.add(folder.key);
    next.set(folder.key, { v: folder.version, r: 0 });
    const seen = known.get(folder.key);
    if (!seen) parts.push(el('t:Create', undefined, renderFolder(mb, folder, shape)));
    else if (seen.v !== folder.version) parts.push(el('t:Update', undefined, renderFolder(mb, folder, shape)));
  }
  for (const key of known.keys()) if (!present.has(key)) parts.push(el('t:Delete', undefined, el('t:FolderId', { Id: encodeId('folder', mb.no, key) })));
  const inner = tel('m:SyncState', encodeSyncState(call.lab.syncSecret, scope, next)) + tel('m:IncludesLastFolderInRange', true) + el('m:Changes', undefined, ...parts);
  return operationResponse('SyncFolderHierarchy', [success('SyncFolderHierarchy', inner)]);
}
