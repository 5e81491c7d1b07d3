import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { writeFolderTarget, type FolderTarget } from '../schema/folder-id.ts';
import { itemElementNames, readItem, writeItem, type WireItem } from '../schema/item-kinds.ts';
import { element } from '../xml/xml-text.ts';
import { child } from '../xml/xml-reader.ts';

export type CreateItemArgs = {
  items: WireItem[];
  savedItemFolder?: FolderTarget;
  /** Required for messages (ErrorMessageDispositionRequired otherwise). */
  messageDisposition?: 'SaveOnly' | 'SendOnly' | 'SendAndSaveCopy';
  /** Required for calendar items. */
  sendMeetingInvitations?: 'SendToNone' | 'SendOnlyToAll' | 'SendToAllAndSaveCopy';
};

/**
 * One result per item; the value is the created item (its ItemId), or undefined when Exchange keeps
 * no copy (MessageDisposition SendOnly / SendAndSaveCopy return an empty Items element).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation
 */
export const CreateItem: Operation<CreateItemArgs, ItemResult<WireItem | undefined>[]> = {
  name: 'CreateItem',
  build: (a) =>
    element(
      'm:CreateItem',
      { MessageDisposition: a.messageDisposition, SendMeetingInvitations: a.sendMeetingInvitations },
      `${a.savedItemFolder === undefined ? '' : `<m:SavedItemFolderId>${writeFolderTarget(a.savedItemFolder)}</m:SavedItemFolderId>`}<m:Items>${a.items.map(writeItem).join('')}</m:Items>`,
    ),
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'CreateItem', (m) => {
        const n = child(m.node, 'Items')?.children.find((x) => itemElementNames.has(x.name));
        return n ? readItem(n) : undefined;
      }),
      a.items.length,
      'CreateItem',
    ),
};
