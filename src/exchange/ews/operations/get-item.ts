import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeItemIds, type ItemIdRef } from '../schema/folder-id.ts';
import { itemElementNames, readItem, type WireItem } from '../schema/item-kinds.ts';
import { writeItemShape, type ShapeOptions } from '../schema/shape.ts';
import { child } from '../xml/xml-reader.ts';

export type GetItemArgs = { ids: ItemIdRef[]; shape: ShapeOptions };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation */
export const GetItem: Operation<GetItemArgs, ItemResult<WireItem>[]> = {
  name: 'GetItem',
  build: (a) => `<m:GetItem>${writeItemShape('m:ItemShape', a.shape)}${writeItemIds('m:ItemIds', a.ids)}</m:GetItem>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'GetItem', (m) => {
        const n = child(m.node, 'Items')?.children.find((x) => itemElementNames.has(x.name));
        if (!n) throw new Error('no item in the response message');
        return readItem(n);
      }),
      a.ids.length,
      'GetItem',
    ),
};
