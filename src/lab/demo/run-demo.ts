/**
 * The demo: every lab service, Dovetail (admin API + admin center + sync worker) on the embedded
 * store in the demo's data directory, the demo org with its three profiles, Test & Enable, a CRM
 * email in the outbox per mailbox, and once a mailbox is enabled, mail from a customer and a meeting
 * in its Exchange mailbox. The worker's drivers come from the provider registry (openDriver), told
 * where the lab's Entra and Graph are through its explicit lab settings.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { buildApi } from '../../api/build-api.ts';
import { seededRandom, type Random } from '../../clock.ts';
import { loadConfig } from '../../config/config.ts';
import { createDraft, sendEmail } from '../../crm/email-activities.ts';
import type { EmailServerProfile } from '../../domain/profile.ts';
import { openDriver } from '../../exchange/index.ts';
import { openRuntime, startWorker, VERSION, type Runtime, type WorkerHandle } from '../../main.ts';
import { TRACKED_CATEGORY } from '../../sync/act/act-cycle.ts';
import { authLogOf, createSyncEngineFactory, type EngineFactoryDeps } from '../../sync/engine-factory.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { createToken } from '../../use-cases/tokens.ts';
import { TrafficGenerator, type TrafficEvent } from '../traffic/traffic-generator.ts';
import { tnode } from '../xml/xml-writer.ts';
import { startDemoLab, type DemoLab } from './demo-lab.ts';
import { approveAndTestDemoMailboxes, DEMO_CUSTOMERS, seedDemoOrg, type DemoMailbox, type DemoOrg } from './demo-org.ts';
import { readDemoProgress, type DemoProgress } from './demo-progress.ts';

export type DemoOptions = {
  dataDir: string;
  /** Admin center / API port on 127.0.0.1 (0: any free port). */
  port: number;
  logger: Logger;
  /** Where the built admin center is; the API alone when absent. */
  webRoot?: string;
};

export type DemoRun = {
  adminUrl: string;
  /** An administrator API token to sign in to the admin center with. */
  signInToken: string;
  lab: DemoLab;
  org: DemoOrg;
  useCases: UseCaseContext;
  /** Reads progress and, for mailboxes that just became enabled, puts their seed mail and meeting in Exchange. */
  poll(): Promise<DemoProgress>;
  /** Exchange-side traffic at `ratePerMinute` on the on-premises mailboxes; each event wakes its mailbox. */
  startTraffic(ratePerMinute: number, onEvent: (e: TrafficEvent) => void): void;
  close(): Promise<void>;
};

/** dist/web beside the package root, when the admin center has been built (npm ci / npm test build it). */
export function defaultWebRoot(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'web');
  return existsSync(join(root, 'index.html')) ? root : undefined;
}

export async function startDemo(options: DemoOptions): Promise<DemoRun> {
  const dataDir = resolve(options.dataDir);
  const lab = await startDemoLab({ dataDir });
  const closers: Array<() => Promise<void>> = [() => lab.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    // The demo's own installation: its data directory, key file and store, whatever the environment says.
    const config = loadConfig({}, { dataDir, port: options.port, host: '127.0.0.1', workerPollMs: 250, workerId: 'demo-worker' });
    const runtime: Runtime = await openRuntime(config, { logger: options.logger });
    closers.push(() => runtime.close());
    const useCases: UseCaseContext = {
      store: runtime.store,
      clock: runtime.clock,
      random: runtime.random,
      principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'demo' } },
    };
    const org = await seedDemoOrg(useCases, lab);
    for (const m of org.mailboxes) await queueCrmEmail(useCases, org, m);

    const labSettings = {
      allowLoopback: true as const,
      entraAuthorityOrigin: lab.entra.url,
      graphRoot: lab.graph.url,
      trustedCaPems: [lab.caCertPem],
    };
    const driverFor = async (profile: EmailServerProfile, deps?: EngineFactoryDeps) =>
      openDriver(profile, await runtime.store.profiles.getSecrets(profile.id), {
        clock: runtime.clock, random: runtime.random, timeoutMs: 15_000, lab: labSettings,
        ...(deps === undefined ? {} : { authLog: authLogOf(deps) }),
        ...(deps?.exchangeRequests === undefined ? {} : { requests: deps.exchangeRequests }),
      });
    const engineFactory = createSyncEngineFactory({
      messageIdDomain: `crm.${lab.domain}`,
      testArrivalPollMs: 200,
      testArrivalTimeoutMs: 20_000,
      openDriver: driverFor,
    });
    const worker: WorkerHandle = startWorker({
      store: runtime.store, clock: runtime.clock, random: runtime.random, logger: runtime.logger, metrics: runtime.metrics,
      workerId: config.workerId, leaseSeconds: config.leaseSeconds, concurrency: config.workerConcurrency, pollMs: config.workerPollMs,
      engineFactory,
    });
    closers.push(() => worker.stop());

    const api = await buildApi({
      store: runtime.store, clock: runtime.clock, random: runtime.random, logger: runtime.logger, metrics: runtime.metrics, version: VERSION,
      readiness: async () => worker.readiness(),
      ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    });
    const adminUrl = await api.listen({ host: '127.0.0.1', port: options.port });
    closers.push(() => api.close());
    const signInToken = (await createToken(useCases, { name: 'demo sign-in', role: 'administrator' })).token;

    await approveAndTestDemoMailboxes(useCases, org);

    const seeded = new Set<string>();
    const woken = new Map<string, number>();
    const random: Random = seededRandom(2026);
    let traffic: TrafficGenerator | undefined;
    closers.push(async () => traffic?.stop());
    return {
      adminUrl,
      signInToken,
      lab,
      org,
      useCases,
      async poll() {
        const progress = await readDemoProgress(useCases, org);
        for (const m of org.mailboxes) {
          const p = progress.mailboxes.find((x) => x.address === m.address);
          if (p?.enabled !== true) continue;
          if (!seeded.has(m.id)) {
            seeded.add(m.id);
            seedExchangeItems(lab, org, m, useCases);
            await wake(useCases, m);
            woken.set(m.id, useCases.clock.now());
            continue;
          }
          // A run that was in flight when the seed arrived schedules its idle back-off after our wake-up:
          // wake the mailbox again until its seeded items are in.
          const waiting = p.tracked < 1 || (m.ownerType === 'user' && p.appointments < 1);
          if (waiting && useCases.clock.now() - (woken.get(m.id) ?? 0) >= 2_000) {
            await wake(useCases, m);
            woken.set(m.id, useCases.clock.now());
          }
        }
        return progress;
      },
      startTraffic(ratePerMinute, onEvent) {
        const onPremises = org.mailboxes.filter((m) => m.profile !== 'online');
        traffic = new TrafficGenerator({
          api: lab.ews.api,
          mailboxes: onPremises.map((m) => m.address),
          knownSenders: DEMO_CUSTOMERS.map((c) => ({ name: `${c.first} ${c.last}`, address: c.address })),
          random,
          ratePerMinute,
          tokenPattern: /\s*CRM:\d{8}/,
        });
        traffic.start((e) => {
          onEvent(e);
          // Stands in for the push notification Exchange would send: the mailbox is due now.
          const m = onPremises.find((x) => x.address === e.mailbox);
          if (m !== undefined) void wake(useCases, m).catch(() => undefined);
        });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function customerFor(org: DemoOrg, m: DemoMailbox): DemoOrg['customers'][number] {
  return org.customers[org.mailboxes.indexOf(m) % org.customers.length]!;
}

/** A CRM email regarding the customer's account, queued in the outbox: it is sent once the mailbox's outgoing is enabled. */
async function queueCrmEmail(ctx: UseCaseContext, org: DemoOrg, m: DemoMailbox): Promise<void> {
  const customer = customerFor(org, m);
  const draft = await createDraft(ctx, {
    mailboxId: m.id,
    to: [{ address: customer.address, name: customer.name }],
    subject: `Welcome to Contoso, ${customer.name.split(' ')[0]!}`,
    body: '<p>Thank you for your order. Your account manager will be in touch this week.</p>',
    regarding: { type: 'account', id: customer.accountId },
  });
  await sendEmail(ctx, draft.id);
}

/** In the mailbox's Exchange: an email from its customer, one from a stranger, and a tracked meeting with the customer. */
function seedExchangeItems(lab: DemoLab, org: DemoOrg, m: DemoMailbox, ctx: UseCaseContext): void {
  const customer = customerFor(org, m);
  const from = { name: customer.name, address: customer.address };
  const stranger = { name: 'Promotions', address: 'offers@promo.example' };
  const day = new Date(ctx.clock.now() + 86_400_000).toISOString().slice(0, 10);
  const meeting = { subject: `Quarterly review with ${customer.name}`, start: `${day}T10:00:00Z`, end: `${day}T11:00:00Z` };
  if (m.profile === 'online') {
    const id = (n: string) => `<${ctx.random.bytes(8).toString('hex')}.${n}@${customer.address.split('@')[1]!}>`;
    lab.graph.deliver(m.address, { from, to: [m.address], subject: 'Question about our contract', body: 'Could you send the renewal terms?', internetMessageId: id('q') });
    lab.graph.deliver(m.address, { from: stranger, to: [m.address], subject: 'This week only: 20% off', body: 'Deals!', internetMessageId: id('p') });
    lab.graph.createItem(m.address, 'event', {
      subject: meeting.subject,
      start: { dateTime: meeting.start.slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: meeting.end.slice(0, 19), timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: customer.address, name: customer.name }, type: 'required' }],
      categories: [TRACKED_CATEGORY],
    });
    return;
  }
  lab.ews.api.deliverEmail({ to: [m.address], from, subject: 'Question about our contract', body: 'Could you send the renewal terms?' });
  lab.ews.api.deliverEmail({ to: [m.address], from: stranger, subject: 'This week only: 20% off', body: 'Deals!' });
  if (m.ownerType === 'user') {
    const id = lab.ews.api.createMeeting({ organizer: m.address, ...meeting, attendees: [customer.address] });
    // The organizer tracks the meeting in Outlook (the Dovetail category), so it becomes a CRM appointment.
    const mailbox = lab.ews.api.mailbox(m.address);
    const item = lab.ews.api.item(m.address, id);
    item.props.set('Categories', tnode('Categories', '', {}, [tnode('String', TRACKED_CATEGORY)]));
    mailbox.modified(item, ['Categories']);
  }
}

/** Makes the mailbox's incoming (and, for users, appointments/contacts/tasks) run due now. */
async function wake(ctx: UseCaseContext, m: DemoMailbox): Promise<void> {
  const now = new Date(ctx.clock.now()).toISOString();
  await ctx.store.mailboxes.saveSyncState(m.id, m.ownerType === 'user' ? { nextIncomingAt: now, nextActAt: now } : { nextIncomingAt: now });
}
