import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeFolderTarget, type FolderTarget } from '../schema/folder-id.ts';
import { writeItemChange, type ItemChange } from '../schema/item-change.ts';
import { itemElementNames, readItem, type WireItem } from '../schema/item-kinds.ts';
import { element } from '../xml/xml-text.ts';
import { child, childText } from '../xml/xml-reader.ts';

export type UpdateItemArgs = {
  changes: ItemChange[];
  /** NeverOverwrite with a ChangeKey makes the update conditional: a stale key fails with ErrorIrresolvableConflict. */
  conflictResolution: 'NeverOverwrite' | 'AutoResolve' | 'AlwaysOverwrite';
  messageDisposition?: 'SaveOnly' | 'SendOnly' | 'SendAndSaveCopy';
  /** Required when updating calendar items. */
  sendMeetingInvitationsOrCancellations?: 'SendToNone' | 'SendOnlyToAll' | 'SendOnlyToChanged' | 'SendToAllAndSaveCopy' | 'SendToChangedAndSaveCopy';
  savedItemFolder?: FolderTarget;
};

export type UpdatedItem = { item?: WireItem; conflictCount: number };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation */
export const UpdateItem: Operation<UpdateItemArgs, ItemResult<UpdatedItem>[]> = {
  name: 'UpdateItem',
  build: (a) =>
    element(
      'm:UpdateItem',
      {
        ConflictResolution: a.conflictResolution,
        MessageDisposition: a.messageDisposition,
        SendMeetingInvitationsOrCancellations: a.sendMeetingInvitationsOrCancellations,
      },
      `${a.savedItemFolder === undefined ? '' : `<m:SavedItemFolderId>${writeFolderTarget(a.savedItemFolder)}</m:SavedItemFolderId>`}<m:ItemChanges>${a.changes
        .map(writeItemChange)
        .join('')}</m:ItemChanges>`,
    ),
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'UpdateItem', (m) => {
        const n = child(m.node, 'Items')?.children.find((x) => itemElementNames.has(x.name));
        const count = Number.parseInt(childText(child(m.node, 'ConflictResults'), 'Count') ?? '0', 10) || 0;
        return { ...(n ? { item: readItem(n) } : {}), conflictCount: count };
      }),
      a.changes.length,
      'UpdateItem',
    ),
};
