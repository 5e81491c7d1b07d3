import { resolve } from 'node:path';
import type { Command } from 'commander';
import { seededRandom, systemRandom } from '../../clock.ts';
import { startLab, type LabHandle } from '../../lab/lab.ts';
import { TrafficGenerator } from '../../lab/traffic/traffic-generator.ts';

/**
 * What `dovetail lab` uses from the CLI's context when it is there; anything missing falls back to
 * the process. `waitForStop` lets tests end the lab instead of Ctrl-C; `onStarted` hands them the lab.
 */
type LabCliContext = {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  setExitCode?: (code: number) => void;
  waitForStop?: () => Promise<void>;
  onStarted?: (lab: LabHandle) => void;
};

function pick(context: unknown): LabCliContext {
  if (typeof context !== 'object' || context === null) return {};
  const c = context as Record<string, unknown>;
  const out: LabCliContext = {};
  for (const key of ['stdout', 'stderr', 'setExitCode', 'waitForStop', 'onStarted'] as const) {
    if (typeof c[key] === 'function') (out as Record<string, unknown>)[key] = c[key];
  }
  return out;
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The people the traffic generator writes as: the CRM's contacts in the demo org. */
const KNOWN_SENDERS = [
  { name: 'Ana Diaz', address: 'ana.diaz@fabrikam.example' },
  { name: 'Bo Chen', address: 'bo.chen@tailspin.example' },
  { name: 'Carla Souza', address: 'carla@wingtip.example' },
];

type LabCliOptions = { port: string; dataDir: string; domain: string; traffic?: string; seed?: string; http?: boolean; json?: boolean };

export function register(program: Command, context: unknown): void {
  const ctx = pick(context);
  const stdout = ctx.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = ctx.stderr ?? ((t: string) => void process.stderr.write(t));
  const setExitCode = ctx.setExitCode ?? ((n: number) => void (process.exitCode = n));

  program
    .command('lab')
    .description('Run the Exchange lab (EWS + Autodiscover over HTTPS with its own CA) until Ctrl-C')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--data-dir <dir>', 'where the lab CA is kept between runs', 'data/lab')
    .option('--domain <domain>', 'the lab mail domain', 'contoso.lab')
    .option('--traffic <rate>', 'Exchange-side activity, events per minute (0 = none)')
    .option('--seed <n>', 'seed for the traffic generator (same seed, same traffic)')
    .option('--http', 'plain HTTP instead of HTTPS (the lab only; never for real servers)')
    .option('--json', 'print the lab description as JSON')
    .action(async (opts: LabCliOptions) => {
      const port = Number(opts.port);
      const rate = opts.traffic === undefined ? 0 : Number(opts.traffic);
      if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(rate) || rate < 0) {
        stderr('--port must be 0..65535 and --traffic a rate of 0 or more events per minute\n');
        setExitCode(2);
        return;
      }
      let lab: LabHandle;
      try {
        lab = await startLab({ port, dataDir: resolve(opts.dataDir), domain: opts.domain, ...(opts.http ? { insecureHttp: true } : {}) });
      } catch (e) {
        stderr(`the lab did not start: ${(e as Error).message}\n`);
        setExitCode(1);
        return;
      }
      const traffic =
        rate > 0
          ? new TrafficGenerator({
              api: lab.api,
              mailboxes: lab.users.map((u) => u.smtp),
              knownSenders: KNOWN_SENDERS,
              random: opts.seed === undefined ? systemRandom : seededRandom(Number(opts.seed)),
              ratePerMinute: rate,
            })
          : undefined;
      const description = {
        ewsUrl: lab.ewsUrl,
        autodiscoverUrl: lab.autodiscoverUrl,
        autodiscoverXmlUrl: lab.autodiscoverXmlUrl,
        caCertPath: lab.caCertPath ?? null,
        domain: lab.domain,
        // Lab accounts are fixtures of the lab (the same in every run), not secrets of anyone.
        users: lab.users.map((u) => ({ smtp: u.smtp, userName: u.userName ?? u.smtp.split('@')[0], password: u.password })),
        serviceAccounts: lab.serviceAccounts.map((s) => ({ userName: s.userName, password: s.password, impersonation: s.impersonation })),
        trafficPerMinute: rate,
      };
      if (opts.json) stdout(`${JSON.stringify(description, null, 2)}\n`);
      else {
        const lines = [
          `Exchange lab for ${lab.domain} is running.`,
          `  EWS:               ${lab.ewsUrl}`,
          `  Autodiscover SOAP: ${lab.autodiscoverUrl}`,
          `  Autodiscover POX:  ${lab.autodiscoverXmlUrl}`,
          `  CA certificate:    ${lab.caCertPath ?? '(in memory)'}`,
          `  Domain (NTLM):     ${lab.state.netbiosDomain}`,
          '  Mailboxes:',
          ...description.users.map((u) => `    ${u.smtp}  user ${u.userName}  password ${u.password}`),
          '  Service accounts (ApplicationImpersonation):',
          ...description.serviceAccounts.map((s) => `    ${s.userName}  password ${s.password}  scope ${s.impersonation === 'all' ? 'all mailboxes' : s.impersonation.join(', ')}`),
          rate > 0 ? `  Traffic: ${rate} events per minute` : '  Traffic: off (use --traffic RATE)',
          'Press Ctrl-C to stop.',
        ];
        stdout(`${lines.join('\n')}\n`);
      }
      traffic?.start((e) => stdout(`traffic: ${e.kind} ${e.mailbox} ${e.detail}\n`));
      ctx.onStarted?.(lab);
      await (ctx.waitForStop ?? untilSignal)();
      traffic?.stop();
      await lab.close();
      stdout('Exchange lab stopped.\n');
      setExitCode(0);
    });
}
