/** dovetail alert list|dismiss: the alert walls of mailboxes and email server profiles. */
import type { Command } from 'commander';
import { ALERT_LEVELS, type Alert, type AlertLevel } from '../../domain/alert.ts';
import { AppError } from '../../errors.ts';
import type { AlertFilter } from '../../store/repositories/alert-repository.ts';
import { dismissAlert, listAlerts } from '../../use-cases/alerts.ts';
import type { CliContext } from '../cli-context.ts';
import { limitOf } from '../input.ts';

const line = (a: Alert): string => `${a.id}  ${a.createdAt}  ${a.level.padEnd(11)}  ${a.targetType} ${a.targetId}  ${a.message.split('\n')[0]}${a.dismissedAt === null ? '' : '  (dismissed)'}`;


export function register(program: Command, cli: CliContext): void {
  const alert = program.command('alert').description('alert walls of mailboxes and email server profiles');
  alert
    .command('list')
    .description('alerts, newest first')
    .option('--mailbox <id>', "only this mailbox's wall")
    .option('--profile <id>', "only this email server profile's wall")
    .option('--level <level>', ALERT_LEVELS.join(', '))
    .option('--all', 'dismissed alerts too')
    .option('--limit <n>', 'at most this many (1-1000)')
    .action(async (o: { mailbox?: string; profile?: string; level?: string; all?: boolean; limit?: string }) => {
      if (o.mailbox !== undefined && o.profile !== undefined) throw new AppError('cli_input_invalid', 'give --mailbox or --profile, not both', { kind: 'invalid-input' });
      if (o.level !== undefined && !ALERT_LEVELS.includes(o.level as AlertLevel)) throw new AppError('cli_input_invalid', `--level ${o.level}: use one of ${ALERT_LEVELS.join(', ')}`, { kind: 'invalid-input' });
      const filter: AlertFilter = {
        ...(o.mailbox === undefined ? {} : { targetType: 'mailbox', targetId: o.mailbox }),
        ...(o.profile === undefined ? {} : { targetType: 'profile', targetId: o.profile }),
        ...(o.level === undefined ? {} : { level: o.level as AlertLevel }),
        ...(o.all === true ? { includeDismissed: true } : {}),
        ...limitOf(o.limit),
      };
      const all = await cli.withUseCases((ctx) => listAlerts(ctx, filter));
      cli.print(all, () => (all.length === 0 ? 'no alerts' : all.map(line).join('\n')));
    });
  alert.command('dismiss <id>').description('dismiss an alert').action(async (id: string) => {
    const a = await cli.withUseCases((ctx) => dismissAlert(ctx, id));
    cli.print(a, () => `dismissed ${line(a)}`);
  });

}
