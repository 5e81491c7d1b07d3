/**
 * The `dovetail` command line. Every file in ./commands that exports `register(program, cli)`
 * adds its commands; nothing here needs to change when a command file is added.
 * runCli returns the exit code: 0 on success, 1 with a one-line reason on stderr otherwise; a
 * command may set another code for an outcome that is not an error of the command itself (a job
 * in which some mailboxes failed, a watch stopped with Ctrl-C: see docs/cli.md).
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AppError } from '../errors.ts';
import { VERSION } from '../config/version.ts';
import { createCliContext, type CliContext, type CliIo } from './cli-context.ts';

export type CommandModule = { register?: (program: Command, cli: CliContext) => void };

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

async function loadCommandModules(): Promise<CommandModule[]> {
  const files = (await readdir(commandsDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')).sort();
  return Promise.all(files.map(async (f) => (await import(pathToFileURL(join(commandsDir, f)).href)) as CommandModule));
}

export function oneLineReason(error: unknown): string {
  if (error instanceof AppError) return error.message.replace(/\s*\n\s*/g, ' ');
  if (error instanceof Error) return `unexpected error: ${error.message.split('\n')[0]}`;
  return 'unexpected error';
}

export async function runCli(argv: ReadonlyArray<string>, io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin }): Promise<number> {
  const program = new Command('dovetail')
    .description('Dovetail: server-side synchronization between a CRM and Exchange')
    .version(VERSION)
    .option('--json', 'print results as JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const cli = createCliContext(program, io);
  for (const mod of await loadCommandModules()) mod.register?.(program, cli);
  // No command: run everything, as `npm start` does.
  const args = argv.length === 0 ? ['start'] : [...argv];
  try {
    await program.parseAsync(args, { from: 'user' });
    return cli.exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    io.stderr.write(`dovetail: ${oneLineReason(error)}\n`);
    return 1;
  }
}
