import { child, childText, type XmlNode } from '../xml/xml-reader.ts';
import { id, type WireId } from './codec.ts';

/** t:NotificationEventTypeType values. */
export type EventType = 'CopiedEvent' | 'CreatedEvent' | 'DeletedEvent' | 'ModifiedEvent' | 'MovedEvent' | 'NewMailEvent' | 'FreeBusyChangedEvent';
const eventTypes = new Set(['CopiedEvent', 'CreatedEvent', 'DeletedEvent', 'ModifiedEvent', 'MovedEvent', 'NewMailEvent', 'FreeBusyChangedEvent', 'StatusEvent']);

/** BaseNotificationEventType and its subtypes, flattened. */
export type WireEvent = {
  type: EventType | 'StatusEvent';
  Watermark?: string;
  TimeStamp?: string;
  ItemId?: WireId;
  FolderId?: WireId;
  ParentFolderId?: WireId;
  OldItemId?: WireId;
  OldFolderId?: WireId;
  OldParentFolderId?: WireId;
  UnreadCount?: number;
};

/** NotificationType: SubscriptionId, PreviousWatermark, MoreEvents, then the events in order. */
export type WireNotification = { SubscriptionId: string; PreviousWatermark?: string; MoreEvents?: boolean; events: WireEvent[] };

function readEvent(n: XmlNode): WireEvent {
  const e: WireEvent = { type: n.name as WireEvent['type'] };
  for (const c of n.children) {
    switch (c.name) {
      case 'Watermark':
      case 'TimeStamp':
        e[c.name] = c.text.trim();
        break;
      case 'ItemId':
      case 'FolderId':
      case 'ParentFolderId':
      case 'OldItemId':
      case 'OldFolderId':
      case 'OldParentFolderId':
        e[c.name] = id.read(c);
        break;
      case 'UnreadCount':
        e.UnreadCount = Number.parseInt(c.text, 10);
        break;
    }
  }
  return e;
}

export function readNotification(n: XmlNode): WireNotification {
  const prev = childText(n, 'PreviousWatermark')?.trim();
  const more = child(n, 'MoreEvents');
  return {
    SubscriptionId: (childText(n, 'SubscriptionId') ?? '').trim(),
    ...(prev === undefined ? {} : { PreviousWatermark: prev }),
    ...(more === undefined ? {} : { MoreEvents: more.text.trim() === 'true' }),
    events: n.children.filter((c) => eventTypes.has(c.name)).map(readEvent),
  };
}
