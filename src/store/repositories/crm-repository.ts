/** CRM customer records: contacts, accounts and leads, with lookup by email address. */
import { sql } from 'kysely';
import type { Account, AccountInput, Contact, ContactInput, Lead, LeadInput, LeadStatus } from '../../domain/party.ts';
import { contactFullName } from '../../domain/party.ts';
import { iso, type Executor } from '../database.ts';
import { mapConstraint, notFound, nowDate, type RepoDeps } from './repo-deps.ts';

export type CrmRepository = ReturnType<typeof crmRepository>;

export function crmRepository(db: Executor, deps: RepoDeps) {
  const toContact = (r: {
    id: string; first_name: string; last_name: string; full_name: string; email_addresses: string[]; account_id: string | null;
    job_title: string; phone: string; created_at: Date; updated_at: Date;
  }): Contact => ({
    id: r.id, firstName: r.first_name, lastName: r.last_name, fullName: r.full_name, emailAddresses: r.email_addresses,
    accountId: r.account_id, jobTitle: r.job_title, phone: r.phone, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
  const toAccount = (r: { id: string; name: string; email_address: string | null; website: string; created_at: Date; updated_at: Date }): Account => ({
    id: r.id, name: r.name, emailAddress: r.email_address, website: r.website, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
  const toLead = (r: { id: string; full_name: string; company_name: string; email_address: string | null; status: string; created_at: Date; updated_at: Date }): Lead => ({
    id: r.id, fullName: r.full_name, companyName: r.company_name, emailAddress: r.email_address, status: r.status as LeadStatus,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
  const contactColumns = (c: ContactInput) => {
    const first = c.firstName ?? '';
    return {
      first_name: first, last_name: c.lastName, full_name: contactFullName(first, c.lastName),
      email_addresses: JSON.stringify(c.emailAddresses ?? []), account_id: c.accountId ?? null, job_title: c.jobTitle ?? '', phone: c.phone ?? '',
    };
  };

  return {
    async createContact(input: ContactInput): Promise<Contact> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await mapConstraint('contact', () => db.insertInto('contacts').values({ id, ...contactColumns(input), created_at: now, updated_at: now }).execute());
      return (await this.getContact(id))!;
    },
    async updateContact(id: string, input: ContactInput): Promise<Contact> {
      const r = await mapConstraint('contact', () => db.updateTable('contacts').set({ ...contactColumns(input), updated_at: nowDate(deps) }).where('id', '=', id).executeTakeFirst());
      if (r.numUpdatedRows === 0n) throw notFound('contact', id);
      return (await this.getContact(id))!;
    },
    async getContact(id: string): Promise<Contact | undefined> {
      const r = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toContact(r);
    },
    async listContacts(): Promise<Contact[]> {
      return (await db.selectFrom('contacts').selectAll().orderBy('full_name').execute()).map(toContact);
    },
    /** Contacts holding this address in any of their email fields (case-insensitive). */
    async findContactsByEmail(address: string): Promise<Contact[]> {
      const rows = await db
        .selectFrom('contacts')
        .selectAll()
        .where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(email_addresses) e where lower(e) = ${address.toLowerCase()})`)
        .execute();
      return rows.map(toContact);
    },
    async deleteContact(id: string): Promise<boolean> {
      return (await db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },

    async createAccount(input: AccountInput): Promise<Account> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await db.insertInto('accounts').values({ id, name: input.name, email_address: input.emailAddress ?? null, website: input.website ?? '', created_at: now, updated_at: now }).execute();
      return (await this.getAccount(id))!;
    },
    async getAccount(id: string): Promise<Account | undefined> {
      const r = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toAccount(r);
    },
    async listAccounts(): Promise<Account[]> {
      return (await db.selectFrom('accounts').selectAll().orderBy('name').execute()).map(toAccount);
    },
    async findAccountsByEmail(address: string): Promise<Account[]> {
      const rows = await db.selectFrom('accounts').selectAll().where((eb) => eb(eb.fn('lower', ['email_address']), '=', address.toLowerCase())).execute();
      return rows.map(toAccount);
    },
    async deleteAccount(id: string): Promise<boolean> {
      return (await db.deleteFrom('accounts').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },

    async createLead(input: LeadInput): Promise<Lead> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await db
        .insertInto('leads')
        .values({ id, full_name: input.fullName, company_name: input.companyName ?? '', email_address: input.emailAddress ?? null, status: input.status ?? 'open', created_at: now, updated_at: now })
        .execute();
      return (await this.getLead(id))!;
    },
    async getLead(id: string): Promise<Lead | undefined> {
      const r = await db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toLead(r);
    },
    async listLeads(): Promise<Lead[]> {
      return (await db.selectFrom('leads').selectAll().orderBy('full_name').execute()).map(toLead);
    },
    async findLeadsByEmail(address: string): Promise<Lead[]> {
      const rows = await db.selectFrom('leads').selectAll().where((eb) => eb(eb.fn('lower', ['email_address']), '=', address.toLowerCase())).execute();
      return rows.map(toLead);
    },
    async deleteLead(id: string): Promise<boolean> {
      return (await db.deleteFrom('leads').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
    },
  };
}
