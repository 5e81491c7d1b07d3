import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { id, type WireId } from '../schema/codec.ts';
import { writeFolderTargets, writeItemIds, type FolderTarget, type ItemIdRef } from '../schema/folder-id.ts';
import { itemElementNames, readItem, type WireItem } from '../schema/item-kinds.ts';
import { writeItemShape, type ShapeOptions } from '../schema/shape.ts';
import { escapeXml } from '../xml/xml-text.ts';
import { child, childText } from '../xml/xml-reader.ts';

export type SyncFolderItemsArgs = {
  folder: FolderTarget;
  syncState?: string | null;
  /** 1..512 (t:MaxSyncChangesReturnedType). */
  maxChangesReturned: number;
  shape: ShapeOptions;
  ignore?: ItemIdRef[];
};

export type ItemSyncChange =
  | { type: 'Create' | 'Update'; item: WireItem }
  | { type: 'Delete'; itemId: WireId }
  | { type: 'ReadFlagChange'; itemId: WireId; isRead: boolean };

export type SyncFolderItemsResult = { syncState: string; includesLastItemInRange: boolean; changes: ItemSyncChange[] };

/**
 * The cursor-based change feed Dovetail's incoming and ACT pipelines read (SyncState is the cursor).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems
 */
export const SyncFolderItems: Operation<SyncFolderItemsArgs, SyncFolderItemsResult> = {
  name: 'SyncFolderItems',
  build: (a) => {
    const max = Math.trunc(a.maxChangesReturned);
    if (!(max >= 1 && max <= 512)) throw new RangeError(`MaxChangesReturned must be 1..512, got ${a.maxChangesReturned}`);
    return `<m:SyncFolderItems>${writeItemShape('m:ItemShape', a.shape)}${writeFolderTargets('m:SyncFolderId', [a.folder])}${
      a.syncState ? `<m:SyncState>${escapeXml(a.syncState, 'SyncState')}</m:SyncState>` : ''
    }${a.ignore && a.ignore.length > 0 ? writeItemIds('m:Ignore', a.ignore) : ''}<m:MaxChangesReturned>${max}</m:MaxChangesReturned></m:SyncFolderItems>`;
  },
  parse: (env) => {
    const m = single(env, 'SyncFolderItems');
    const changes: ItemSyncChange[] = [];
    for (const c of child(m.node, 'Changes')?.children ?? []) {
      if (c.name === 'Delete') {
        const i = child(c, 'ItemId');
        if (i) changes.push({ type: 'Delete', itemId: id.read(i) });
      } else if (c.name === 'ReadFlagChange') {
        const i = child(c, 'ItemId');
        if (i) changes.push({ type: 'ReadFlagChange', itemId: id.read(i), isRead: childText(c, 'IsRead')?.trim() === 'true' });
      } else if (c.name === 'Create' || c.name === 'Update') {
        const n = c.children.find((x) => itemElementNames.has(x.name));
        if (n) changes.push({ type: c.name, item: readItem(n) });
      }
    }
    return {
      syncState: (childText(m.node, 'SyncState') ?? '').trim(),
      includesLastItemInRange: childText(m.node, 'IncludesLastItemInRange')?.trim() !== 'false',
      changes,
    };
  },
};
