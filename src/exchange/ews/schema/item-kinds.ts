import type { XmlNode } from '../xml/xml-reader.ts';
import { calendarItemFieldIndex, calendarItemFields, type CalendarItemRecord } from './calendar-item.ts';
import { readFields, writeFields } from './codec.ts';
import { contactFieldIndex, contactFields, type ContactRecord } from './contact.ts';
import { itemFieldIndex, itemFields, type ItemRecord } from './item.ts';
import { messageFieldIndex, messageFields, type MessageRecord } from './message.ts';
import { taskFieldIndex, taskFields, type TaskRecord } from './task.ts';

/** An item as read from or written to the wire, by its schema type. `element` keeps the exact element name (MeetingRequest…). */
export type WireItem =
  | { type: 'Message'; element: string; record: MessageRecord }
  | { type: 'CalendarItem'; element: 'CalendarItem'; record: CalendarItemRecord }
  | { type: 'Contact'; element: 'Contact'; record: ContactRecord }
  | { type: 'Task'; element: 'Task'; record: TaskRecord }
  | { type: 'Item'; element: string; record: ItemRecord };

/** Elements whose schema type derives from MessageType. */
const messageElements = new Set(['Message', 'MeetingMessage', 'MeetingRequest', 'MeetingResponse', 'MeetingCancellation', 'SharingMessage']);

export const itemElementNames = new Set([...messageElements, 'Item', 'CalendarItem', 'Contact', 'Task', 'DistributionList', 'PostItem', 'RoleMember', 'Network', 'Person']);

export function readItem(node: XmlNode): WireItem {
  if (node.parsed !== undefined) return node.parsed as WireItem;
  if (messageElements.has(node.name)) return { type: 'Message', element: node.name, record: readFields(messageFields, node, messageFieldIndex) };
  if (node.name === 'CalendarItem') return { type: 'CalendarItem', element: 'CalendarItem', record: readFields(calendarItemFields, node, calendarItemFieldIndex) };
  if (node.name === 'Contact') return { type: 'Contact', element: 'Contact', record: readFields(contactFields, node, contactFieldIndex) };
  if (node.name === 'Task') return { type: 'Task', element: 'Task', record: readFields(taskFields, node, taskFieldIndex) };
  return { type: 'Item', element: node.name, record: readFields(itemFields, node, itemFieldIndex) };
}

export function writeItem(item: WireItem): string {
  const inner = (() => {
    switch (item.type) {
      case 'Message':
        return writeFields(messageFields, item.record);
      case 'CalendarItem':
        return writeFields(calendarItemFields, item.record);
      case 'Contact':
        return writeFields(contactFields, item.record);
      case 'Task':
        return writeFields(taskFields, item.record);
      default:
        return writeFields(itemFields, item.record);
    }
  })();
  return `<t:${item.element}>${inner}</t:${item.element}>`;
}

export function fieldsOf(type: WireItem['type']): typeof itemFields | typeof messageFields | typeof calendarItemFields | typeof contactFields | typeof taskFields {
  switch (type) {
    case 'Message':
      return messageFields;
    case 'CalendarItem':
      return calendarItemFields;
    case 'Contact':
      return contactFields;
    case 'Task':
      return taskFields;
    default:
      return itemFields;
  }
}

const itemContainers = new Set(['Items', 'Create', 'Update']);

/**
 * readXml onClose hook: turns each item into its record as soon as it closes and drops its
 * subtree, so a page of 512 messages never exists as a full tree (less memory, far less GC).
 */
export function compactItem(node: XmlNode, path: readonly string[]): boolean {
  if (itemElementNames.has(node.name) && itemContainers.has(path[path.length - 1] ?? '')) {
    node.parsed = readItem(node);
    node.children = [];
    node.text = '';
  }
  return false;
}
