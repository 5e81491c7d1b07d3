/** dovetail settings show|update: the org email settings (a single record). */
import type { Command } from 'commander';
import type { AlertLevel } from '../../domain/alert.ts';
import type { OrgEmailSettingsPatch } from '../../domain/settings.ts';
import { getOrgEmailSettings, updateOrgEmailSettings } from '../../use-cases/settings.ts';
import type { CliContext } from '../cli-context.ts';
import { addInputOptions, readInput, type InputOptions } from '../input.ts';

export function register(program: Command, cli: CliContext): void {
  const cmd = program.command('settings').description('org email settings: defaults for mailboxes, tracking and correlation');
  cmd.command('show').alias('list').description('show the org email settings').action(async () => {
    const s = await cli.withUseCases((ctx) => getOrgEmailSettings(ctx));
    cli.print(s, () => JSON.stringify(s, null, 2));
  });
  addInputOptions(cmd.command('update').description('change org email settings (only the fields given)'))
    .option('--alert-levels <levels>', 'alert levels to record, comma-separated: error,warning,information (or none)')
    .action(async (opts: InputOptions & { alertLevels?: string }) => {
      const patch = (await readInput(opts, cli.io.stdin)) as OrgEmailSettingsPatch;
      // Checked by the same domain rules as the API, so an unknown level is refused with the field named.
      if (opts.alertLevels !== undefined) patch.alertLevels = alertLevelList(opts.alertLevels);
      const s = await cli.withUseCases((ctx) => updateOrgEmailSettings(ctx, patch));
      cli.print(s, () => JSON.stringify(s, null, 2));
    });
}

function alertLevelList(text: string): AlertLevel[] {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  return t.split(',').map((l) => l.trim().toLowerCase()) as AlertLevel[];
}
