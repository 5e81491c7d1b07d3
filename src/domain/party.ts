/**
 * CRM parties an email can be linked to: users and queues (which own mailboxes) and the
 * customer records contacts, accounts and leads.
 */
import type { ValidationError } from '../errors.ts';
import { checkEmail, checkOneOf, checkText, checkUuid, toValidationError, type Issue } from './rules.ts';
import { TRACK_EMAIL_OPTIONS } from './settings.ts';

/**
 * Which incoming email a user's or queue's mailbox tracks, as Dynamics' personal option "Track
 * email messages": the org setting's choices (TRACK_EMAIL_OPTIONS, same words) and "none".
 * null (the default) follows the org's email settings.
 */
export const OWNER_TRACK_EMAIL_OPTIONS = [...TRACK_EMAIL_OPTIONS, 'none'] as const;
export type OwnerTrackEmails = (typeof OWNER_TRACK_EMAIL_OPTIONS)[number];

/**
 * The words users.track_emails and queues.track_emails hold: the tracking rules of
 * crm/tracking-rules.ts, which the sync engine reads (src/sync/mailbox-context.ts).
 */
export const OWNER_TRACKING_RULE: Record<OwnerTrackEmails, string> = {
  all: 'all',
  'responses-to-crm': 'responses',
  'from-crm-parties': 'crm-records',
  'from-email-enabled-records': 'email-enabled-records',
  none: 'none',
};

/** The stored rule in the API's words; anything else (null, an unknown word) follows the org, as the engine does. */
export function trackEmailsFromRule(rule: string | null): OwnerTrackEmails | null {
  const found = (Object.entries(OWNER_TRACKING_RULE) as Array<[OwnerTrackEmails, string]>).find(([, r]) => r === rule);
  return found === undefined ? null : found[0];
}

export type User = { id: string; fullName: string; emailAddress: string; trackEmails: OwnerTrackEmails | null; createdAt: string; updatedAt: string };
export type Queue = { id: string; name: string; emailAddress: string; trackEmails: OwnerTrackEmails | null; createdAt: string; updatedAt: string };
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

export type UserInput = Pick<User, 'fullName' | 'emailAddress'> & { trackEmails?: OwnerTrackEmails | null };
export type QueueInput = Pick<Queue, 'name' | 'emailAddress'> & { trackEmails?: OwnerTrackEmails | null };
export type ContactInput = Partial<Omit<Contact, 'id' | 'createdAt' | 'updatedAt' | 'fullName'>> & { lastName: string };
export type AccountInput = Partial<Omit<Account, 'id' | 'createdAt' | 'updatedAt'>> & { name: string };
export type LeadInput = Partial<Omit<Lead, 'id' | 'createdAt' | 'updatedAt'>> & { fullName: string };

export function validateUser(u: UserInput): ValidationError | undefined {
  return toValidationError([
    ...checkText('fullName', u.fullName, { required: true, max: 200 }),
    ...checkEmail('emailAddress', u.emailAddress, true),
    ...checkOneOf('trackEmails', u.trackEmails, OWNER_TRACK_EMAIL_OPTIONS, false),
  ]);
}

export function validateQueue(q: QueueInput): ValidationError | undefined {
  return toValidationError([
    ...checkText('name', q.name, { required: true, max: 200 }),
    ...checkEmail('emailAddress', q.emailAddress, true),
    ...checkOneOf('trackEmails', q.trackEmails, OWNER_TRACK_EMAIL_OPTIONS, false),
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
