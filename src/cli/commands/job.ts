/**
 * dovetail job start|watch|list|show: Test & Enable, Approve Email, Apply Default Email Settings as
 * background jobs. `start` waits for the job with live progress unless --no-wait; `watch` attaches
 * to a job (job-watch.ts).
 */
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { jobKinds, type Job, type JobKind } from '../../sync/jobs.ts';
import { recentJobs, showJob } from '../../sync/sync-admin.ts';
import type { CliContext } from '../cli-context.ts';
import { outcomeOf } from '../job-progress.ts';
import { addWaitOption, startAndWatch, watchJob, type WaitOptions } from '../job-watch.ts';

const line = (j: Omit<Job, 'items'>): string => `${j.id}  ${j.kind.padEnd(22)}  ${j.status.padEnd(21)}  ${String(j.progress).padStart(3)}%  ${j.done} done, ${j.failed} failed of ${j.total}`;

/** Repeatable --mailbox <id>. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('job').description('background jobs over mailboxes, with progress (the worker runs them)');
  addWaitOption(
    cmd
      .command('start <kind>')
      .description(`start a job and watch it to the end: ${jobKinds.join(', ')}`)
      .option('--mailbox <id>', 'a mailbox (repeatable)', collect)
      .option('--profile <id>', 'every mailbox of this email server profile')
      .option('--no-test', 'apply-default-settings: do not test & enable afterwards'),
  ).action(async (kind: string, o: WaitOptions & { mailbox?: string[]; profile?: string; test: boolean }) => {
    if (!jobKinds.includes(kind as JobKind)) throw new AppError('cli_input_invalid', `unknown job kind ${kind}; use one of ${jobKinds.join(', ')}`, { kind: 'invalid-input' });
    await startAndWatch(cli, {
      kind: kind as JobKind,
      ...(o.mailbox === undefined ? {} : { mailboxIds: o.mailbox }),
      ...(o.profile === undefined ? {} : { profileId: o.profile }),
      ...(kind === 'apply-default-settings' ? { testAndEnable: o.test } : {}),
    }, o);
  });
  cmd
    .command('watch <id>')
    .description('show the live progress of a job until it finishes, then its per-mailbox results (Ctrl-C stops watching, not the job)')
    .action(async (id: string) => watchJob(cli, id));
  cmd.command('list').description('recent jobs').action(async () => {
    const all = await cli.withUseCases((ctx) => recentJobs(ctx));
    cli.print(all, () => (all.length === 0 ? 'no jobs' : all.map(line).join('\n')));
  });
  cmd.command('show <id>').description('a job with its per-mailbox results').action(async (id: string) => {
    const job = await cli.withUseCases((ctx) => showJob(ctx, id));
    cli.print(job, () =>
      [
        line(job),
        ...job.items.map((i) => {
          const failed = outcomeOf(i, new Map()).checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
          return `  ${i.mailboxId}  ${i.status}${i.finishedAt === null ? '' : `  ${i.finishedAt}`}${failed.length === 0 ? '' : `  ${failed.join('; ')}`}`;
        }),
      ].join('\n'),
    );
  });
}
