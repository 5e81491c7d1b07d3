import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeItemIds, type ItemIdRef } from '../schema/folder-id.ts';
import { element } from '../xml/xml-text.ts';

export type DeleteItemArgs = {
  ids: ItemIdRef[];
  deleteType: 'HardDelete' | 'SoftDelete' | 'MoveToDeletedItems';
  /** Required when deleting calendar items. */
  sendMeetingCancellations?: 'SendToNone' | 'SendOnlyToAll' | 'SendToAllAndSaveCopy';
  /** Required when deleting tasks (ErrorAffectedTaskOccurrencesRequired otherwise). */
  affectedTaskOccurrences?: 'AllOccurrences' | 'SpecifiedOccurrenceOnly';
};

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation */
export const DeleteItem: Operation<DeleteItemArgs, ItemResult<true>[]> = {
  name: 'DeleteItem',
  build: (a) =>
    element(
      'm:DeleteItem',
      { DeleteType: a.deleteType, SendMeetingCancellations: a.sendMeetingCancellations, AffectedTaskOccurrences: a.affectedTaskOccurrences },
      writeItemIds('m:ItemIds', a.ids),
    ),
  parse: (env, a) => expectCount(perMessage(env, 'DeleteItem', () => true as const), a.ids.length, 'DeleteItem'),
};
