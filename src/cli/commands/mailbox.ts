/**
 * dovetail mailbox create|list|show|update|delete, and the list actions: approve, reject and
 * bulk-edit change the mailboxes at once and print one result per mailbox; test (Test & Enable of
 * the mailboxes given or of every mailbox of a profile) and apply-defaults start a background job
 * and wait for it with live progress (job-watch.ts).
 */
import type { Command } from 'commander';
import type { Mailbox, MailboxInput, MailboxPatch } from '../../domain/mailbox.ts';
import {
  bulkUpdateMailboxes,
  createMailbox,
  deleteMailbox,
  getMailbox,
  listMailboxes,
  setMailboxApproval,
  updateMailbox,
  type MailboxResult,
} from '../../use-cases/mailboxes.ts';
import { AppError } from '../../errors.ts';
import type { MailboxFilter } from '../../store/repositories/mailbox-repository.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';
import { addInputOptions, readInput, type InputOptions } from '../input.ts';
import { addWaitOption, startAndWatch, type WaitOptions } from '../job-watch.ts';

const line = (m: Mailbox) =>
  `${m.id}  ${m.emailAddress}  ${m.ownerType}  approval=${m.approval}  in=${m.incomingStatus} out=${m.outgoingStatus} act=${m.actStatus}`;

export function register(program: Command, cli: CliContext): void {
  const cmd = registerCrud<Mailbox>(program, cli, {
    noun: 'mailbox',
    description: 'mailboxes of users and queues',
    list: (ctx, filter) => listMailboxes(ctx, filter as MailboxFilter),
    listFlags: [
      { flags: '--profile <id>', description: 'only the mailboxes of this email server profile', field: 'profileId' },
      { flags: '--owner-type <type>', description: 'user or queue', field: 'ownerType' },
      { flags: '--approval <state>', description: 'empty, pending, approved or rejected', field: 'approval' },
    ],
    show: getMailbox,
    create: (ctx, input) => createMailbox(ctx, input as unknown as MailboxInput),
    update: (ctx, id, patch) => updateMailbox(ctx, id, patch as MailboxPatch),
    remove: deleteMailbox,
    line,
    updateFlags: [
      {
        flags: '--process-email-from <when>',
        description: "process email received from this ISO 8601 date-time on (the later of this and the profile's applies); 'none' clears it",
        field: 'processEmailFrom',
        parse: (v) => (v === 'none' ? null : v),
      },
    ],
  });
  const report = async (results: MailboxResult[]): Promise<void> => {
    cli.print(results, () => results.map((r) => (r.ok ? `ok      ${line(r.mailbox)}` : `failed  ${r.id}  ${r.error.message}`)).join('\n'));
    const failed = results.filter((r) => !r.ok).length;
    if (failed > 0) throw new AppError('batch_partly_failed', `${failed} of ${results.length} mailboxes failed`);
  };
  cmd.command('approve <ids...>').description('approve email for mailboxes').action(async (ids: string[]) => {
    await report(await cli.withUseCases((ctx) => setMailboxApproval(ctx, ids, 'approved')));
  });
  cmd.command('reject <ids...>').description('reject email for mailboxes').action(async (ids: string[]) => {
    await report(await cli.withUseCases((ctx) => setMailboxApproval(ctx, ids, 'rejected')));
  });
  addWaitOption(
    cmd
      .command('apply-defaults <ids...>')
      .description("apply the org's default profile and delivery methods, then test & enable (a job; waits with progress)")
      .option('--no-test', 'do not test & enable afterwards'),
  ).action(async (ids: string[], opts: WaitOptions & { test: boolean }) => {
    await startAndWatch(cli, { kind: 'apply-default-settings', mailboxIds: ids, testAndEnable: opts.test }, opts);
  });
  addInputOptions(cmd.command('bulk-edit <ids...>').description('change several mailboxes at once')).action(async (ids: string[], opts: InputOptions) => {
    const patch = (await readInput(opts, cli.io.stdin)) as MailboxPatch;
    await report(await cli.withUseCases((ctx) => bulkUpdateMailboxes(ctx, ids, patch)));
  });
  addWaitOption(
    cmd
      .command('test [ids...]')
      .description('Test & Enable the mailboxes given, or every mailbox of a profile (a job; waits with progress)')
      .option('--profile <id>', 'every mailbox of this email server profile'),
  ).action(async (ids: string[], opts: WaitOptions & { profile?: string }) => {
    if ((ids.length === 0) === (opts.profile === undefined)) throw new AppError('cli_input_invalid', 'give either mailbox ids or --profile <id>', { kind: 'invalid-input' });
    await startAndWatch(cli, { kind: 'test-and-enable', ...(opts.profile === undefined ? { mailboxIds: ids } : { profileId: opts.profile }) }, opts);
  });
}
