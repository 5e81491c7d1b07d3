/** dovetail serve: the admin API (and admin center) only. */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { addListenOptions, runRole } from '../run-role.ts';

export function register(program: Command, cli: CliContext): void {
  addListenOptions(program.command('serve').description('run the admin API and admin center'))
    .action((opts: { port?: number; host?: string }) => runRole(cli, 'serve', opts));
}
