import type { LabState, Principal } from '../lab-state.ts';
import type { Mailbox } from '../mailbox-store/mailbox.ts';
import { decodeChangeKey, decodeId } from '../mailbox-store/ids.ts';
import type { StoredFolder, StoredItem } from '../mailbox-store/types.ts';
import { child, childText, type XmlNode } from '../xml/parse-xml.ts';
import { occurrenceByIndex, occurrenceByKey, type Occurrence } from './calendar-series.ts';

/** One EWS request, after authentication and impersonation. */
export type EwsCall = {
  lab: LabState;
  principal: Principal;
  /** The mailbox the request acts as (impersonated, or the principal's own). */
  mailbox: Mailbox;
  /** The operation element (e.g. <m:GetItem>). */
  body: XmlNode;
  requestedVersion: string;
};

export type Resolved<T> = { ok: true; value: T; mailbox: Mailbox } | { ok: false; code: string };

/** Mailbox named in a DistinguishedFolderId's <t:Mailbox>, checked against the caller's rights. */
function mailboxFor(call: EwsCall, node: XmlNode): Resolved<Mailbox> {
  const address = childText(child(node, 'Mailbox'), 'EmailAddress');
  if (!address) return { ok: true, value: call.mailbox, mailbox: call.mailbox };
  const mb = call.lab.mailbox(address);
  if (!mb) return { ok: false, code: 'ErrorNonExistentMailbox' };
  if (mb !== call.mailbox && !call.lab.mayImpersonate(call.principal, mb.account.smtp)) return { ok: false, code: 'ErrorAccessDenied' };
  return { ok: true, value: mb, mailbox: mb };
}

/** A FolderId or DistinguishedFolderId element. */
export function resolveFolder(call: EwsCall, node: XmlNode | undefined): Resolved<StoredFolder> {
  if (!node) return { ok: false, code: 'ErrorInvalidRequest' };
  if (node.name === 'DistinguishedFolderId') {
    const owner = mailboxFor(call, node);
    if (!owner.ok) return owner;
    const folder = owner.value.distinguished(node.attrs['Id'] ?? '');
    return folder ? { ok: true, value: folder, mailbox: owner.value } : { ok: false, code: 'ErrorFolderNotFound' };
  }
  const decoded = decodeId(node.attrs['Id'] ?? '');
  if (!decoded || decoded.kind !== 'folder') return { ok: false, code: 'ErrorInvalidIdMalformed' };
  const mb = call.lab.mailboxByNo(decoded.mailboxNo);
  if (!mb) return { ok: false, code: 'ErrorFolderNotFound' };
  if (mb !== call.mailbox && !call.lab.mayImpersonate(call.principal, mb.account.smtp)) return { ok: false, code: 'ErrorAccessDenied' };
  const folder = mb.folders.get(decoded.key);
  return folder ? { ok: true, value: folder, mailbox: mb } : { ok: false, code: 'ErrorFolderNotFound' };
}

/** The first FolderId/DistinguishedFolderId child of a container like <m:ParentFolderId>. */
export function resolveFolderIn(call: EwsCall, container: XmlNode | undefined): Resolved<StoredFolder> {
  const node = container?.children.find((c) => c.name === 'FolderId' || c.name === 'DistinguishedFolderId');
  return resolveFolder(call, node);
}

/** `occurrence`: the item is one occurrence of a recurring series (calendar-series.ts). */
export type ItemRef = { item: StoredItem; changeKey?: { version: number }; occurrence?: Occurrence };

/**
 * An ItemId (or an OccurrenceItemId of a recurring series): malformed ids, foreign mailboxes and
 * missing items answer as Exchange does.
 */
export function resolveItem(call: EwsCall, node: XmlNode): Resolved<ItemRef> {
  if (node.name === 'OccurrenceItemId') return resolveOccurrence(call, node);
  const decoded = decodeId(node.attrs['Id'] ?? '');
  if (!decoded || decoded.kind !== 'item') return { ok: false, code: 'ErrorInvalidIdMalformed' };
  const mb = call.lab.mailboxByNo(decoded.mailboxNo);
  if (!mb) return { ok: false, code: 'ErrorItemNotFound' };
  if (mb !== call.mailbox && !call.lab.mayImpersonate(call.principal, mb.account.smtp)) return { ok: false, code: 'ErrorAccessDenied' };
  const occurrence = mb.items.has(decoded.key) ? undefined : occurrenceByKey(mb, decoded.key);
  const item = occurrence?.item ?? mb.items.get(decoded.key);
  if (!item) return { ok: false, code: 'ErrorItemNotFound' };
  if (occurrence !== undefined) {
    const ck = node.attrs['ChangeKey'];
    const parsed = ck === undefined ? undefined : decodeChangeKey(ck);
    if (ck !== undefined && (!parsed || parsed.keyPrefix !== item.key.slice(0, 8))) return { ok: false, code: 'ErrorInvalidChangeKey' };
    return { ok: true, value: { item, occurrence, ...(parsed === undefined ? {} : { changeKey: { version: parsed.version } }) }, mailbox: mb };
  }
  const ck = node.attrs['ChangeKey'];
  if (ck === undefined) return { ok: true, value: { item }, mailbox: mb };
  const parsed = decodeChangeKey(ck);
  if (!parsed || parsed.keyPrefix !== item.key.slice(0, 8)) return { ok: false, code: 'ErrorInvalidChangeKey' };
  return { ok: true, value: { item, changeKey: { version: parsed.version } }, mailbox: mb };
}

/** RecurringMasterId + InstanceIndex; a ChangeKey, when given, is the master's. */
function resolveOccurrence(call: EwsCall, node: XmlNode): Resolved<ItemRef> {
  const master = resolveItem(call, { ...node, name: 'ItemId', attrs: { Id: node.attrs['RecurringMasterId'] ?? '', ...(node.attrs['ChangeKey'] === undefined ? {} : { ChangeKey: node.attrs['ChangeKey'] }) } });
  if (!master.ok) return master;
  if (master.value.item.kind !== 'CalendarItem') return { ok: false, code: 'ErrorItemNotFound' };
  const o = occurrenceByIndex(master.mailbox, master.value.item, Number(node.attrs['InstanceIndex'] ?? ''));
  if ('code' in o) return { ok: false, code: o.code };
  const current = master.value.changeKey === undefined ? undefined : { version: master.value.changeKey.version === master.value.item.version ? o.item.version : -1 };
  return { ok: true, value: { item: o.item, occurrence: o, ...(current === undefined ? {} : { changeKey: current }) }, mailbox: master.mailbox };
}
