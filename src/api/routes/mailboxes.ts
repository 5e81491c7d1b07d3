/**
 * Mailboxes and the actions of the Dynamics mailbox list: edit several, apply default email
 * settings, approve/reject, test & enable. Batch actions answer 200 with one result per id, in
 * order; one failing mailbox does not stop the others.
 */
import { Type } from 'typebox';
import type { MailboxInput, MailboxPatch } from '../../domain/mailbox.ts';
import {
  applyDefaultEmailSettings,
  bulkUpdateMailboxes,
  createMailbox,
  deleteMailbox,
  getMailbox,
  listMailboxes,
  requestTestAndEnable,
  setMailboxApproval,
  updateMailbox,
} from '../../use-cases/mailboxes.ts';
import type { MailboxFilter } from '../../store/repositories/mailbox-repository.ts';
import { ADMINISTRATOR, ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdList, IdParams } from '../schemas/common.ts';
import { ApplyDefaults, BulkEdit, MailboxCreate, MailboxPatch as PatchSchema, MailboxQuery, MailboxResults } from '../schemas/mailbox.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['mailboxes'];
const MailboxRef = Type.Ref('Mailbox');

export const mailboxRoutes: RoutePlugin = async (app) => {
  app.get('/api/mailboxes', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List mailboxes', querystring: MailboxQuery, response: { 200: Type.Array(MailboxRef), ...errorResponses } },
  }, async (request) => listMailboxes(request.useCases(), request.query as MailboxFilter));

  app.post('/api/mailboxes', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Create a mailbox for a user or queue', body: MailboxCreate, response: { 201: MailboxRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createMailbox(request.useCases(), request.body as MailboxInput)));

  app.get('/api/mailboxes/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a mailbox with its sync state', params: IdParams, response: { 200: MailboxRef, ...errorResponses } },
  }, async (request) => getMailbox(request.useCases(), request.params.id));

  app.patch('/api/mailboxes/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change a mailbox (owners: their own, except approval)', params: IdParams, body: PatchSchema, response: { 200: MailboxRef, ...errorResponses } },
  }, async (request) => updateMailbox(request.useCases(), request.params.id, request.body as MailboxPatch));

  app.delete('/api/mailboxes/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Delete a mailbox', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteMailbox(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });

  app.post('/api/mailboxes/bulk-edit', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Change several mailboxes at once', body: BulkEdit, response: { 200: MailboxResults, ...errorResponses } },
  }, async (request) => bulkUpdateMailboxes(request.useCases(), request.body.ids, request.body.changes as MailboxPatch));

  app.post('/api/mailboxes/apply-default-email-settings', {
    config: { access: ADMINISTRATOR },
    schema: {
      tags, summary: "Apply the org's default profile and delivery methods; then test & enable (default)",
      body: ApplyDefaults, response: { 200: MailboxResults, ...errorResponses },
    },
  }, async (request) =>
    applyDefaultEmailSettings(request.useCases(), request.body.ids, request.body.testAndEnable === undefined ? {} : { testAndEnable: request.body.testAndEnable }));

  app.post('/api/mailboxes/approve', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Approve email for mailboxes', body: IdList, response: { 200: MailboxResults, ...errorResponses } },
  }, async (request) => setMailboxApproval(request.useCases(), request.body.ids, 'approved'));

  app.post('/api/mailboxes/reject', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Reject email for mailboxes', body: IdList, response: { 200: MailboxResults, ...errorResponses } },
  }, async (request) => setMailboxApproval(request.useCases(), request.body.ids, 'rejected'));

  app.post('/api/mailboxes/test-and-enable', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Queue mailboxes for test & enable', body: IdList, response: { 200: MailboxResults, ...errorResponses } },
  }, async (request) => requestTestAndEnable(request.useCases(), request.body.ids));
};
