import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { writeFolderTargets, type FolderTarget } from '../schema/folder-id.ts';
import { folderElementNames, folderFields, readFolder, type FolderRecord } from '../schema/folder.ts';
import { writeIsEqualTo } from '../schema/restriction.ts';
import { writeFolderShape } from '../schema/shape.ts';
import { child } from '../xml/xml-reader.ts';

export type FindFolderArgs = { parent: FolderTarget; traversal?: 'Shallow' | 'Deep'; displayName?: string; maxEntries?: number };
export type FindFolderResult = { folders: FolderRecord[]; includesLastItemInRange: boolean };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation */
export const FindFolder: Operation<FindFolderArgs, FindFolderResult> = {
  name: 'FindFolder',
  build: (a) =>
    `<m:FindFolder Traversal="${a.traversal ?? 'Shallow'}">${writeFolderShape('m:FolderShape', {
      baseShape: 'IdOnly',
      fields: folderFields.filter((f) => f.name === 'DisplayName' || f.name === 'FolderClass' || f.name === 'ParentFolderId'),
    })}${a.maxEntries === undefined ? '' : `<m:IndexedPageFolderView MaxEntriesReturned="${a.maxEntries}" Offset="0" BasePoint="Beginning"/>`}${
      a.displayName === undefined ? '' : writeIsEqualTo({ FieldURI: 'folder:DisplayName' }, a.displayName)
    }${writeFolderTargets('m:ParentFolderIds', [a.parent])}</m:FindFolder>`,
  parse: (env) => {
    const m = single(env, 'FindFolder');
    const root = child(m.node, 'RootFolder');
    const folders = (child(root, 'Folders')?.children ?? []).filter((n) => folderElementNames.has(n.name)).map(readFolder);
    return { folders, includesLastItemInRange: root?.attrs['IncludesLastItemInRange'] !== 'false' };
  },
};
