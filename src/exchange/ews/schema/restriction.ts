import { element } from '../xml/xml-text.ts';
import { extendedFieldUri, type ExtendedFieldURI } from './extended-property.ts';

/** A property path: a FieldURI declared in schema/, or an extended property. */
export type PropertyPath = { FieldURI: string } | { extended: ExtendedFieldURI };

function path(p: PropertyPath): string {
  return 'FieldURI' in p ? element('t:FieldURI', { FieldURI: p.FieldURI }) : extendedFieldUri(p.extended);
}

/** RestrictionType with one IsEqualTo: the only search Dovetail needs (Message-ID, folder name). */
export function writeIsEqualTo(p: PropertyPath, value: string): string {
  return `<m:Restriction><t:IsEqualTo>${path(p)}<t:FieldURIOrConstant>${element('t:Constant', { Value: value })}</t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>`;
}
