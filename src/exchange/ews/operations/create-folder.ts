import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeFields } from '../schema/codec.ts';
import { writeFolderTarget, type FolderTarget } from '../schema/folder-id.ts';
import { folderElementNames, folderFields, readFolder, type FolderRecord } from '../schema/folder.ts';
import { child } from '../xml/xml-reader.ts';

export type CreateFolderArgs = { parent: FolderTarget; folders: Array<{ DisplayName: string; FolderClass?: string }> };

/**
 * Dovetail creates the "Undeliverable" folder with this when a profile moves failed email there.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation
 */
export const CreateFolder: Operation<CreateFolderArgs, ItemResult<FolderRecord>[]> = {
  name: 'CreateFolder',
  build: (a) =>
    `<m:CreateFolder><m:ParentFolderId>${writeFolderTarget(a.parent)}</m:ParentFolderId><m:Folders>${a.folders
      .map((f) => `<t:Folder>${writeFields(folderFields, f)}</t:Folder>`)
      .join('')}</m:Folders></m:CreateFolder>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'CreateFolder', (m) => {
        const f = child(m.node, 'Folders')?.children.find((n) => folderElementNames.has(n.name));
        if (!f) throw new Error('no folder in the response message');
        return readFolder(f);
      }),
      a.folders.length,
      'CreateFolder',
    ),
};
