import { child } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import { resolveFolder, type EwsCall } from '../call.ts';
import { parseShape, renderItem } from '../item-render.ts';
import { matchesRestriction, sortItems } from '../restriction.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { StoredItem } from '../../mailbox-store/types.ts';

/** "The default policy in Exchange limits the page size to 1000 items" (ews-throttling-in-exchange.md). */
const MAX_PAGE = 1000;

/**
 * FindItem: Shallow/Associated traversal, Restriction, SortOrder, IndexedPageItemView and
 * CalendarView (no expansion of recurring series: masters are returned, see docs/lab.md).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation
 */
export function FindItem(call: EwsCall): string {
  const shape = parseShape(child(call.body, 'ItemShape'));
  const associated = call.body.attrs['Traversal'] === 'Associated';
  const restriction = child(call.body, 'Restriction');
  const messages: string[] = [];
  for (const folderNode of child(call.body, 'ParentFolderIds')?.children ?? []) {
    const r = resolveFolder(call, folderNode);
    if (!r.ok) {
      messages.push(errorMessage('FindItem', { code: r.code }));
      continue;
    }
    const mb = r.mailbox;
    let items: StoredItem[] = mb.itemsIn(r.value.key, associated);
    if (restriction) items = items.filter((i) => matchesRestriction(mb, i, restriction));
    const calendar = child(call.body, 'CalendarView');
    if (calendar) {
      const start = Date.parse(calendar.attrs['StartDate'] ?? '');
      const end = Date.parse(calendar.attrs['EndDate'] ?? '');
      items = items.filter((i) => {
        const s = Date.parse(i.props.get('Start')?.text ?? '');
        const e = Date.parse(i.props.get('End')?.text ?? '');
        return i.props.has('Recurrence') || (s < end && e > start);
      });
      items.sort((a, b) => Date.parse(a.props.get('Start')?.text ?? '') - Date.parse(b.props.get('Start')?.text ?? ''));
    } else items = sortItems(mb, items, child(call.body, 'SortOrder'));
    const total = items.length;
    const paged = child(call.body, 'IndexedPageItemView');
    const max = Math.min(Number(paged?.attrs['MaxEntriesReturned'] ?? calendar?.attrs['MaxEntriesReturned'] ?? MAX_PAGE), MAX_PAGE);
    let offset = Number(paged?.attrs['Offset'] ?? '0');
    if (paged?.attrs['BasePoint'] === 'End') offset = Math.max(0, total - offset - max);
    const page = items.slice(offset, offset + max);
    const last = offset + page.length >= total;
    const attrs: Record<string, string | number | boolean> = calendar
      ? { TotalItemsInView: total, IncludesLastItemInRange: last }
      : { IndexedPagingOffset: offset + page.length, TotalItemsInView: total, IncludesLastItemInRange: last };
    messages.push(success('FindItem', el('m:RootFolder', attrs, el('t:Items', undefined, ...page.map((i) => renderItem(mb, i, shape, true))))));
  }
  return operationResponse('FindItem', messages);
}

