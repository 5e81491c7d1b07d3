import type { ContactData, PhysicalAddress } from '../../driver.ts';
import type { ContactRecord } from '../schema/contact.ts';
import type { WirePhysicalAddress } from '../schema/codec.ts';
import { cleanText } from './common-mapping.ts';

function toAddress(a: WirePhysicalAddress | undefined): PhysicalAddress | undefined {
  if (!a) return undefined;
  const out: PhysicalAddress = {};
  if (a.Street !== undefined) out.street = a.Street;
  if (a.City !== undefined) out.city = a.City;
  if (a.State !== undefined) out.state = a.State;
  if (a.PostalCode !== undefined) out.postalCode = a.PostalCode;
  if (a.CountryOrRegion !== undefined) out.countryOrRegion = a.CountryOrRegion;
  return out;
}

function toWireAddress(a: PhysicalAddress): WirePhysicalAddress {
  const out: WirePhysicalAddress = {};
  if (a.street !== undefined) out.Street = cleanText(a.street);
  if (a.city !== undefined) out.City = cleanText(a.city);
  if (a.state !== undefined) out.State = cleanText(a.state);
  if (a.countryOrRegion !== undefined) out.CountryOrRegion = cleanText(a.countryOrRegion);
  if (a.postalCode !== undefined) out.PostalCode = cleanText(a.postalCode);
  return out;
}

/** Exchange strips "SMTP:" only sometimes (ResolveNames returns it); the address is what follows. */
const bare = (s: string): string => s.replace(/^smtp:/i, '');

export function toContactData(r: ContactRecord): ContactData {
  const phones = r.PhoneNumbers ?? {};
  const emails = r.EmailAddresses ?? {};
  const addr = r.PhysicalAddresses ?? {};
  const out: ContactData = {
    emailAddresses: (['EmailAddress1', 'EmailAddress2', 'EmailAddress3'] as const).flatMap((k) => (emails[k] ? [{ address: bare(emails[k]) }] : [])),
    businessPhones: (['BusinessPhone', 'BusinessPhone2'] as const).flatMap((k) => (phones[k] ? [phones[k]] : [])),
    homePhones: (['HomePhone', 'HomePhone2'] as const).flatMap((k) => (phones[k] ? [phones[k]] : [])),
    categories: r.Categories ?? [],
  };
  if (r.GivenName !== undefined) out.givenName = r.GivenName;
  if (r.MiddleName !== undefined) out.middleName = r.MiddleName;
  if (r.Surname !== undefined) out.surname = r.Surname;
  if (r.DisplayName !== undefined) out.displayName = r.DisplayName;
  if (phones['MobilePhone']) out.mobilePhone = phones['MobilePhone'];
  const business = toAddress(addr['Business']);
  const home = toAddress(addr['Home']);
  const other = toAddress(addr['Other']);
  if (business) out.businessAddress = business;
  if (home) out.homeAddress = home;
  if (other) out.otherAddress = other;
  if (r.CompanyName !== undefined) out.companyName = r.CompanyName;
  if (r.JobTitle !== undefined) out.jobTitle = r.JobTitle;
  return out;
}

export function toContactRecord(d: ContactData): ContactRecord {
  const emails: Record<string, string> = {};
  d.emailAddresses.slice(0, 3).forEach((e, i) => (emails[`EmailAddress${i + 1}`] = e.address));
  const phones: Record<string, string> = {};
  d.businessPhones.slice(0, 2).forEach((p, i) => (phones[i === 0 ? 'BusinessPhone' : 'BusinessPhone2'] = cleanText(p)));
  d.homePhones.slice(0, 2).forEach((p, i) => (phones[i === 0 ? 'HomePhone' : 'HomePhone2'] = cleanText(p)));
  if (d.mobilePhone !== undefined) phones['MobilePhone'] = cleanText(d.mobilePhone);
  const addresses: Record<string, WirePhysicalAddress> = {};
  if (d.businessAddress) addresses['Business'] = toWireAddress(d.businessAddress);
  if (d.homeAddress) addresses['Home'] = toWireAddress(d.homeAddress);
  if (d.otherAddress) addresses['Other'] = toWireAddress(d.otherAddress);
  const r: ContactRecord = { Categories: d.categories };
  if (d.displayName !== undefined) r.DisplayName = cleanText(d.displayName);
  if (d.givenName !== undefined) r.GivenName = cleanText(d.givenName);
  if (d.middleName !== undefined) r.MiddleName = cleanText(d.middleName);
  if (d.companyName !== undefined) r.CompanyName = cleanText(d.companyName);
  if (Object.keys(emails).length > 0) r.EmailAddresses = emails;
  if (Object.keys(addresses).length > 0) r.PhysicalAddresses = addresses;
  if (Object.keys(phones).length > 0) r.PhoneNumbers = phones;
  if (d.jobTitle !== undefined) r.JobTitle = cleanText(d.jobTitle);
  if (d.surname !== undefined) r.Surname = cleanText(d.surname);
  return r;
}
