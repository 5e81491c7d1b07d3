/**
 * CRM parties an email can be linked to: users and queues (which own mailboxes) and the
 * customer records contacts, accounts and leads.
 */
import type { ValidationError } from '../errors.ts';
import { checkEmail, checkText, checkUuid, toValidationError, type Issue } from './rules.ts';

export type User = { id: string; fullName: string; emailAddress: string; createdAt: string; updatedAt: string };
export type Queue = { id: string; name: string; emailAddress: string; createdAt: string; updatedAt: string };
export type Contact = {
  id: string;
  firstName: string;
  lastName: string;
  fullName: string;
  emailAddresses: string[];
  accountId: string | null;
  jobTitle: string;
  phone: string;
  createdAt: string;
  updatedAt: string;
};
export type Account = { id: string; name: string; emailAddress: string | null; website: string; createdAt: string; updatedAt: string };
export const LEAD_STATUSES = ['open', 'qualified', 'disqualified'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export type Lead = {
  id: string;
  fullName: string;
  companyName: string;
  emailAddress: string | null;
  status: LeadStatus;
  createdAt: string;
  updatedAt: string;
};

export type UserInput = Pick<User, 'fullName' | 'emailAddress'>;
export type QueueInput = Pick<Queue, 'name' | 'emailAddress'>;
export type ContactInput = Partial<Omit<Contact, 'id' | 'createdAt' | 'updatedAt' | 'fullName'>> & { lastName: string };
export type AccountInput = Partial<Omit<Account, 'id' | 'createdAt' | 'updatedAt'>> & { name: string };
export type LeadInput = Partial<Omit<Lead, 'id' | 'createdAt' | 'updatedAt'>> & { fullName: string };

export function validateUser(u: UserInput): ValidationError | undefined {
  return toValidationError([
    ...checkText('fullName', u.fullName, { required: true, max: 200 }),
    ...checkEmail('emailAddress', u.emailAddress, true),
  ]);
}

export function validateQueue(q: QueueInput): ValidationError | undefined {
  return toValidationError([
    ...checkText('name', q.name, { required: true, max: 200 }),
    ...checkEmail('emailAddress', q.emailAddress, true),
  ]);
}

export function validateContact(c: Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>): ValidationError | undefined {
  const out: Issue[] = [
    ...checkText('firstName', c.firstName, { required: false, max: 100 }),
    ...checkText('lastName', c.lastName, { required: true, max: 100 }),
    ...checkUuid('accountId', c.accountId, false),
  ];
  // Dynamics contacts carry up to three addresses (emailaddress1-3).
  if (!Array.isArray(c.emailAddresses) || c.emailAddresses.length > 3) {
    out.push({ field: 'emailAddresses', rule: 'max-items', message: 'must be a list of at most 3 addresses' });
  } else {
    c.emailAddresses.forEach((e, i) => out.push(...checkEmail(`emailAddresses[${i}]`, e, true)));
  }
  return toValidationError(out);
}

export function validateAccount(a: Omit<Account, 'id' | 'createdAt' | 'updatedAt'>): ValidationError | undefined {
  return toValidationError([
    ...checkText('name', a.name, { required: true, max: 160 }),
    ...checkEmail('emailAddress', a.emailAddress, false),
  ]);
}

export function validateLead(l: Omit<Lead, 'id' | 'createdAt' | 'updatedAt'>): ValidationError | undefined {
  return toValidationError([
    ...checkText('fullName', l.fullName, { required: true, max: 200 }),
    ...checkEmail('emailAddress', l.emailAddress, false),
  ]);
}

export function contactFullName(firstName: string, lastName: string): string {
  return [firstName, lastName].filter((s) => s !== '').join(' ');
}
