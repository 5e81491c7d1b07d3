/** dovetail audit list: the audit log of every change made through the API or CLI. */
import type { Command } from 'commander';
import type { AuditFilter } from '../../store/repositories/audit-repository.ts';
import { listAuditEntries } from '../../use-cases/audit-log.ts';
import type { CliContext } from '../cli-context.ts';
import { limitOf } from '../input.ts';

export function register(program: Command, cli: CliContext): void {
  program
    .command('audit')
    .description('the audit log of every change made through the API or CLI')
    .command('list')
    .description('audit entries, newest first')
    .option('--entity-type <type>', 'e.g. mailbox, profile, job')
    .option('--entity-id <id>', 'one record')
    .option('--before <iso>', 'entries before this time (to page back)')
    .option('--limit <n>', 'at most this many (1-1000)')
    .action(async (o: { entityType?: string; entityId?: string; before?: string; limit?: string }) => {
      const filter: AuditFilter = {
        ...(o.entityType === undefined ? {} : { entityType: o.entityType }),
        ...(o.entityId === undefined ? {} : { entityId: o.entityId }),
        ...(o.before === undefined ? {} : { before: o.before }),
        ...limitOf(o.limit),
      };
      const all = await cli.withUseCases((ctx) => listAuditEntries(ctx, filter));
      cli.print(all, () => (all.length === 0 ? 'no audit entries' : all.map((e) => `${e.at}  ${e.actor.type}:${e.actor.name}  ${e.action}  ${e.entityType} ${e.entityId ?? ''}`).join('\n')));
    });
}
