import { readFile, writeFile } from 'node:fs/promises';
import { CommanderError, type Command } from 'commander';
import { systemClock, type Clock } from '../../clock.ts';
import { analyzeHmaReadiness } from '../../diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../diagnostics/hma/render-script.ts';
import { renderHmaText } from '../../diagnostics/hma/render-text.ts';
import type { HmaInput, HmaOptions } from '../../diagnostics/hma/types.ts';

/**
 * What this command uses from the CLI context (src/cli/cli-context.ts: `io` streams and the global
 * `--json`), or, for tests, plain callbacks and a clock. Whatever is missing falls back to the
 * process and the system clock.
 */
type HmaCliContext = {
  clock?: Clock;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  json?: () => boolean;
  /** Without it, a non-zero exit code travels as a CommanderError, which runCli returns as is. */
  setExitCode?: (code: number) => void;
};

type Writer = { write(text: string): unknown };
const isWriter = (w: unknown): w is Writer => typeof w === 'object' && w !== null && typeof (w as Writer).write === 'function';

function pick(context: unknown): HmaCliContext {
  if (typeof context !== 'object' || context === null) return {};
  const c = context as Record<string, unknown>;
  const io = (typeof c['io'] === 'object' && c['io'] !== null ? c['io'] : {}) as Record<string, unknown>;
  const out: HmaCliContext = {};
  if (typeof c['clock'] === 'object' && c['clock'] !== null && typeof (c['clock'] as Clock).now === 'function') out.clock = c['clock'] as Clock;
  const stdout = io['stdout'];
  const stderr = io['stderr'];
  if (typeof c['stdout'] === 'function') out.stdout = c['stdout'] as (t: string) => void;
  else if (isWriter(stdout)) out.stdout = (t) => void stdout.write(t);
  if (typeof c['stderr'] === 'function') out.stderr = c['stderr'] as (t: string) => void;
  else if (isWriter(stderr)) out.stderr = (t) => void stderr.write(t);
  if (typeof c['json'] === 'function') out.json = c['json'] as () => boolean;
  if (typeof c['setExitCode'] === 'function') out.setExitCode = c['setExitCode'] as (n: number) => void;
  return out;
}

/** Exit codes: 0 ready, 1 errors found, 2 input that could not be read. */
export const hmaExitCodes = { ready: 0, errors: 1, unreadable: 2 } as const;

export function register(program: Command, context: unknown): void {
  const ctx = pick(context);
  const stdout = ctx.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = ctx.stderr ?? ((t: string) => void process.stderr.write(t));
  const setExitCode =
    ctx.setExitCode ??
    ((n: number) => {
      if (n !== 0) throw new CommanderError(n, n === hmaExitCodes.errors ? 'dovetail.hma.not-ready' : 'dovetail.hma.unreadable-input', '');
    });
  const clock = ctx.clock ?? systemClock;

  const hma = program.command('hma').description('Hybrid Modern Authentication for Exchange Server on-premises');
  hma
    .command('check')
    .description('Read the output of the Exchange and Graph cmdlets (Format-List, Format-Table or ConvertTo-Json) and say what HMA still needs, in order')
    .argument('<files...>', 'text or JSON files with the pasted cmdlet output')
    .option('--json', 'print the report as JSON')
    .option('--script <file>', 'write the remediation script (.ps1) to this file')
    .option('--owa-ecp <mode>', 'HMA for OWA/ECP: auto (analyze when its output is given), required, or skip', 'auto')
    .action(async (files: string[], opts: { json?: boolean; script?: string; owaEcp: string }) => {
      if (!['auto', 'required', 'skip'].includes(opts.owaEcp)) {
        stderr(`--owa-ecp must be auto, required or skip (got ${JSON.stringify(opts.owaEcp)})\n`);
        setExitCode(hmaExitCodes.unreadable);
        return;
      }
      const inputs: HmaInput[] = [];
      const unreadable: string[] = [];
      for (const file of files) {
        try {
          // The path as typed names the evidence (file:line); basenames could collide across folders.
          inputs.push({ name: file, text: await readFile(file, 'utf8') });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          unreadable.push(`${file}: cannot read the file (${code ?? (e as Error).message})`);
        }
      }
      if (unreadable.length > 0) {
        stderr(`${unreadable.join('\n')}\n`);
        setExitCode(hmaExitCodes.unreadable);
        return;
      }
      const report = analyzeHmaReadiness(inputs, { now: new Date(clock.now()), owaEcp: opts.owaEcp as NonNullable<HmaOptions['owaEcp']> });
      if (opts.script) {
        try {
          await writeFile(opts.script, renderHmaScript(report), 'utf8');
        } catch (e) {
          stderr(`${opts.script}: cannot write the script (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
          setExitCode(hmaExitCodes.unreadable);
          return;
        }
      }
      // --json may belong to this command or to the program (`dovetail --json hma check …`).
      const json = opts.json === true || ctx.json?.() === true;
      stdout(json ? `${JSON.stringify(report, null, 2)}\n` : renderHmaText(report));
      if (opts.script && !json) stdout(`Remediation script written to ${opts.script}\n`);
      setExitCode(report.unreadableInput ? hmaExitCodes.unreadable : report.ready ? hmaExitCodes.ready : hmaExitCodes.errors);
    });
}
