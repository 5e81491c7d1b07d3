import { element, textElement } from '../xml/xml-text.ts';
import { child, children } from '../xml/xml-reader.ts';
import type { Codec } from './codec.ts';

/** PathToExtendedFieldType attributes, in schema order. */
export type ExtendedFieldURI = {
  DistinguishedPropertySetId?: string;
  PropertySetId?: string;
  PropertyTag?: string;
  PropertyName?: string;
  PropertyId?: string;
  PropertyType: string;
};

export type WireExtendedProperty = { uri: ExtendedFieldURI; value?: string; values?: string[] };

const attrOrder = ['DistinguishedPropertySetId', 'PropertySetId', 'PropertyTag', 'PropertyName', 'PropertyId', 'PropertyType'] as const;

export function extendedFieldUri(uri: ExtendedFieldURI): string {
  const attrs: Record<string, string | undefined> = {};
  for (const k of attrOrder) attrs[k] = uri[k];
  return element('t:ExtendedFieldURI', attrs);
}

export function sameExtendedField(a: ExtendedFieldURI, b: ExtendedFieldURI): boolean {
  const norm = (s: string | undefined): string | undefined => s?.toLowerCase();
  return attrOrder.every((k) => norm(a[k]) === norm(b[k]));
}

/** ExtendedPropertyType: repeated directly under the item, after HasAttachments. */
export const extendedProperty: Codec<WireExtendedProperty> = {
  read: (n) => {
    const u = child(n, 'ExtendedFieldURI')?.attrs ?? {};
    const uri: ExtendedFieldURI = { PropertyType: u['PropertyType'] ?? '' };
    for (const k of attrOrder) if (k !== 'PropertyType' && u[k] !== undefined) uri[k] = u[k];
    const value = child(n, 'Value');
    const values = child(n, 'Values');
    return {
      uri,
      ...(value === undefined ? {} : { value: value.text }),
      ...(values === undefined ? {} : { values: children(values, 'Value').map((v) => v.text) }),
    };
  },
  write: (name, v) =>
    `<${name}>${extendedFieldUri(v.uri)}${
      v.values === undefined ? textElement('t:Value', v.value ?? '') : `<t:Values>${v.values.map((x) => textElement('t:Value', x)).join('')}</t:Values>`
    }</${name}>`,
};

/**
 * Dovetail's own named properties, in a property set GUID of our own so they never collide with
 * other applications' (MS-OXPROPS names a property by set GUID + name).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/properties-and-extended-properties-in-ews-in-exchange
 */
export const DOVETAIL_PROPERTY_SET = 'c7a1e2b4-5d3f-4e8a-9b61-0f2d8c4a7e19';

export const stampOrgIdProperty: ExtendedFieldURI = { PropertySetId: DOVETAIL_PROPERTY_SET, PropertyName: 'DovetailOrgId', PropertyType: 'String' };
export const stampActivityIdProperty: ExtendedFieldURI = { PropertySetId: DOVETAIL_PROPERTY_SET, PropertyName: 'DovetailActivityId', PropertyType: 'String' };

/** PR_INTERNET_MESSAGE_ID (0x1035), the same value as message:InternetMessageId. */
export const internetMessageIdProperty: ExtendedFieldURI = { PropertyTag: '0x1035', PropertyType: 'String' };
