import { element } from '../xml/xml-text.ts';
import type { Field } from './codec.ts';
import { extendedFieldUri, type ExtendedFieldURI } from './extended-property.ts';

export type ShapeOptions = {
  baseShape: 'IdOnly' | 'Default' | 'AllProperties';
  /** Declared fields to add; their FieldURIs come from the schema declarations. */
  fields?: readonly Field[];
  extended?: readonly ExtendedFieldURI[];
  includeMimeContent?: boolean;
  bodyType?: 'Best' | 'HTML' | 'Text';
};

function additional(o: ShapeOptions): string {
  const paths: string[] = [];
  for (const f of o.fields ?? []) if (f.uri !== null) paths.push(element('t:FieldURI', { FieldURI: f.uri }));
  for (const e of o.extended ?? []) paths.push(extendedFieldUri(e));
  return paths.length === 0 ? '' : `<t:AdditionalProperties>${paths.join('')}</t:AdditionalProperties>`;
}

/** ItemResponseShapeType, elements in schema order. */
export function writeItemShape(name: string, o: ShapeOptions): string {
  return `<${name}><t:BaseShape>${o.baseShape}</t:BaseShape>${o.includeMimeContent === undefined ? '' : `<t:IncludeMimeContent>${o.includeMimeContent}</t:IncludeMimeContent>`}${
    o.bodyType === undefined ? '' : `<t:BodyType>${o.bodyType}</t:BodyType>`
  }${additional(o)}</${name}>`;
}

/** FolderResponseShapeType. */
export function writeFolderShape(name: string, o: ShapeOptions): string {
  return `<${name}><t:BaseShape>${o.baseShape}</t:BaseShape>${additional(o)}</${name}>`;
}

/** The FieldURIs a field list requests (tests, diagnostics). */
export function fieldUris(fields: readonly Field[]): string[] {
  return fields.flatMap((f) => (f.uri === null ? [] : [f.uri]));
}
