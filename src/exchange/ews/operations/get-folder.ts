import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeFolderTargets, type FolderTarget } from '../schema/folder-id.ts';
import { folderElementNames, readFolder, type FolderRecord } from '../schema/folder.ts';
import { writeFolderShape, type ShapeOptions } from '../schema/shape.ts';
import { child } from '../xml/xml-reader.ts';

export type GetFolderArgs = { folders: FolderTarget[]; shape?: ShapeOptions };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation */
export const GetFolder: Operation<GetFolderArgs, ItemResult<FolderRecord>[]> = {
  name: 'GetFolder',
  build: (a) => `<m:GetFolder>${writeFolderShape('m:FolderShape', a.shape ?? { baseShape: 'Default' })}${writeFolderTargets('m:FolderIds', a.folders)}</m:GetFolder>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'GetFolder', (m) => {
        const f = child(m.node, 'Folders')?.children.find((n) => folderElementNames.has(n.name));
        if (!f) throw new Error('no folder in the response message');
        return readFolder(f);
      }),
      a.folders.length,
      'GetFolder',
    ),
};
