import type { ContactData, PhysicalAddress } from '../../driver.ts';
import { obj, recipients, seg, str, type Json } from './graph-json.ts';
import { stringList } from './events.ts';

/**
 * Contacts of the default contact folder: https://learn.microsoft.com/graph/api/resources/contact.
 * The well-known name `contacts` stands for the default folder in contactFolders paths, which is
 * where delta is offered (https://learn.microsoft.com/graph/api/contact-delta).
 */
export function contactsDeltaPath(mailbox: string): string {
  return `/users/${seg(mailbox)}/contactFolders/contacts/contacts/delta`;
}

export function contactPath(mailbox: string, id?: string): string {
  return id === undefined ? `/users/${seg(mailbox)}/contactFolders/contacts/contacts` : `/users/${seg(mailbox)}/contacts/${seg(id)}`;
}

export function toContact(resource: Json): ContactData {
  const text = (key: string): Record<string, string> => {
    const v = str(resource[key]);
    return v === undefined || v === '' ? {} : { [key]: v };
  };
  const address = (key: string): Record<string, PhysicalAddress> => {
    const a = obj(resource[key]);
    const out: PhysicalAddress = {};
    for (const field of ['street', 'city', 'state', 'postalCode', 'countryOrRegion'] as const) {
      const v = str(a[field]);
      if (v !== undefined && v !== '') out[field] = v;
    }
    return Object.keys(out).length === 0 ? {} : { [key]: out };
  };
  return {
    ...text('givenName'),
    ...text('middleName'),
    ...text('surname'),
    ...text('displayName'),
    emailAddresses: recipients((Array.isArray(resource['emailAddresses']) ? resource['emailAddresses'] : []).map((e) => ({ emailAddress: e }))),
    businessPhones: stringList(resource['businessPhones']),
    homePhones: stringList(resource['homePhones']),
    ...text('mobilePhone'),
    ...address('businessAddress'),
    ...address('homeAddress'),
    ...address('otherAddress'),
    ...text('companyName'),
    ...text('jobTitle'),
    categories: stringList(resource['categories']),
  } as ContactData;
}

export function fromContact(data: ContactData): Json {
  return {
    givenName: data.givenName ?? null,
    middleName: data.middleName ?? null,
    surname: data.surname ?? null,
    ...(data.displayName === undefined ? {} : { displayName: data.displayName }),
    emailAddresses: data.emailAddresses.map((e) => ({ address: e.address, ...(e.name === undefined ? {} : { name: e.name }) })),
    businessPhones: data.businessPhones,
    homePhones: data.homePhones,
    mobilePhone: data.mobilePhone ?? null,
    businessAddress: data.businessAddress ?? {},
    homeAddress: data.homeAddress ?? {},
    otherAddress: data.otherAddress ?? {},
    companyName: data.companyName ?? null,
    jobTitle: data.jobTitle ?? null,
    categories: data.categories,
  };
}
