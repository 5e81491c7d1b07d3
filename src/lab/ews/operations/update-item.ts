import { child, type XmlNode } from '../../xml/parse-xml.ts';
import { el, escapeAttr, tnode, writeNode } from '../../xml/xml-writer.ts';
import { resolveItem, type EwsCall } from '../call.ts';
import { occurrenceWritten, recurrenceReplaced } from '../calendar-series.ts';
import { sendInvitations, sendMessage } from '../delivery.ts';
import { extendedKey } from '../extended-properties.ts';
import { completeName, normalizeDate, taskDerived } from '../item-build.ts';
import { resolveRecipients } from '../recipients.ts';
import { ELEMENT_ORDER, elementForFieldUri, READ_ONLY } from '../item-schema.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { StoredItem } from '../../mailbox-store/types.ts';

type UpdateError = { code: string; fieldUri?: string };

const PATHS = new Set(['FieldURI', 'IndexedFieldURI', 'ExtendedFieldURI']);

function uriOf(path: XmlNode): string {
  return path.attrs['FieldURI'] ?? 'ExtendedProperty';
}

/** Names of the properties an update touches, for conflict detection. */
function touched(update: XmlNode): string {
  const path = update.children.find((c) => PATHS.has(c.name))!;
  if (path.name === 'ExtendedFieldURI') return `ext:${extendedKey(path.attrs)}`;
  return elementForFieldUri(path.attrs['FieldURI'] ?? '') ?? '';
}

function valueNode(update: XmlNode): XmlNode | undefined {
  const itemNode = update.children.find((c) => !PATHS.has(c.name));
  return itemNode?.children[0];
}

function applyUpdate(item: StoredItem, update: XmlNode, directory: (address: string) => string | undefined): UpdateError | undefined {
  const path = update.children.find((c) => PATHS.has(c.name));
  if (!path) return { code: 'ErrorInvalidRequest' };
  const uri = uriOf(path);
  if (path.name === 'ExtendedFieldURI') {
    const key = extendedKey(path.attrs);
    const at = item.extended.findIndex((e) => extendedKey(child(e, 'ExtendedFieldURI')?.attrs ?? {}) === key);
    if (update.name === 'DeleteItemField') {
      if (at >= 0) item.extended.splice(at, 1);
      return undefined;
    }
    const value = valueNode(update);
    if (!value || value.name !== 'ExtendedProperty') return { code: 'ErrorInvalidExtendedProperty', fieldUri: uri };
    if (at >= 0) item.extended[at] = value;
    else item.extended.push(value);
    return undefined;
  }
  const name = elementForFieldUri(uri);
  if (!name || !ELEMENT_ORDER[item.kind].includes(name)) return { code: 'ErrorInvalidPropertyRequest', fieldUri: uri };
  if (READ_ONLY.has(name)) return { code: update.name === 'DeleteItemField' ? 'ErrorInvalidPropertyDelete' : 'ErrorInvalidPropertySet', fieldUri: uri };
  if (path.name === 'IndexedFieldURI') {
    const index = path.attrs['FieldIndex'] ?? '';
    const container = item.props.get(name) ?? tnode(name);
    const entries = container.children.filter((e) => e.attrs['Key'] !== index);
    if (update.name !== 'DeleteItemField') {
      const entry = valueNode(update)?.children.find((e) => e.name === 'Entry' && e.attrs['Key'] === index);
      if (!entry) return { code: 'ErrorInvalidPropertySet', fieldUri: uri };
      const previous = container.children.find((e) => e.attrs['Key'] === index);
      // Physical address parts (contacts:PhysicalAddress:Street…) merge into the existing entry.
      const merged = previous && entry.children.length > 0 ? { ...entry, children: mergeChildren(previous.children, entry.children) } : entry;
      entries.push(merged);
    }
    if (entries.length === 0) item.props.delete(name);
    else item.props.set(name, { ...container, children: entries });
    return undefined;
  }
  if (update.name === 'DeleteItemField') {
    item.props.delete(name);
    return undefined;
  }
  const value = valueNode(update);
  if (!value || value.name !== name) return { code: 'ErrorInvalidPropertySet', fieldUri: uri };
  if (update.name === 'AppendToItemField') {
    const current = item.props.get(name);
    if (!current) item.props.set(name, value);
    else if (value.children.length > 0) item.props.set(name, { ...current, children: [...current.children, ...value.children] });
    else if (name === 'Body') item.props.set(name, { ...current, text: current.text + value.text });
    else return { code: 'ErrorInvalidPropertyAppend', fieldUri: uri };
    return undefined;
  }
  item.props.set(name, resolveRecipients(name, normalizeDate(value), directory));
  return undefined;
}

/** PhysicalAddressDictionaryEntryType's element order in types.xsd. */
const ADDRESS_ORDER = ['Street', 'City', 'State', 'CountryOrRegion', 'PostalCode'];

function mergeChildren(old: XmlNode[], next: XmlNode[]): XmlNode[] {
  const names = new Set(next.map((n) => n.name));
  const merged = [...old.filter((o) => !names.has(o.name)), ...next];
  return merged.sort((a, b) => ADDRESS_ORDER.indexOf(a.name) - ADDRESS_ORDER.indexOf(b.name));
}

/**
 * UpdateItem: SetItemField / AppendToItemField / DeleteItemField with Exchange's ChangeKey rules.
 * A stale ChangeKey fails with NeverOverwrite; with AutoResolve it fails only when a property in
 * this update changed since that ChangeKey (ErrorIrresolvableConflict); AlwaysOverwrite applies.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem
 */
export function UpdateItem(call: EwsCall): string {
  const mode = call.body.attrs['ConflictResolution'] ?? 'AutoResolve';
  const disposition = call.body.attrs['MessageDisposition'];
  // Required for calendar items (UpdateItemType.SendMeetingInvitationsOrCancellations reference).
  const invitations = call.body.attrs['SendMeetingInvitationsOrCancellations'];
  const messages: string[] = [];
  for (const change of child(call.body, 'ItemChanges')?.children ?? []) {
    const fail = (e: UpdateError): string =>
      errorMessage('UpdateItem', { code: e.code, trailer: '<m:Items/>', ...(e.fieldUri ? { messageXml: `<t:FieldURI FieldURI="${escapeAttr(e.fieldUri)}"/>` } : {}) });
    const idNode = child(change, 'ItemId') ?? child(change, 'OccurrenceItemId');
    if (!idNode) {
      messages.push(fail({ code: 'ErrorInvalidRequest' }));
      continue;
    }
    const r = resolveItem(call, idNode);
    if (!r.ok) {
      messages.push(fail({ code: r.code }));
      continue;
    }
    const { item, changeKey, occurrence } = r.value;
    const mb = r.mailbox;
    // "the caller must pass in a correct and current change key … even when conflict resolution is set
    // to always overwrite" (ResponseCode reference, ErrorChangeKeyRequiredForWriteOperations).
    if (!changeKey) {
      messages.push(fail({ code: 'ErrorChangeKeyRequiredForWriteOperations' }));
      continue;
    }
    if (item.kind === 'CalendarItem' && invitations === undefined) {
      messages.push(fail({ code: 'ErrorSendMeetingInvitationsOrCancellationsRequired' }));
      continue;
    }
    const updates = child(change, 'Updates')?.children ?? [];
    const names = updates.map(touched);
    if (changeKey.version !== item.version && mode !== 'AlwaysOverwrite') {
      const since = [...item.changedAt].filter(([, v]) => v > changeKey.version).map(([n]) => n);
      if (mode === 'NeverOverwrite' || names.some((n) => since.includes(n))) {
        messages.push(fail({ code: 'ErrorIrresolvableConflict' }));
        continue;
      }
    }
    const backup = { props: new Map(item.props), extended: [...item.extended] };
    let error: UpdateError | undefined;
    for (const u of updates) {
      error = applyUpdate(item, u, (a) => mb.directory(a));
      if (error) break;
    }
    if (error) {
      item.props = backup.props;
      item.extended = backup.extended;
      messages.push(fail(error));
      continue;
    }
    if (item.kind === 'Task') taskDerived(item.props);
    if (item.kind === 'Contact') completeName(item.props);
    const readOnly = names.length > 0 && names.every((n) => n === 'IsRead');
    if (occurrence !== undefined) occurrenceWritten(mb, occurrence);
    else {
      const recurrence = (props: Map<string, XmlNode>) => (props.get('Recurrence') === undefined ? '' : writeNode(props.get('Recurrence')!));
      if (item.kind === 'CalendarItem' && recurrence(backup.props) !== recurrence(item.props)) recurrenceReplaced(item);
      mb.modified(item, names, readOnly);
    }
    if (item.kind === 'Message' && (disposition === 'SendOnly' || disposition === 'SendAndSaveCopy')) {
      sendMessage(call.lab, mb, item);
      item.props.set('IsDraft', tnode('IsDraft', 'false'));
      if (disposition === 'SendOnly') {
        mb.removeItem(item);
        messages.push(success('UpdateItem', '<m:Items/><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>'));
        continue;
      }
      const sent = mb.moveItem(item, mb.distinguished('sentitems')!.key);
      messages.push(success('UpdateItem', el('m:Items', undefined, el(`t:${sent.kind}`, undefined, el('t:ItemId', { Id: sent.id, ChangeKey: mb.itemChangeKey(sent) }))) + '<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>'));
      continue;
    }
    if (item.kind === 'CalendarItem' && invitations !== undefined && invitations !== 'SendToNone' && item.props.get('IsMeeting')?.text === 'true') {
      sendInvitations(call.lab, mb, item, false, invitations?.endsWith('AndSaveCopy') ?? false);
    }
    messages.push(
      success('UpdateItem', el('m:Items', undefined, el(`t:${item.kind}`, undefined, el('t:ItemId', { Id: item.id, ChangeKey: mb.itemChangeKey(item) }))) + '<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>'),
    );
  }
  return operationResponse('UpdateItem', messages);
}
