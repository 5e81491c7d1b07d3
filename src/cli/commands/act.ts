/**
 * dovetail act …: appointments, contacts and tasks sync. The org policy, a user's filters, the
 * safety valves (and confirming one), flagged conflicts (and choosing a side), and "sync now".
 */
import type { Command } from 'commander';
import { confirmActValve, getActConflicts, getActFilters, getActPolicy, getActValves, resolveActConflict, syncActNow, updateActFilters, updateActPolicy } from '../../sync/act/act-use-cases.ts';
import type { CliContext } from '../cli-context.ts';
import { addInputOptions, readInput, type InputOptions } from '../input.ts';

const json = (v: unknown) => () => JSON.stringify(v, null, 2);

export function register(program: Command, cli: CliContext): void {
  const act = program.command('act').description('appointments, contacts and tasks synchronization');

  const policy = act.command('policy').description("the org's ACT policy: conflict policy, field directions, contact addresses, safety valve");
  policy.command('show').action(async () => {
    const p = await cli.withUseCases((ctx) => getActPolicy(ctx));
    cli.print(p, json(p));
  });
  addInputOptions(policy.command('update').description('change the policy (only the settings given)')).action(async (opts: InputOptions) => {
    const patch = (await readInput(opts, cli.io.stdin)) as Record<string, unknown>;
    const p = await cli.withUseCases((ctx) => updateActPolicy(ctx, patch));
    cli.print(p, json(p));
  });

  const filters = act.command('filters').description("a user's sync filters");
  filters.command('show <userId>').action(async (userId: string) => {
    const f = await cli.withUseCases((ctx) => getActFilters(ctx, userId));
    cli.print(f, json(f));
  });
  addInputOptions(filters.command('update <userId>').description('change the filters (only the kinds and settings given)')).action(async (userId: string, opts: InputOptions) => {
    const patch = await readInput(opts, cli.io.stdin);
    const f = await cli.withUseCases((ctx) => updateActFilters(ctx, userId, patch));
    cli.print(f, json(f));
  });

  const valves = act.command('valves').description('safety valves: mass deletes held back until an administrator confirms');
  valves.command('list').option('--mailbox <id>', 'only this mailbox').action(async (o: { mailbox?: string }) => {
    const v = await cli.withUseCases((ctx) => getActValves(ctx, o.mailbox));
    cli.print(v, () => (v.length === 0 ? 'No safety valve is shut.' : v.map((x) => `${x.mailboxId} ${x.kind}: ${x.deletes} of ${x.linked} would be deleted (${x.side} side), since ${x.trippedAt}${x.confirmedAt === null ? '' : `, confirmed by ${x.confirmedBy}`}`).join('\n')));
  });
  valves.command('confirm <mailboxId> <kind>').description('let the held-back deletes of one kind (appointment, contact, task) go through').action(async (mailboxId: string, kind: string) => {
    const v = await cli.withUseCases((ctx) => confirmActValve(ctx, mailboxId, kind));
    cli.print(v, () => `Confirmed: the ${v.deletes} deletes of ${v.kind}s go through on the next cycle.`);
  });

  const conflicts = act.command('conflicts').description('items changed on both sides and flagged for the user');
  conflicts.command('list').option('--mailbox <id>', 'only this mailbox').action(async (o: { mailbox?: string }) => {
    const c = await cli.withUseCases((ctx) => getActConflicts(ctx, o.mailbox));
    cli.print(c, () => (c.length === 0 ? 'No conflicts.' : c.map((x) => `${x.linkId} ${x.kind} ${x.crmId}: ${x.fields.join(', ')}`).join('\n')));
  });
  conflicts.command('resolve <linkId> <keep>').description('keep the "crm" or the "exchange" values').action(async (linkId: string, keep: string) => {
    if (keep !== 'crm' && keep !== 'exchange') throw new Error('keep is "crm" or "exchange"');
    const c = await cli.withUseCases((ctx) => resolveActConflict(ctx, linkId, keep));
    cli.print(c, () => `The ${keep === 'crm' ? 'CRM' : 'Exchange'} values win on the next cycle.`);
  });

  act.command('sync <mailboxId>').description("run the mailbox's ACT as soon as a worker is free").action(async (mailboxId: string) => {
    await cli.withUseCases((ctx) => syncActNow(ctx, mailboxId));
    cli.print({ mailboxId, requested: true }, () => 'Requested.');
  });
}
