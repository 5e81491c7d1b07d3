import type { Mailbox } from '../mailbox-store/mailbox.ts';
import type { StoredItem } from '../mailbox-store/types.ts';
import { child, type XmlNode } from '../xml/parse-xml.ts';
import { extendedKey } from './extended-properties.ts';
import { elementForFieldUri, ITEM_CLASS } from './item-schema.ts';
import { addressesOf } from './recipients.ts';
import { isoTime } from './soap.ts';

const PATHS = new Set(['FieldURI', 'IndexedFieldURI', 'ExtendedFieldURI']);

/** The values of a property path on an item, as strings (several for multi-valued properties). */
export function fieldValues(mb: Mailbox, item: StoredItem, path: XmlNode): string[] {
  if (path.name === 'ExtendedFieldURI') {
    const key = extendedKey(path.attrs);
    const prop = item.extended.find((e) => extendedKey(child(e, 'ExtendedFieldURI')?.attrs ?? {}) === key);
    if (!prop) return [];
    const single = child(prop, 'Value');
    return single ? [single.text] : (child(prop, 'Values')?.children ?? []).map((v) => v.text);
  }
  const name = elementForFieldUri(path.attrs['FieldURI'] ?? '') ?? '';
  switch (name) {
    case 'ItemId':
      return [item.id];
    case 'ParentFolderId':
      return [mb.folders.get(item.folderKey)!.id];
    case 'ItemClass':
      return [item.props.get('ItemClass')?.text ?? ITEM_CLASS[item.kind]];
    case 'DateTimeCreated':
      return [isoTime(item.createdAt)];
    case 'LastModifiedTime':
      return [isoTime(item.modifiedAt)];
    case 'HasAttachments':
      return [String(item.attachments.length > 0)];
  }
  const node = item.props.get(name);
  if (!node) return [];
  if (path.name === 'IndexedFieldURI') {
    const entry = node.children.find((e) => e.attrs['Key'] === path.attrs['FieldIndex']);
    return entry ? [entry.text.trim()] : [];
  }
  if (['From', 'Sender', 'ToRecipients', 'CcRecipients', 'BccRecipients', 'Organizer', 'RequiredAttendees', 'OptionalAttendees'].includes(name)) {
    return addressesOf(node).map((a) => a.address);
  }
  if (node.children.length > 0) return node.children.map((c) => c.text.trim());
  return [node.text.trim()];
}

function compare(a: string, b: string): number {
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (/^\d{4}-\d\d-\d\dT/.test(a) && /^\d{4}-\d\d-\d\dT/.test(b) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a.toLowerCase().localeCompare(b.toLowerCase());
}

const COMPARISONS: Record<string, (c: number) => boolean> = {
  IsEqualTo: (c) => c === 0,
  IsNotEqualTo: (c) => c !== 0,
  IsGreaterThan: (c) => c > 0,
  IsGreaterThanOrEqualTo: (c) => c >= 0,
  IsLessThan: (c) => c < 0,
  IsLessThanOrEqualTo: (c) => c <= 0,
};

/**
 * Evaluates a FindItem Restriction on an item: And/Or/Not, the six comparisons against a
 * constant or another property, Exists, and Contains (Substring / Prefixed / FullString).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/restriction
 */
export function matchesRestriction(mb: Mailbox, item: StoredItem, node: XmlNode): boolean {
  switch (node.name) {
    case 'Restriction':
      return node.children.every((c) => matchesRestriction(mb, item, c));
    case 'And':
      return node.children.every((c) => matchesRestriction(mb, item, c));
    case 'Or':
      return node.children.some((c) => matchesRestriction(mb, item, c));
    case 'Not':
      return !node.children.every((c) => matchesRestriction(mb, item, c));
    case 'Exists': {
      const path = node.children.find((c) => PATHS.has(c.name));
      return path ? fieldValues(mb, item, path).length > 0 : false;
    }
    case 'Contains': {
      const path = node.children.find((c) => PATHS.has(c.name));
      const constant = child(node, 'Constant')?.attrs['Value'] ?? '';
      if (!path) return false;
      const mode = node.attrs['ContainmentMode'] ?? 'Substring';
      const ignoreCase = (node.attrs['ContainmentComparison'] ?? 'IgnoreCase') !== 'Exact';
      const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
      return fieldValues(mb, item, path).some((v) => {
        const a = norm(v);
        const b = norm(constant);
        if (mode === 'FullString') return a === b;
        if (mode === 'Prefixed') return a.startsWith(b);
        return a.includes(b);
      });
    }
  }
  const test = COMPARISONS[node.name];
  if (!test) return false;
  const path = node.children.find((c) => PATHS.has(c.name));
  const other = child(node, 'FieldURIOrConstant');
  if (!path || !other) return false;
  const constant = child(other, 'Constant');
  const rights = constant ? [constant.attrs['Value'] ?? ''] : fieldValues(mb, item, other.children[0]!);
  const lefts = fieldValues(mb, item, path);
  if (lefts.length === 0) return node.name === 'IsNotEqualTo';
  return lefts.some((l) => rights.some((r) => test(compare(l, r))));
}

export function sortItems(mb: Mailbox, items: StoredItem[], sortOrder: XmlNode | undefined): StoredItem[] {
  const order = child(sortOrder, 'FieldOrder');
  const path = order?.children.find((c) => PATHS.has(c.name));
  if (!order || !path) return items.sort((a, b) => b.createdAt - a.createdAt || (a.key < b.key ? -1 : 1));
  const dir = order.attrs['Order'] === 'Ascending' ? 1 : -1;
  return items.sort((a, b) => dir * compare(fieldValues(mb, a, path)[0] ?? '', fieldValues(mb, b, path)[0] ?? '') || (a.key < b.key ? -1 : 1));
}
