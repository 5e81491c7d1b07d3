import type { LabState, Subscription } from '../lab-state.ts';
import type { Mailbox } from '../mailbox-store/mailbox.ts';
import type { MailboxEvent } from '../mailbox-store/types.ts';
import { el, tel } from '../xml/xml-writer.ts';
import { isoTime } from './soap.ts';

/** Watermark: 'W', mailbox number (uint16), event sequence (uint32); base64 like Exchange's. */
export function encodeWatermark(mailboxNo: number, seq: number): string {
  const b = Buffer.alloc(7);
  b[0] = 0x57;
  b.writeUInt16BE(mailboxNo, 1);
  b.writeUInt32BE(seq >>> 0, 3);
  return b.toString('base64');
}

export function decodeWatermark(text: string): { mailboxNo: number; seq: number } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const b = Buffer.from(text, 'base64');
  if (b.length !== 7 || b[0] !== 0x57) return undefined;
  return { mailboxNo: b.readUInt16BE(1), seq: b.readUInt32BE(3) };
}

export function matches(sub: Subscription, e: MailboxEvent): boolean {
  if (!sub.eventTypes.has(e.type)) return false;
  if (sub.folderKeys === 'all') return true;
  return sub.folderKeys.has(e.folderKey) || (e.oldFolderKey !== undefined && sub.folderKeys.has(e.oldFolderKey));
}

/** One event element in BaseObjectChangedEventType / MovedCopiedEventType order. */
export function renderEvent(mb: Mailbox, e: MailboxEvent, withWatermark: boolean): string {
  const idElement = e.itemId ? el('t:ItemId', { Id: e.itemId }) : el('t:FolderId', { Id: e.folderId ?? '' });
  const moved = e.type === 'MovedEvent' || e.type === 'CopiedEvent';
  return el(
    `t:${e.type}`,
    undefined,
    withWatermark ? tel('t:Watermark', encodeWatermark(mb.no, e.seq)) : '',
    tel('t:TimeStamp', isoTime(e.at)),
    idElement,
    el('t:ParentFolderId', { Id: e.parentFolderId }),
    moved && e.oldItemId ? el('t:OldItemId', { Id: e.oldItemId }) : '',
    moved && e.oldFolderId ? el('t:OldFolderId', { Id: e.oldFolderId }) : '',
    moved && e.oldParentFolderId ? el('t:OldParentFolderId', { Id: e.oldParentFolderId }) : '',
  );
}

export const EVENT_TYPES = ['CopiedEvent', 'CreatedEvent', 'DeletedEvent', 'ModifiedEvent', 'MovedEvent', 'NewMailEvent', 'FreeBusyChangedEvent'];

export function pendingEvents(lab: LabState, sub: Subscription): MailboxEvent[] {
  const mb = lab.mailboxByNo(sub.mailboxNo);
  if (!mb) return [];
  return mb.events.filter((e) => e.seq > sub.seq && matches(sub, e));
}
