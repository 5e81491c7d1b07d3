/** dovetail worker: the sync engine only. Run as many as needed against one PostgreSQL. */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { runRole } from '../run-role.ts';

export function register(program: Command, cli: CliContext): void {
  program
    .command('worker')
    .description('run the sync engine')
    .action(() => runRole(cli, 'worker', {}));
}
