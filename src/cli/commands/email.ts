/** dovetail email list|show|draft|send|retry: email activities and the outbox. */
import type { Command } from 'commander';
import { createDraft, getEmail, listEmails, retryEmail, sendEmail, type DraftInput, type EmailFilter, type EmailView } from '../../crm/email-activities.ts';
import type { CliContext } from '../cli-context.ts';
import { addInputOptions, readInput, type InputOptions } from '../input.ts';

const line = (e: EmailView): string =>
  `${e.id}  ${e.direction.padEnd(8)}  ${e.status.padEnd(12)}  ${(e.receivedAt ?? e.sentAt ?? e.createdAt).slice(0, 19)}  ${e.subject}`;

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('email').description('email activities: list, show, write a draft, send, retry');
  cmd
    .command('list')
    .description('list email activities')
    .option('--mailbox <id>', 'mailbox id')
    .option('--party <addressOrId>', 'an address, or the id of a user, queue, contact, account or lead')
    .option('--regarding <id>', 'regarding record id')
    .option('--direction <direction>', 'incoming or outgoing')
    .option('--status <status>', 'draft, pending-send, sending, sent, received, failed')
    .option('--from <iso>', 'received/sent at or after')
    .option('--to <iso>', 'received/sent at or before')
    .option('--limit <n>', 'at most this many', (v) => Number(v))
    .action(async (o: { mailbox?: string; party?: string; regarding?: string; direction?: string; status?: string; from?: string; to?: string; limit?: number }) => {
      const filter: EmailFilter = {
        ...(o.mailbox === undefined ? {} : { mailboxId: o.mailbox }),
        ...(o.party === undefined ? {} : { party: o.party }),
        ...(o.regarding === undefined ? {} : { regardingId: o.regarding }),
        ...(o.direction === undefined ? {} : { direction: o.direction as 'incoming' | 'outgoing' }),
        ...(o.status === undefined ? {} : { status: o.status as NonNullable<EmailFilter['status']> }),
        ...(o.from === undefined ? {} : { from: o.from }),
        ...(o.to === undefined ? {} : { to: o.to }),
        ...(o.limit === undefined ? {} : { limit: o.limit }),
      };
      const all = await cli.withUseCases((ctx) => listEmails(ctx, filter));
      cli.print(all, () => (all.length === 0 ? 'no emails' : all.map(line).join('\n')));
    });
  cmd.command('show <id>').description('show an email with its parties, body and attachments').action(async (id: string) => {
    const e = await cli.withUseCases((ctx) => getEmail(ctx, id));
    cli.print(e, () => JSON.stringify(e, null, 2));
  });
  addInputOptions(cmd.command('draft').description('write a draft: {"mailboxId","to":[{"address"}],"subject","body",…}')).action(async (opts: InputOptions) => {
    const input = await readInput(opts, cli.io.stdin);
    const e = await cli.withUseCases((ctx) => createDraft(ctx, input as unknown as DraftInput));
    cli.print(e, () => `created draft ${line(e)}`);
  });
  cmd.command('send <id>').description('send a draft (it becomes Pending Send; the outbox sends it)').action(async (id: string) => {
    const e = await cli.withUseCases((ctx) => sendEmail(ctx, id));
    cli.print(e, () => line(e));
  });
  cmd.command('retry <id>').description('retry a failed email').action(async (id: string) => {
    const e = await cli.withUseCases((ctx) => retryEmail(ctx, id));
    cli.print(e, () => line(e));
  });
}
