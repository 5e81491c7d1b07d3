import { entries, field, indexFields, physicalAddresses, str, type RecordOf } from './codec.ts';
import { itemFields } from './item.ts';

/**
 * ContactItemType = ItemType + these, in types.xsd order. EmailAddresses, PhysicalAddresses and
 * PhoneNumbers are dictionaries updated entry by entry through IndexedFieldURI (see `indexedContactFields`).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact
 */
export const contactFields = [
  ...itemFields,
  field('FileAs', 'contacts:FileAs', str),
  field('DisplayName', 'contacts:DisplayName', str),
  field('GivenName', 'contacts:GivenName', str),
  field('MiddleName', 'contacts:MiddleName', str),
  field('CompanyName', 'contacts:CompanyName', str),
  field('EmailAddresses', 'contacts:EmailAddresses', entries),
  field('PhysicalAddresses', 'contacts:PhysicalAddresses', physicalAddresses),
  field('PhoneNumbers', 'contacts:PhoneNumbers', entries),
  field('JobTitle', 'contacts:JobTitle', str),
  field('Surname', 'contacts:Surname', str),
] as const;

export type ContactRecord = RecordOf<typeof contactFields>;
export const contactFieldIndex = indexFields(contactFields);

/** Dictionary keys Dovetail maps (EmailAddressKeyType, PhoneNumberKeyType, PhysicalAddressKeyType). */
export const emailKeys = ['EmailAddress1', 'EmailAddress2', 'EmailAddress3'] as const;
export const phoneKeys = ['BusinessPhone', 'BusinessPhone2', 'HomePhone', 'HomePhone2', 'MobilePhone'] as const;
export const addressKeys = ['Business', 'Home', 'Other'] as const;
export const addressPartUris = {
  Street: 'contacts:PhysicalAddress:Street',
  City: 'contacts:PhysicalAddress:City',
  State: 'contacts:PhysicalAddress:State',
  CountryOrRegion: 'contacts:PhysicalAddress:CountryOrRegion',
  PostalCode: 'contacts:PhysicalAddress:PostalCode',
} as const;
