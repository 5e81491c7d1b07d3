import { element } from '../xml/xml-text.ts';
import type { Field } from './codec.ts';
import { extendedFieldUri, extendedProperty, type WireExtendedProperty } from './extended-property.ts';
import { writeItemId, type ItemIdRef } from './folder-id.ts';

/** The path one change addresses: FieldURI, IndexedFieldURI (a dictionary entry) or an extended property. */
export type ChangePath =
  | { FieldURI: string }
  | { IndexedFieldURI: string; FieldIndex: string }
  | { extended: WireExtendedProperty['uri'] };

/** One ItemChangeDescription. `item` is the item element carrying the new value (SetItemField / AppendToItemField). */
export type ItemUpdate =
  | { op: 'SetItemField' | 'AppendToItemField'; path: ChangePath; element: string; content: string }
  | { op: 'DeleteItemField'; path: ChangePath };

export type ItemChange = { itemId: ItemIdRef; updates: ItemUpdate[] };

function writePath(p: ChangePath): string {
  if ('FieldURI' in p) return element('t:FieldURI', { FieldURI: p.FieldURI });
  if ('IndexedFieldURI' in p) return element('t:IndexedFieldURI', { FieldURI: p.IndexedFieldURI, FieldIndex: p.FieldIndex });
  return extendedFieldUri(p.extended);
}

export function writeItemChange(c: ItemChange): string {
  const updates = c.updates
    .map((u) =>
      u.op === 'DeleteItemField'
        ? `<t:DeleteItemField>${writePath(u.path)}</t:DeleteItemField>`
        : `<t:${u.op}>${writePath(u.path)}<t:${u.element}>${u.content}</t:${u.element}></t:${u.op}>`,
    )
    .join('');
  return `<t:ItemChange>${writeItemId(c.itemId)}<t:Updates>${updates}</t:Updates></t:ItemChange>`;
}

/** SetItemField for a declared field: the FieldURI and the element both come from the declaration. */
export function setField<T>(itemElement: string, f: Field<string, T>, value: T): ItemUpdate {
  if (f.uri === null) throw new TypeError(`${f.name} has no FieldURI and cannot be updated`);
  return { op: 'SetItemField', path: { FieldURI: f.uri }, element: itemElement, content: f.codec.write(`t:${f.name}`, value) };
}

export function appendField<T>(itemElement: string, f: Field<string, T>, value: T): ItemUpdate {
  if (f.uri === null) throw new TypeError(`${f.name} has no FieldURI and cannot be appended to`);
  return { op: 'AppendToItemField', path: { FieldURI: f.uri }, element: itemElement, content: f.codec.write(`t:${f.name}`, value) };
}

export function deleteField(f: Field): ItemUpdate {
  if (f.uri === null) throw new TypeError(`${f.name} has no FieldURI and cannot be deleted`);
  return { op: 'DeleteItemField', path: { FieldURI: f.uri } };
}

export function setExtended(itemElement: string, prop: WireExtendedProperty): ItemUpdate {
  return { op: 'SetItemField', path: { extended: prop.uri }, element: itemElement, content: extendedProperty.write('t:ExtendedProperty', prop) };
}
