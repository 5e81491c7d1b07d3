/**
 * dovetail demo: the Exchange lab and Dovetail in one process, with a seeded org, three profiles and
 * live traffic, until Ctrl-C. --smoke runs the same headless and exits 0 once every demo mailbox is
 * enabled and its seeded email, CRM email and meeting are synced, non-zero with the reason otherwise.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import type { CliContext } from '../cli-context.ts';
import { parsePort } from '../run-role.ts';
import { systemClock } from '../../clock.ts';
import { createLogger } from '../../observability/logger.ts';
import { defaultWebRoot, startDemo, type DemoRun } from '../../lab/demo/run-demo.ts';
import { demoEventLines, judgeDemo, summaryLines, type DemoVerdict } from '../../lab/demo/demo-verdict.ts';
import type { DemoProgress } from '../../lab/demo/demo-progress.ts';

type DemoCliOptions = { dataDir?: string; port?: number; smoke?: boolean; json?: boolean; timeout: string; traffic: string };

export function register(program: Command, cli: CliContext): void {
  program
    .command('demo')
    .description('run the Exchange lab and Dovetail with a seeded org, three profiles and live traffic (Ctrl-C stops)')
    .option('--data-dir <dir>', 'data directory of the demo (default: a new temporary directory)')
    .option('--port <port>', 'admin center port on 127.0.0.1 (default: any free port)', parsePort)
    .option('--smoke', 'headless: exit 0 once every demo mailbox is enabled and the seeded items are synced')
    .option('--timeout <seconds>', 'with --smoke: give up after this long', '90')
    .option('--traffic <rate>', 'Exchange-side events per minute once the demo runs (0 = none)', '12')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: DemoCliOptions) => {
      const json = cli.json() || opts.json === true;
      const timeoutMs = Number(opts.timeout) * 1000;
      const rate = Number(opts.traffic);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || !Number.isFinite(rate) || rate < 0) {
        throw new AppError('invalid_option', '--timeout must be a positive number of seconds and --traffic 0 or more events per minute', { kind: 'invalid-input' });
      }
      const temporary = opts.dataDir === undefined;
      const dataDir = temporary ? mkdtempSync(join(tmpdir(), 'dovetail-demo-')) : resolve(opts.dataDir!);
      // The demo seeds an org whose profiles name this run's lab ports: a second run over the same store would clash.
      if (!temporary && existsSync(join(dataDir, 'pglite'))) {
        throw new AppError('demo_data_dir_used', `${dataDir} already holds a Dovetail store: give the demo a new directory`, { kind: 'invalid-input' });
      }
      const out = (line: string) => void cli.io.stdout.write(`${line}\n`);
      const logger = createLogger({ level: 'error', destination: cli.io.stderr as unknown as NodeJS.WritableStream & { write(s: string): boolean } });
      const started = systemClock.now();
      let run: DemoRun | undefined;
      try {
        run = await startDemo({ dataDir, port: opts.port ?? 0, logger, ...(opts.smoke ? {} : optionalWebRoot()) });
        if (opts.smoke) {
          const verdict = await smoke(run, started + timeoutMs, json ? () => undefined : (line) => out(`${elapsed(started)} ${line}`));
          if (json) out(JSON.stringify(verdict, null, 2));
          else for (const line of summaryLines(verdict)) out(line);
          if (!verdict.ok) throw new AppError('demo_smoke_failed', `demo smoke failed: ${verdict.reason ?? 'unknown reason'}`);
          return;
        }
        interactiveBanner(run, dataDir, out);
        await live(run, rate, (line) => out(`${elapsed(started)} ${line}`));
      } finally {
        await run?.close();
        if (temporary && opts.smoke) rmSync(dataDir, { recursive: true, force: true });
      }
    });
}

function elapsed(since: number): string {
  return `+${((systemClock.now() - since) / 1000).toFixed(1)}s`.padStart(7);
}

function optionalWebRoot(): { webRoot?: string } {
  const webRoot = defaultWebRoot();
  return webRoot === undefined ? {} : { webRoot };
}

async function smoke(run: DemoRun, deadline: number, out: (line: string) => void): Promise<DemoVerdict> {
  let previous: DemoProgress | undefined;
  for (;;) {
    const progress = await run.poll();
    for (const line of demoEventLines(previous, progress)) out(line);
    previous = progress;
    const verdict = judgeDemo(progress, run.org, systemClock.now() >= deadline);
    if (verdict.done) return verdict;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function interactiveBanner(run: DemoRun, dataDir: string, out: (line: string) => void): void {
  out(
    [
      'Dovetail demo is running.',
      `  Admin center:   ${run.adminUrl}/   (API docs at ${run.adminUrl}/docs)`,
      `  Sign-in token:  ${run.signInToken}`,
      `  Data directory: ${dataDir}`,
      `  Lab EWS:        ${run.lab.ews.ewsUrl}`,
      `  Lab Graph:      ${run.lab.graph.url}`,
      `  Lab Entra ID:   ${run.lab.entra.url}`,
      `  Lab Key Vault:  ${run.lab.vault.vaultUri}`,
      '  Mailboxes:',
      ...run.org.mailboxes.map((m) => `    ${m.address.padEnd(28)} ${m.ownerType.padEnd(5)}  ${run.org.profiles[m.profile].name}`),
      'Events follow, one a line. Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

async function live(run: DemoRun, rate: number, out: (line: string) => void): Promise<void> {
  let stopping = false;
  const stopped = new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stopping = true;
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  let trafficStarted = false;
  let previous: DemoProgress | undefined;
  while (!stopping) {
    const progress = await run.poll();
    for (const line of demoEventLines(previous, progress)) out(line);
    previous = progress;
    // Traffic starts once every mailbox has been through Test & Enable, so the first lines tell that story.
    if (!trafficStarted && rate > 0 && progress.mailboxes.every((m) => m.enabled || m.failure !== null)) {
      trafficStarted = true;
      run.startTraffic(rate, (e) => out(`exchange   ${e.kind.padEnd(19)} ${e.mailbox}  ${e.detail}`));
    }
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 1000))]);
  }
  out('stopping');
}
