/**
 * One ACT cycle of one mailbox as its own process, for the crash tests: it reaches the Exchange
 * lab the test runs (EWS over NTLM), so Exchange outlives the process, and SIGKILLs itself at a
 * named persisted step.
 *
 * Environment:
 *   CHILD_DB           the PostgreSQL database the test set up
 *   CHILD_SECRET_KEY   hex of the 32-byte sealing key the test used
 *   CHILD_EWS_URL      the lab's EWS endpoint; CHILD_CA_PEM its CA certificate
 *   CHILD_MAILBOX_ID   the mailbox to run
 *   DOVETAIL_TEST_KILL_AT  an ACT step ("act:exchange-created", …): SIGKILL ourselves there
 */
import { seededRandom, systemClock, systemRandom } from '../../src/clock.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport } from '../../src/exchange/ews/transport.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore } from '../../src/store/store.ts';
import { claimDueAct, runActLease } from '../../src/sync/act/act-runner.ts';
import { actDb } from '../../src/sync/act/act-tables.ts';
import { defaultEngineOptions, type EngineDeps } from '../../src/sync/engine-deps.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
};

const sealer = createSealer(keyringOf(secretKey(Buffer.from(env('CHILD_SECRET_KEY'), 'hex'))), systemRandom);
const store = await openStore({ target: { engine: 'postgres', url: env('CHILD_DB'), poolSize: 2 }, clock: systemClock, random: systemRandom, sealer });
const transport = createEwsTransport({
  auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
  trustedCaPem: env('CHILD_CA_PEM'),
  maxConnections: 2,
  clock: systemClock,
  random: seededRandom(31),
});
const driver = new EwsDriver({ transport, url: env('CHILD_EWS_URL'), clock: systemClock, random: seededRandom(32), maxConcurrent: 2, timeoutMs: 10_000, impersonation: true, sleep: async () => undefined });
const killAt = process.env['DOVETAIL_TEST_KILL_AT'];
const deps: EngineDeps = {
  store,
  clock: systemClock,
  random: systemRandom,
  openDriver: () => driver,
  workerId: 'act-crash',
  log: { info: () => undefined, warn: (f, m) => process.stderr.write(`warn ${m} ${JSON.stringify(f)}\n`), error: (f, m) => process.stderr.write(`error ${m} ${JSON.stringify(f)}\n`) },
  options: { ...defaultEngineOptions, pageSize: 3 },
  reached: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
};
const mailboxId = env('CHILD_MAILBOX_ID');
// The killed run's lease would expire; the test does not wait for it.
await actDb(store.kysely).updateTable('mailboxes').set({ next_act_at: new Date(systemClock.now()), lease_expires_at: null }).where('id', '=', mailboxId).execute();
const [lease] = await claimDueAct(deps, 1, mailboxId);
const run = lease === undefined ? null : await runActLease(deps, lease);
process.stderr.write(`run ${JSON.stringify(run?.end ?? null)}\n`);
await driver.close();
await transport.close();
await store.close();
process.exit(run !== null && run.end.type === 'ok' && run.end.failed === 0 ? 0 : 3);
