/** Runs serve/worker/start until SIGINT or SIGTERM, then shuts down cleanly. */
import type { Command } from 'commander';
import { VERSION } from '../config/version.ts';
import type { Role } from '../main.ts';
import type { CliContext } from './cli-context.ts';

export async function runRole(cli: CliContext, role: Role, overrides: { port?: number; host?: string }): Promise<void> {
  const config = { ...cli.config(), ...(overrides.port === undefined ? {} : { port: overrides.port }), ...(overrides.host === undefined ? {} : { host: overrides.host }) };
  // Listen for signals before announcing readiness: until a listener exists, SIGTERM kills
  // the process outright, and whoever read the announcement may send it at once.
  let signalled!: () => void;
  const stopped = new Promise<void>((resolve) => (signalled = resolve));
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    signalled();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let running: Awaited<ReturnType<typeof import('../main.ts').startDovetail>>;
  try {
    const { startDovetail } = await import('../main.ts');
    running = await startDovetail(config, role);
  } catch (error) {
    stop();
    throw error;
  }
  const say = (line: string) => cli.io.stderr.write(`${line}\n`);
  const store = config.databaseUrl !== undefined ? 'PostgreSQL' : `embedded (${config.dataDir})`;
  const lines: string[] = [];
  if (running.firstTokenFile !== undefined) {
    lines.push(`An administrator API token was created. Show it once with: dovetail token reveal-first   (it is kept in ${running.firstTokenFile} until then)`);
  }
  if (running.worker !== undefined) lines.push(`worker ${running.worker.workerId} running, store: ${store}`);
  if (running.address !== undefined) lines.push(`Dovetail ${VERSION} listening on ${running.address} (API docs at ${running.address}/docs), store: ${store}`);
  // One write, so a reader that waits for the last line has seen the others.
  say(lines.join('\n'));
  await stopped;
  say('stopping');
  await running.close();
}

/** --port and --host of the roles that listen. */
export function addListenOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'port to listen on (default DOVETAIL_PORT or 8080)', parsePort)
    .option('--host <host>', 'address to listen on (default DOVETAIL_HOST or 127.0.0.1)');
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port ${value}: must be between 0 and 65535`);
  return n;
}
