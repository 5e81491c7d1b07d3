/**
 * Email activities: list and filter, read with parties, body and attachments, write a draft,
 * send it (Pending Send, picked up by the outbox within seconds), retry a failed one.
 */
import { Type } from 'typebox';
import { createDraft, getEmail, listEmails, retryEmail, sendEmail, type DraftInput, type EmailFilter } from '../../crm/email-activities.ts';
import { requireMailboxRead } from '../../use-cases/context.ts';
import { getMailbox, visibleMailboxIds } from '../../use-cases/mailboxes.ts';
import { ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { DraftCreate, Email, EmailListQuery } from './crm-schemas.ts';
import type { RoutePlugin } from './route-plugin.ts';

export const crmEmailRoutes: RoutePlugin = async (app) => {
  const tags = ['email activities'];

  app.get('/api/emails', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List email activities by mailbox, party, regarding record, direction, status and date', querystring: EmailListQuery, response: { 200: Type.Array(Email), ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    const filter = request.query as EmailFilter;
    if (filter.mailboxId !== undefined) await getMailbox(ctx, filter.mailboxId);
    const visible = await visibleMailboxIds(ctx);
    if (visible === 'all' || filter.mailboxId !== undefined) return listEmails(ctx, filter);
    // A mailbox owner without a mailbox filter: the email of its own mailbox (one per user).
    const own = [...visible];
    return own.length === 0 ? [] : listEmails(ctx, { ...filter, mailboxId: own[0]! });
  });

  app.post('/api/emails', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Write a draft email (owners: from their own mailbox)', body: DraftCreate, response: { 201: Email, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createDraft(request.useCases(), request.body as DraftInput)));

  app.get('/api/emails/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show an email with its parties, body and attachments', params: IdParams, response: { 200: Email, ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    const email = await getEmail(ctx, request.params.id);
    if (ctx.principal.role === 'mailbox-owner') {
      const mailbox = email.mailboxId === null ? undefined : await ctx.store.mailboxes.get(email.mailboxId);
      requireMailboxRead(ctx, mailbox ?? { ownerType: 'none', ownerId: '' });
    }
    return email;
  });

  app.post('/api/emails/:id/send', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Send a draft: it becomes Pending Send and the outbox sends it', params: IdParams, response: { 200: Email, ...errorResponses } },
  }, async (request) => sendEmail(request.useCases(), request.params.id));

  app.post('/api/emails/:id/retry', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Retry a failed email (its Message-ID is kept, so it is never sent twice)', params: IdParams, response: { 200: Email, ...errorResponses } },
  }, async (request) => retryEmail(request.useCases(), request.params.id));
};
