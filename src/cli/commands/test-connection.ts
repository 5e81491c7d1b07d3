/** dovetail test-connection PROFILE [--mailbox ADDR] [--trace] [--json]: profile Test Connection, step by step. */
import { CommanderError, type Command } from 'commander';
import { testProfileConnection } from '../../diagnostics/test-connection/test-profile-connection.ts';
import type { TestConnectionResult } from '../../diagnostics/test-connection/test-connection.ts';
import type { CliContext } from '../cli-context.ts';

/** Each step on a line; a failed step's remedy and its (already redacted) last request and response under it, or every step's with `traces`. */
export function renderTestConnection(result: TestConnectionResult, options: { traces?: boolean } = {}): string {
  const indent = `  ${''.padEnd(15)} `;
  const lines = [`Test Connection${result.mailbox === null ? '' : ` with ${result.mailbox}`}: ${result.ok ? 'passed' : 'FAILED'}`];
  for (const s of result.steps) {
    const mark = s.skipped ? (s.ok ? '-' : '·') : s.ok ? '✓' : '✗';
    lines.push(`${mark} ${s.step.padEnd(15)} ${s.detail}`);
    const failed = !s.ok && !s.skipped;
    if (failed && s.remedy !== undefined) lines.push(`${indent}remedy: ${s.remedy}`);
    if (s.trace !== undefined && (failed || options.traces === true)) {
      lines.push(`${indent}last request and response (redacted):`, ...s.trace.split('\n').map((line) => `${indent}  ${line}`.trimEnd()));
    }
  }
  if (!result.ok && options.traces !== true) lines.push('(--trace shows the last request and response of every step)');
  return lines.join('\n');
}

export function register(program: Command, cli: CliContext): void {
  program
    .command('test-connection')
    .description('test an email server profile against a sample mailbox, step by step (exit 1 when a step fails)')
    .argument('<profile>', 'profile id or name')
    .option('--mailbox <address>', "sample mailbox (default: the profile's first mailbox)")
    .option('--trace', 'show the last request and response (redacted) of every step, not only of failed ones')
    .option('--json', 'print the result as JSON')
    .action(async (profile: string, opts: { mailbox?: string; trace?: boolean; json?: boolean }) => {
      const result = await cli.withUseCases((ctx) => testProfileConnection(ctx, profile, opts.mailbox === undefined ? {} : { mailbox: opts.mailbox }));
      cli.io.stdout.write(opts.json === true || cli.json() ? `${JSON.stringify(result, null, 2)}\n` : `${renderTestConnection(result, { traces: opts.trace === true })}\n`);
      if (!result.ok) throw new CommanderError(1, 'dovetail.test-connection.failed', '');
    });
}
