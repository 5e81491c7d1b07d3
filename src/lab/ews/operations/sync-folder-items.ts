import { child, childText } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import { resolveFolderIn, type EwsCall } from '../call.ts';
import { parseShape, renderItem } from '../item-render.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import { decodeSyncState, encodeSyncState, type Known } from '../sync-state.ts';
import type { StoredItem } from '../../mailbox-store/types.ts';
import { decodeId, encodeId } from '../../mailbox-store/ids.ts';

const SYNC_ERROR_TRAILER = '<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>';

/**
 * SyncFolderItems with Exchange's semantics: changes since what the SyncState says the client has,
 * at most MaxChangesReturned (1..512) per call, IncludesLastItemInRange false while more wait;
 * Create/Update/Delete/ReadFlagChange; Ignore'd items are skipped but count as seen.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/maxchangesreturned
 */
export function SyncFolderItems(call: EwsCall): string {
  const folderR = resolveFolderIn(call, child(call.body, 'SyncFolderId'));
  if (!folderR.ok) return operationResponse('SyncFolderItems', [errorMessage('SyncFolderItems', { code: folderR.code, trailer: SYNC_ERROR_TRAILER })]);
  const mb = folderR.mailbox;
  const folder = folderR.value;
  // Range already checked against the schema (ews-endpoint.ts); the element is required.
  const max = Number(childText(call.body, 'MaxChangesReturned') ?? '512');
  const scope = `items:${mb.no}:${folder.key}`;
  const stateText = childText(call.body, 'SyncState') ?? '';
  let known: Known;
  if (stateText === '') known = new Map();
  else {
    const decoded = decodeSyncState(call.lab.syncSecret, scope, stateText);
    if (!decoded) return operationResponse('SyncFolderItems', [errorMessage('SyncFolderItems', { code: 'ErrorInvalidSyncStateData', trailer: SYNC_ERROR_TRAILER })]);
    known = decoded;
  }
  const ignore = new Set<string>();
  for (const n of child(call.body, 'Ignore')?.children ?? []) {
    const d = decodeId(n.attrs['Id'] ?? '');
    if (d) ignore.add(d.key);
  }
  const shape = parseShape(child(call.body, 'ItemShape'));
  const current = mb.itemsIn(folder.key).sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
  type Change = { kind: 'Create' | 'Update' | 'ReadFlagChange'; item: StoredItem } | { kind: 'Delete'; key: string };
  const changes: Change[] = [];
  const present = new Set<string>();
  for (const item of current) {
    present.add(item.key);
    const isRead = item.props.get('IsRead')?.text.trim() === 'true' ? 1 : 0;
    const seen = known.get(item.key);
    if (!seen) changes.push({ kind: 'Create', item });
    else if (seen.v !== item.contentVersion) changes.push({ kind: 'Update', item });
    else if (seen.r !== isRead) changes.push({ kind: 'ReadFlagChange', item });
  }
  for (const key of known.keys()) if (!present.has(key)) changes.push({ kind: 'Delete', key });

  const page = changes.slice(0, max);
  const next: Known = new Map(known);
  const parts: string[] = [];
  for (const c of page) {
    if (c.kind === 'Delete') {
      next.delete(c.key);
      parts.push(el('t:Delete', undefined, el('t:ItemId', { Id: encodeId('item', mb.no, c.key) })));
      continue;
    }
    const item = c.item;
    const isRead = item.props.get('IsRead')?.text.trim() === 'true';
    next.set(item.key, { v: item.contentVersion, r: isRead ? 1 : 0 });
    if (ignore.has(item.key)) continue;
    if (c.kind === 'ReadFlagChange') {
      parts.push(el('t:ReadFlagChange', undefined, el('t:ItemId', { Id: item.id, ChangeKey: mb.itemChangeKey(item) }), tel('t:IsRead', isRead)));
    } else {
      parts.push(el(`t:${c.kind}`, undefined, renderItem(mb, item, shape, true)));
    }
  }
  const inner =
    tel('m:SyncState', encodeSyncState(call.lab.syncSecret, scope, next)) +
    tel('m:IncludesLastItemInRange', page.length === changes.length) +
    el('m:Changes', undefined, ...parts);
  return operationResponse('SyncFolderItems', [success('SyncFolderItems', inner)]);
}
