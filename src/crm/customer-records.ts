/**
 * Contacts, accounts and leads as CRM apps and people manage them through the API and CLI:
 * create, change, read, and search by email address (what tracking resolves senders with).
 */
import type { Transaction } from 'kysely';
import type { Account, AccountInput, Contact, ContactInput, Lead, LeadInput } from '../domain/party.ts';
import { validateAccount, validateContact, validateLead } from '../domain/party.ts';
import type { Database } from '../store/database.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import { audited, forbidden, type UseCaseContext } from '../use-cases/context.ts';
import { stampFieldChanges, syncRow } from './act-columns.ts';

export type CustomerKind = 'contact' | 'account' | 'lead';

/** Writes need at least a mailbox owner's token (a CRM user); read-only tokens only read. */
export function requireWriter(ctx: UseCaseContext): void {
  if (ctx.principal.role === 'read-only') throw forbidden('a read-only token cannot change anything');
}

export async function listContacts(ctx: UseCaseContext, email?: string): Promise<Contact[]> {
  return email === undefined ? ctx.store.crm.listContacts() : ctx.store.crm.findContactsByEmail(email);
}

export async function getContact(ctx: UseCaseContext, id: string): Promise<Contact> {
  const c = await ctx.store.crm.getContact(id);
  if (c === undefined) throw notFound('contact', id);
  return c;
}

export async function createContact(ctx: UseCaseContext, input: ContactInput): Promise<Contact> {
  requireWriter(ctx);
  const err = validateContact(normalizeContact(input));
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'contact.create', entityType: 'contact', entityId: (c) => c.id, changes: () => ({ ...input }) }, async (tx) => {
    const c = await tx.crm.createContact(input);
    await stampFieldChanges(tx.db, 'contact', c.id, null);
    return c;
  });
}

export async function updateContact(ctx: UseCaseContext, id: string, patch: Partial<ContactInput>): Promise<Contact> {
  requireWriter(ctx);
  const current = await getContact(ctx, id);
  const next: ContactInput = {
    firstName: patch.firstName ?? current.firstName,
    lastName: patch.lastName ?? current.lastName,
    emailAddresses: patch.emailAddresses ?? current.emailAddresses,
    accountId: patch.accountId === undefined ? current.accountId : patch.accountId,
    jobTitle: patch.jobTitle ?? current.jobTitle,
    phone: patch.phone ?? current.phone,
  };
  const err = validateContact(normalizeContact(next));
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'contact.update', entityType: 'contact', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    const before = await syncRow(tx.db, 'contact', id);
    const c = await tx.crm.updateContact(id, next);
    await stampFieldChanges(tx.db, 'contact', id, before);
    return c;
  });
}

function normalizeContact(c: ContactInput): Parameters<typeof validateContact>[0] {
  const first = c.firstName ?? '';
  return {
    firstName: first,
    lastName: c.lastName,
    fullName: [first, c.lastName].filter((s) => s !== '').join(' '),
    emailAddresses: c.emailAddresses ?? [],
    accountId: c.accountId ?? null,
    jobTitle: c.jobTitle ?? '',
    phone: c.phone ?? '',
  };
}

export async function listAccounts(ctx: UseCaseContext, email?: string): Promise<Account[]> {
  return email === undefined ? ctx.store.crm.listAccounts() : ctx.store.crm.findAccountsByEmail(email);
}

export async function getAccount(ctx: UseCaseContext, id: string): Promise<Account> {
  const a = await ctx.store.crm.getAccount(id);
  if (a === undefined) throw notFound('account', id);
  return a;
}

export async function createAccount(ctx: UseCaseContext, input: AccountInput): Promise<Account> {
  requireWriter(ctx);
  const err = validateAccount({ name: input.name, emailAddress: input.emailAddress ?? null, website: input.website ?? '' });
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'account.create', entityType: 'account', entityId: (a) => a.id, changes: () => ({ ...input }) }, (tx) => tx.crm.createAccount(input));
}

export async function updateAccount(ctx: UseCaseContext, id: string, patch: Partial<AccountInput>): Promise<Account> {
  requireWriter(ctx);
  const current = await getAccount(ctx, id);
  const next = { name: patch.name ?? current.name, emailAddress: patch.emailAddress === undefined ? current.emailAddress : patch.emailAddress, website: patch.website ?? current.website };
  const err = validateAccount(next);
  if (err !== undefined) throw err;
  await audited(ctx, { action: 'account.update', entityType: 'account', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    const db = tx.db as Transaction<Database>;
    await db.updateTable('accounts').set({ name: next.name, email_address: next.emailAddress, website: next.website, updated_at: new Date(ctx.clock.now()) }).where('id', '=', id).execute();
  });
  return getAccount(ctx, id);
}

export async function listLeads(ctx: UseCaseContext, email?: string): Promise<Lead[]> {
  return email === undefined ? ctx.store.crm.listLeads() : ctx.store.crm.findLeadsByEmail(email);
}

export async function getLead(ctx: UseCaseContext, id: string): Promise<Lead> {
  const l = await ctx.store.crm.getLead(id);
  if (l === undefined) throw notFound('lead', id);
  return l;
}

export async function createLead(ctx: UseCaseContext, input: LeadInput): Promise<Lead> {
  requireWriter(ctx);
  const err = validateLead({ fullName: input.fullName, companyName: input.companyName ?? '', emailAddress: input.emailAddress ?? null, status: input.status ?? 'open' });
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'lead.create', entityType: 'lead', entityId: (l) => l.id, changes: () => ({ ...input }) }, (tx) => tx.crm.createLead(input));
}

export async function updateLead(ctx: UseCaseContext, id: string, patch: Partial<LeadInput>): Promise<Lead> {
  requireWriter(ctx);
  const current = await getLead(ctx, id);
  const next = {
    fullName: patch.fullName ?? current.fullName,
    companyName: patch.companyName ?? current.companyName,
    emailAddress: patch.emailAddress === undefined ? current.emailAddress : patch.emailAddress,
    status: patch.status ?? current.status,
  };
  const err = validateLead(next);
  if (err !== undefined) throw err;
  await audited(ctx, { action: 'lead.update', entityType: 'lead', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    const db = tx.db as Transaction<Database>;
    await db
      .updateTable('leads')
      .set({ full_name: next.fullName, company_name: next.companyName, email_address: next.emailAddress, status: next.status, updated_at: new Date(ctx.clock.now()) })
      .where('id', '=', id)
      .execute();
  });
  return getLead(ctx, id);
}
