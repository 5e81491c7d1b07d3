/**
 * dovetail contact|account|lead list|show|create|update, and dovetail webhook list|create|delete|deliveries:
 * the CRM records tracking resolves addresses to, and the webhooks CRM apps subscribe with.
 */
import type { Command } from 'commander';
import {
  createAccount, createContact, createLead, getAccount, getContact, getLead, listAccounts, listContacts, listLeads, updateAccount, updateContact, updateLead,
} from '../../crm/customer-records.ts';
import type { AccountInput, ContactInput, LeadInput } from '../../domain/party.ts';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks } from '../../sync/sync-admin.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';
import { addInputOptions, readInput, type InputOptions } from '../input.ts';

const byEmail = { flags: '--email <address>', description: 'only those holding this email address', field: 'email' };

export function register(program: Command, cli: CliContext): void {
  registerCrud(program, cli, {
    noun: 'contact',
    description: 'CRM contacts (up to three email addresses each)',
    list: (ctx, f) => listContacts(ctx, f['email']),
    listFlags: [byEmail],
    show: getContact,
    create: (ctx, input) => createContact(ctx, input as ContactInput),
    update: (ctx, id, patch) => updateContact(ctx, id, patch as Partial<ContactInput>),
    line: (c) => `${c.id}  ${c.fullName}  ${c.emailAddresses.map((a) => `<${a}>`).join(' ')}`,
  });
  registerCrud(program, cli, {
    noun: 'account',
    description: 'CRM accounts',
    list: (ctx, f) => listAccounts(ctx, f['email']),
    listFlags: [byEmail],
    show: getAccount,
    create: (ctx, input) => createAccount(ctx, input as AccountInput),
    update: (ctx, id, patch) => updateAccount(ctx, id, patch as Partial<AccountInput>),
    line: (a) => `${a.id}  ${a.name}${a.emailAddress === null ? '' : `  <${a.emailAddress}>`}`,
  });
  registerCrud(program, cli, {
    noun: 'lead',
    description: 'CRM leads',
    list: (ctx, f) => listLeads(ctx, f['email']),
    listFlags: [byEmail],
    show: getLead,
    create: (ctx, input) => createLead(ctx, input as LeadInput),
    update: (ctx, id, patch) => updateLead(ctx, id, patch as Partial<LeadInput>),
    line: (l) => `${l.id}  ${l.fullName}  ${l.status}${l.emailAddress === null ? '' : `  <${l.emailAddress}>`}`,
  });

  const hook = program.command('webhook').description('webhooks for email.tracked, email.sent and email.failed (signed with HMAC-SHA256)');
  hook.command('list').description('list webhooks').action(async () => {
    const all = await cli.withUseCases((ctx) => listWebhooks(ctx));
    cli.print(all, () => (all.length === 0 ? 'no webhooks' : all.map((w) => `${w.id}  ${w.url}  ${w.events.join(',')}`).join('\n')));
  });
  addInputOptions(hook.command('create').description('subscribe a URL: {"url","events":[…],"secret"} (give the secret with --file or stdin)')).action(async (opts: InputOptions) => {
    const input = await readInput(opts, cli.io.stdin);
    const created = await cli.withUseCases((ctx) => createWebhook(ctx, input as { url: string; events: string[]; secret: string }));
    cli.print(created, () => `created webhook ${created.id}  ${created.url}`);
  });
  hook.command('delete <id>').description('delete a webhook').action(async (id: string) => {
    await cli.withUseCases((ctx) => deleteWebhook(ctx, id));
    cli.print({ id, deleted: true }, () => `deleted webhook ${id}`);
  });
  hook.command('deliveries <id>').description("a webhook's recent deliveries and their attempts").action(async (id: string) => {
    const all = await cli.withUseCases((ctx) => listDeliveries(ctx, id));
    cli.print(all, () =>
      all.length === 0
        ? 'no deliveries'
        : all.map((d) => `${d.id}  ${d.event}  ${d.status}  attempts ${d.attempts}${d.lastStatusCode === null ? '' : `  HTTP ${d.lastStatusCode}`}${d.lastError === null ? '' : `  ${d.lastError}`}`).join('\n'),
    );
  });
}
