import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeFolderTarget, writeItemIds, type FolderTarget, type ItemIdRef } from '../schema/folder-id.ts';

export type SendItemArgs = { ids: ItemIdRef[]; saveItemToFolder: boolean; savedItemFolder?: FolderTarget };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/senditem-operation */
export const SendItem: Operation<SendItemArgs, ItemResult<true>[]> = {
  name: 'SendItem',
  build: (a) =>
    `<m:SendItem SaveItemToFolder="${a.saveItemToFolder}">${writeItemIds('m:ItemIds', a.ids)}${
      a.savedItemFolder === undefined ? '' : `<m:SavedItemFolderId>${writeFolderTarget(a.savedItemFolder)}</m:SavedItemFolderId>`
    }</m:SendItem>`,
  parse: (env, a) => expectCount(perMessage(env, 'SendItem', () => true as const), a.ids.length, 'SendItem'),
};
