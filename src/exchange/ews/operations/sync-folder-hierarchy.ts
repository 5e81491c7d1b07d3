import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import type { WireId } from '../schema/codec.ts';
import { id } from '../schema/codec.ts';
import { writeFolderTargets, type FolderTarget } from '../schema/folder-id.ts';
import { folderElementNames, readFolder, type FolderRecord } from '../schema/folder.ts';
import { writeFolderShape } from '../schema/shape.ts';
import { escapeXml } from '../xml/xml-text.ts';
import { child, childText } from '../xml/xml-reader.ts';

export type SyncFolderHierarchyArgs = { folder?: FolderTarget; syncState?: string | null };
export type FolderHierarchyChange = { type: 'Create' | 'Update'; folder: FolderRecord } | { type: 'Delete'; folderId: WireId };
export type SyncFolderHierarchyResult = { syncState: string; includesLastFolderInRange: boolean; changes: FolderHierarchyChange[] };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderhierarchy */
export const SyncFolderHierarchy: Operation<SyncFolderHierarchyArgs, SyncFolderHierarchyResult> = {
  name: 'SyncFolderHierarchy',
  build: (a) =>
    `<m:SyncFolderHierarchy>${writeFolderShape('m:FolderShape', { baseShape: 'Default' })}${a.folder === undefined ? '' : writeFolderTargets('m:SyncFolderId', [a.folder])}${
      a.syncState ? `<m:SyncState>${escapeXml(a.syncState, 'SyncState')}</m:SyncState>` : ''
    }</m:SyncFolderHierarchy>`,
  parse: (env) => {
    const m = single(env, 'SyncFolderHierarchy');
    const changes: FolderHierarchyChange[] = [];
    for (const c of child(m.node, 'Changes')?.children ?? []) {
      if (c.name === 'Delete') {
        const f = child(c, 'FolderId');
        if (f) changes.push({ type: 'Delete', folderId: id.read(f) });
      } else if (c.name === 'Create' || c.name === 'Update') {
        const f = c.children.find((n) => folderElementNames.has(n.name));
        if (f) changes.push({ type: c.name, folder: readFolder(f) });
      }
    }
    return {
      syncState: (childText(m.node, 'SyncState') ?? '').trim(),
      includesLastFolderInRange: childText(m.node, 'IncludesLastFolderInRange')?.trim() !== 'false',
      changes,
    };
  },
};
