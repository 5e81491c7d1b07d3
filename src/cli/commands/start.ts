/** dovetail start (the default): the admin API and the sync engine in one process. */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { addListenOptions, runRole } from '../run-role.ts';

export function register(program: Command, cli: CliContext): void {
  addListenOptions(program.command('start').description('run the admin API and the sync engine (default)'))
    .action((opts: { port?: number; host?: string }) => runRole(cli, 'all', opts));
}
