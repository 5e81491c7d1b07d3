import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { writeFolderTargets, type FolderTarget } from '../schema/folder-id.ts';
import { itemElementNames, readItem, type WireItem } from '../schema/item-kinds.ts';
import { writeIsEqualTo, type PropertyPath } from '../schema/restriction.ts';
import { writeItemShape, type ShapeOptions } from '../schema/shape.ts';
import { child } from '../xml/xml-reader.ts';
import { element } from '../xml/xml-text.ts';

export type FindItemArgs = {
  parents: FolderTarget[];
  shape: ShapeOptions;
  traversal?: 'Shallow' | 'SoftDeleted' | 'Associated';
  isEqualTo?: { path: PropertyPath; value: string };
  maxEntries?: number;
  offset?: number;
  /** A calendar view instead of a paged view: items (occurrences expanded) that overlap the range. */
  calendarView?: { start: string; end: string; maxEntries: number };
};
export type FindItemResult = { items: WireItem[]; includesLastItemInRange: boolean; totalItemsInView?: number };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation */
export const FindItem: Operation<FindItemArgs, FindItemResult> = {
  name: 'FindItem',
  build: (a) =>
    `<m:FindItem Traversal="${a.traversal ?? 'Shallow'}">${writeItemShape('m:ItemShape', a.shape)}${
      a.calendarView !== undefined
        ? element('m:CalendarView', { MaxEntriesReturned: String(a.calendarView.maxEntries), StartDate: a.calendarView.start, EndDate: a.calendarView.end })
        : a.maxEntries === undefined ? '' : `<m:IndexedPageItemView MaxEntriesReturned="${a.maxEntries}" Offset="${a.offset ?? 0}" BasePoint="Beginning"/>`
    }${a.isEqualTo === undefined ? '' : writeIsEqualTo(a.isEqualTo.path, a.isEqualTo.value)}${writeFolderTargets('m:ParentFolderIds', a.parents)}</m:FindItem>`,
  parse: (env) => {
    const m = single(env, 'FindItem');
    const root = child(m.node, 'RootFolder');
    const items = (child(root, 'Items')?.children ?? []).filter((n) => itemElementNames.has(n.name)).map(readItem);
    const total = root?.attrs['TotalItemsInView'];
    return {
      items,
      includesLastItemInRange: root?.attrs['IncludesLastItemInRange'] !== 'false',
      ...(total === undefined ? {} : { totalItemsInView: Number(total) }),
    };
  },
};
