/**
 * The create/list/show/update/delete commands of every record noun (profile, user, queue, mailbox,
 * contact, account, lead, appointment, task): one declaration per noun, the same options everywhere.
 */
import type { Command } from 'commander';
import type { UseCaseContext } from '../use-cases/context.ts';
import type { CliContext } from './cli-context.ts';
import { addInputOptions, readInput, type InputOptions } from './input.ts';

export type CrudSpec<T> = {
  noun: string;
  description: string;
  /** `filter` holds the values of the listFlags given, by field. */
  list: (ctx: UseCaseContext, filter: Record<string, string>) => Promise<T[]>;
  /** Options of `list` that narrow it, one field each. */
  listFlags?: ReadonlyArray<ListFlag>;
  show: (ctx: UseCaseContext, id: string) => Promise<T>;
  create: (ctx: UseCaseContext, input: Record<string, unknown>) => Promise<T>;
  update: (ctx: UseCaseContext, id: string, patch: Record<string, unknown>) => Promise<T>;
  /** Without it there is no `delete` command (records the CRM keeps). */
  remove?: (ctx: UseCaseContext, id: string) => Promise<void>;
  /** One line per record in human output. */
  line: (record: T) => string;
  /** Named options of `update` that set one field each, besides --data/--file/--set. */
  updateFlags?: ReadonlyArray<UpdateFlag>;
};

export type ListFlag = { flags: string; description: string; field: string };

/** `flags` as commander takes them; the option's value goes through `parse` into `field`. */
export type UpdateFlag = { flags: string; description: string; field: string; parse: (value: string) => unknown };

function optionKey(flags: string): string {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function registerCrud<T extends { id: string }>(program: Command, cli: CliContext, spec: CrudSpec<T>): Command {
  const cmd = program.command(spec.noun).description(spec.description);
  addInputOptions(cmd.command('create').description(`create a ${spec.noun}`)).action(async (opts: InputOptions) => {
    const input = await readInput(opts, cli.io.stdin);
    const created = await cli.withUseCases((ctx) => spec.create(ctx, input));
    cli.print(created, () => `created ${spec.noun} ${spec.line(created)}`);
  });
  const list = cmd.command('list').description(`list ${spec.noun}s`);
  for (const f of spec.listFlags ?? []) list.option(f.flags, f.description);
  list.action(async (opts: Record<string, unknown>) => {
    const filter: Record<string, string> = {};
    for (const f of spec.listFlags ?? []) {
      const value = opts[optionKey(f.flags)];
      if (typeof value === 'string') filter[f.field] = value;
    }
    const all = await cli.withUseCases((ctx) => spec.list(ctx, filter));
    cli.print(all, () => (all.length === 0 ? `no ${spec.noun}s` : all.map(spec.line).join('\n')));
  });
  cmd.command('show <id>').description(`show a ${spec.noun}`).action(async (id: string) => {
    const one = await cli.withUseCases((ctx) => spec.show(ctx, id));
    cli.print(one, () => JSON.stringify(one, null, 2));
  });
  const update = addInputOptions(cmd.command('update <id>').description(`change a ${spec.noun} (only the fields given)`));
  for (const f of spec.updateFlags ?? []) update.option(f.flags, f.description);
  update.action(async (id: string, opts: InputOptions & Record<string, unknown>) => {
    const patch = await readInput(opts, cli.io.stdin);
    for (const f of spec.updateFlags ?? []) {
      const value = opts[optionKey(f.flags)];
      if (typeof value === 'string') patch[f.field] = f.parse(value);
    }
    const updated = await cli.withUseCases((ctx) => spec.update(ctx, id, patch));
    cli.print(updated, () => `updated ${spec.noun} ${spec.line(updated)}`);
  });
  const remove = spec.remove;
  if (remove !== undefined) {
    cmd.command('delete <id>').description(`delete a ${spec.noun}`).action(async (id: string) => {
      await cli.withUseCases((ctx) => remove(ctx, id));
      cli.print({ id, deleted: true }, () => `deleted ${spec.noun} ${id}`);
    });
  }
  return cmd;
}
