import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import type { WireId } from '../schema/codec.ts';
import { writeFolderTarget, writeItemIds, type FolderTarget, type ItemIdRef } from '../schema/folder-id.ts';
import { itemElementNames, readItem } from '../schema/item-kinds.ts';
import { child } from '../xml/xml-reader.ts';

export type MoveItemArgs = { ids: ItemIdRef[]; to: FolderTarget };

/**
 * The value is the item's id in the destination folder (a move changes the id), or undefined
 * when the server did not return one.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/moveitem-operation
 */
export const MoveItem: Operation<MoveItemArgs, ItemResult<WireId | undefined>[]> = {
  name: 'MoveItem',
  build: (a) => `<m:MoveItem><m:ToFolderId>${writeFolderTarget(a.to)}</m:ToFolderId>${writeItemIds('m:ItemIds', a.ids)}</m:MoveItem>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'MoveItem', (m) => {
        const n = child(m.node, 'Items')?.children.find((x) => itemElementNames.has(x.name));
        return n ? readItem(n).record.ItemId : undefined;
      }),
      a.ids.length,
      'MoveItem',
    ),
};
