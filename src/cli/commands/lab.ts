import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { seededRandom, systemRandom } from '../../clock.ts';
import { DEMO_TENANT, demoPeople, startDemoLab, type DemoLab } from '../../lab/demo/demo-lab.ts';
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
    .description('Run the Exchange lab until Ctrl-C: EWS + Autodiscover, Entra ID, Key Vault and Microsoft Graph over HTTPS with its own CA (--http: EWS + Autodiscover only)')
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
      let cloud: DemoLab | undefined;
      const dataDir = resolve(opts.dataDir);
      try {
        if (opts.http) lab = await startLab({ port, dataDir, domain: opts.domain, insecureHttp: true });
        else {
          // Every service under one CA: Bearer tokens from the lab Entra work at EWS (Hybrid Modern
          // Auth), Key Vault holds the HMA certificate, Graph serves the Exchange Online mailbox.
          cloud = await startDemoLab({ dataDir, labDir: dataDir, domain: opts.domain, port });
          lab = cloud.ews;
        }
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
        ...(cloud === undefined ? {} : { cloud: cloudDescription(cloud, dataDir) }),
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
          ...(description.cloud === undefined
            ? ['  Entra ID, Key Vault, Graph: not started (--http runs EWS and Autodiscover only)']
            : [
                `  Entra ID:          ${description.cloud.entraUrl}  tenant ${description.cloud.tenantId}`,
                `  Key Vault:         ${description.cloud.keyVaultUri}  certificate ${description.cloud.hma.keyVaultKeyName}`,
                `    reader app ${description.cloud.hma.keyVaultApplicationId}  client secret ${description.cloud.hma.keyVaultClientSecret}`,
                `  Hybrid Modern Auth: app ${description.cloud.hma.applicationId}  resource ${description.cloud.hma.aadResourceId}`,
                `  Microsoft Graph:   ${description.cloud.graphUrl}  mailboxes ${description.cloud.graphMailboxes.join(', ')}`,
                `    Exchange Online app ${description.cloud.exchangeOnline.applicationId}  certificate and key ${description.cloud.exchangeOnline.certificatePath}`,
              ]),
          rate > 0 ? `  Traffic: ${rate} events per minute` : '  Traffic: off (use --traffic RATE)',
          'Press Ctrl-C to stop.',
        ];
        stdout(`${lines.join('\n')}\n`);
      }
      traffic?.start((e) => stdout(`traffic: ${e.kind} ${e.mailbox} ${e.detail}\n`));
      ctx.onStarted?.(lab);
      await (ctx.waitForStop ?? untilSignal)();
      traffic?.stop();
      if (cloud !== undefined) await cloud.close();
      else await lab.close();
      stdout('Exchange lab stopped.\n');
      setExitCode(0);
    });
}

/**
 * What a profile needs to reach the lab's cloud side. The identities, the Key Vault reader's
 * secret and the Exchange Online app's key are fixtures of the lab, made for it and valid nowhere
 * else; the key goes to a 0600 file in the lab directory rather than to the terminal.
 */
function cloudDescription(cloud: DemoLab, dataDir: string) {
  const certificatePath = join(dataDir, 'exchange-online-app.pem');
  writeFileSync(certificatePath, cloud.exoCertificate.keyPem + cloud.exoCertificate.certPem, { mode: 0o600 });
  chmodSync(certificatePath, 0o600);
  return {
    tenantId: DEMO_TENANT.tenantId,
    entraUrl: cloud.entra.url,
    keyVaultUri: cloud.vault.vaultUri,
    graphUrl: cloud.graph.url,
    graphMailboxes: demoPeople(cloud.domain).online.map((p) => p.smtp),
    hma: {
      ewsUrl: cloud.ews.ewsUrl,
      aadResourceId: cloud.hmaResource,
      applicationId: DEMO_TENANT.hmaAppId,
      keyVaultKeyName: DEMO_TENANT.hmaCertName,
      keyVaultApplicationId: DEMO_TENANT.keyVaultAppId,
      keyVaultClientSecret: DEMO_TENANT.keyVaultSecret,
    },
    exchangeOnline: { applicationId: DEMO_TENANT.exoAppId, certificatePath },
  };
}
