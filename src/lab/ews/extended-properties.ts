/**
 * Identity of an extended MAPI property as EWS names it (ExtendedFieldURI attributes).
 * PropertyType is not part of the identity; property tags compare as numbers; set GUIDs compare
 * case-insensitively.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri
 */
export function extendedKey(attrs: Record<string, string>): string {
  const tag = attrs['PropertyTag'];
  if (tag !== undefined) return `tag:${Number.parseInt(tag, tag.toLowerCase().startsWith('0x') ? 16 : 10)}`;
  const set = (attrs['DistinguishedPropertySetId'] ?? attrs['PropertySetId'] ?? '').toLowerCase();
  if (attrs['PropertyName'] !== undefined) return `name:${set}:${attrs['PropertyName']}`;
  return `id:${set}:${attrs['PropertyId'] ?? ''}`;
}
