/** dovetail test-connection PROFILE [--mailbox ADDR] [--json]: profile Test Connection, step by step. */
import { CommanderError, type Command } from 'commander';
import { testProfileConnection } from '../../diagnostics/test-connection/test-profile-connection.ts';
import type { TestConnectionResult } from '../../diagnostics/test-connection/test-connection.ts';
import type { CliContext } from '../cli-context.ts';

export function renderTestConnection(result: TestConnectionResult): string {
  const lines = [`Test Connection${result.mailbox === null ? '' : ` with ${result.mailbox}`}: ${result.ok ? 'passed' : 'FAILED'}`];
  for (const s of result.steps) {
    const mark = s.skipped ? (s.ok ? '-' : '·') : s.ok ? '✓' : '✗';
    lines.push(`${mark} ${s.step.padEnd(15)} ${s.detail}`);
    if (!s.ok && !s.skipped && s.remedy !== undefined) lines.push(`  ${''.padEnd(15)} remedy: ${s.remedy}`);
  }
  return lines.join('\n');
}

export function register(program: Command, cli: CliContext): void {
  program
    .command('test-connection')
    .description('test an email server profile against a sample mailbox, step by step (exit 1 when a step fails)')
    .argument('<profile>', 'profile id or name')
    .option('--mailbox <address>', "sample mailbox (default: the profile's first mailbox)")
    .option('--json', 'print the result as JSON')
    .action(async (profile: string, opts: { mailbox?: string; json?: boolean }) => {
      const result = await cli.withUseCases((ctx) => testProfileConnection(ctx, profile, opts.mailbox === undefined ? {} : { mailbox: opts.mailbox }));
      cli.io.stdout.write(opts.json === true || cli.json() ? `${JSON.stringify(result, null, 2)}\n` : `${renderTestConnection(result)}\n`);
      if (!result.ok) throw new CommanderError(1, 'dovetail.test-connection.failed', '');
    });
}
