/**
 * dovetail schedule show <mailbox>: the mailbox's next run per pipeline, lease holder and
 * back-off reason, last cycle and recent runs (like Dynamics' "Download Mailbox Details");
 * dovetail schedule failures / retry: per-item failures and their retry;
 * dovetail schedule folders / track / untrack: tracked folders of a mailbox.
 */
import type { Command } from 'commander';
import { addTrackedFolder, listTrackedFolders, removeTrackedFolder, retryFailure, showFailures, showSchedule } from '../../sync/sync-admin.ts';
import type { MailboxSchedule } from '../../sync/schedule-view.ts';
import type { CliContext } from '../cli-context.ts';

function human(s: MailboxSchedule): string {
  const lines = [`${s.emailAddress} (${s.mailboxId})`, `lease: ${s.lease === null ? 'none' : `${s.lease.holder} epoch ${s.lease.epoch} until ${s.lease.expiresAt}`}`];
  for (const p of s.pipelines) {
    const state = p.enabled === null ? '' : `${p.enabled ? 'enabled' : 'disabled'}, ${p.status}; `;
    lines.push(`${p.pipeline.padEnd(9)} ${state}next ${p.nextRunAt ?? 'not scheduled'} (${p.reason ?? '-'}${p.detail ? `: ${p.detail}` : ''})${p.lastErrorCode ? `; last error ${p.lastErrorCode} at ${p.lastErrorAt}` : ''}`);
  }
  lines.push(`last cycle: ${s.lastCycle.processed} processed, ${s.lastCycle.failed} failed${s.lastCycle.at ? ` at ${s.lastCycle.at}` : ''}; open failures: ${s.openFailures}`);
  for (const r of s.recentRuns) lines.push(`  ${r.startedAt}  ${r.pipeline.padEnd(8)}  ${r.outcome.padEnd(8)}  ${r.itemsProcessed}/${r.itemsFailed}  ${r.worker}${r.errorCode ? `  ${r.errorCode}` : ''}`);
  return lines.join('\n');
}

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('schedule').description("mailbox schedules, runs and per-item failures");
  cmd.command('show <mailboxId>').description('next run per pipeline, lease holder, back-off reason, recent runs').action(async (id: string) => {
    const s = await cli.withUseCases((ctx) => showSchedule(ctx, id));
    cli.print(s, () => human(s));
  });
  cmd
    .command('failures')
    .description('emails that could not be tracked or sent (kept at least 30 days)')
    .option('--mailbox <id>', 'only this mailbox')
    .action(async (o: { mailbox?: string }) => {
      const all = await cli.withUseCases((ctx) => showFailures(ctx, o.mailbox === undefined ? {} : { mailboxId: o.mailbox }));
      cli.print(all, () => (all.length === 0 ? 'no failures' : all.map((f) => `${f.id}  ${f.status.padEnd(15)}  ${f.lastFailedAt}  ${f.pipeline}  ${f.providerCode ?? f.errorCode}  ${f.subject}`).join('\n')));
    });
  cmd.command('retry <failureId>').description('retry a failed item in the next run of its mailbox').action(async (id: string) => {
    const f = await cli.withUseCases((ctx) => retryFailure(ctx, id));
    cli.print(f, () => `${f.id} ${f.status}`);
  });
  cmd.command('folders <mailboxId>').description("a mailbox's tracked folders").action(async (mailboxId: string) => {
    const all = await cli.withUseCases((ctx) => listTrackedFolders(ctx, mailboxId));
    cli.print(all, () => (all.length === 0 ? 'no tracked folders' : all.map((f) => `${f.id}  ${f.displayName}${f.regarding === null ? '' : `  regarding ${f.regarding.type} ${f.regarding.id}`}`).join('\n')));
  });
  cmd
    .command('track <mailboxId> <folderName>')
    .description('track every email in a folder of the mailbox (created on the next run if missing)')
    .option('--regarding <type:id>', 'set the regarding record of its email, e.g. account:<id>')
    .action(async (mailboxId: string, folderName: string, o: { regarding?: string }) => {
      const [type, id] = o.regarding === undefined ? [] : o.regarding.split(':');
      const f = await cli.withUseCases((ctx) =>
        addTrackedFolder(ctx, mailboxId, { displayName: folderName, regarding: type === undefined || id === undefined ? null : { type, id } }),
      );
      cli.print(f, () => `tracking folder ${f.displayName} (${f.id})`);
    });
  cmd.command('untrack <trackedFolderId>').description('stop tracking a folder').action(async (id: string) => {
    await cli.withUseCases((ctx) => removeTrackedFolder(ctx, id));
    cli.print({ id, deleted: true }, () => `stopped tracking ${id}`);
  });
}
