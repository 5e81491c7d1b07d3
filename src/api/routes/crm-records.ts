/** Contacts, accounts and leads: create, change, read, search by email address. */
import { Type } from 'typebox';
import type { AccountInput, ContactInput, LeadInput } from '../../domain/party.ts';
import {
  createAccount, createContact, createLead, getAccount, getContact, getLead, listAccounts, listContacts, listLeads, updateAccount, updateContact, updateLead,
} from '../../crm/customer-records.ts';
import { ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { Account, AccountCreate, AccountPatch, Contact, ContactCreate, ContactPatch, EmailQuery, Lead, LeadCreate, LeadPatch } from './crm-schemas.ts';
import type { RoutePlugin } from './route-plugin.ts';

export const crmRecordRoutes: RoutePlugin = async (app) => {
  const tags = ['crm records'];

  app.get('/api/contacts', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List contacts, or find them by email address', querystring: EmailQuery, response: { 200: Type.Array(Contact), ...errorResponses } },
  }, async (request) => listContacts(request.useCases(), request.query.email));
  app.post('/api/contacts', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Create a contact', body: ContactCreate, response: { 201: Contact, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createContact(request.useCases(), request.body as ContactInput)));
  app.get('/api/contacts/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a contact', params: IdParams, response: { 200: Contact, ...errorResponses } },
  }, async (request) => getContact(request.useCases(), request.params.id));
  app.patch('/api/contacts/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change a contact', params: IdParams, body: ContactPatch, response: { 200: Contact, ...errorResponses } },
  }, async (request) => updateContact(request.useCases(), request.params.id, request.body as Partial<ContactInput>));

  app.get('/api/accounts', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List accounts, or find them by email address', querystring: EmailQuery, response: { 200: Type.Array(Account), ...errorResponses } },
  }, async (request) => listAccounts(request.useCases(), request.query.email));
  app.post('/api/accounts', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Create an account', body: AccountCreate, response: { 201: Account, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createAccount(request.useCases(), request.body as AccountInput)));
  app.get('/api/accounts/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show an account', params: IdParams, response: { 200: Account, ...errorResponses } },
  }, async (request) => getAccount(request.useCases(), request.params.id));
  app.patch('/api/accounts/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change an account', params: IdParams, body: AccountPatch, response: { 200: Account, ...errorResponses } },
  }, async (request) => updateAccount(request.useCases(), request.params.id, request.body as Partial<AccountInput>));

  app.get('/api/leads', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List leads, or find them by email address', querystring: EmailQuery, response: { 200: Type.Array(Lead), ...errorResponses } },
  }, async (request) => listLeads(request.useCases(), request.query.email));
  app.post('/api/leads', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Create a lead', body: LeadCreate, response: { 201: Lead, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createLead(request.useCases(), request.body as LeadInput)));
  app.get('/api/leads/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a lead', params: IdParams, response: { 200: Lead, ...errorResponses } },
  }, async (request) => getLead(request.useCases(), request.params.id));
  app.patch('/api/leads/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change a lead', params: IdParams, body: LeadPatch, response: { 200: Lead, ...errorResponses } },
  }, async (request) => updateLead(request.useCases(), request.params.id, request.body as Partial<LeadInput>));
};
