/**
 * `dovetail worker` as a real process on PostgreSQL, against the Exchange lab: it runs the
 * engine's worker loop, so new Pending Send email wakes it through LISTEN/NOTIFY. Its poll
 * interval is ten minutes and the email is queued only once the worker says it is idle, so the
 * notification is the only thing that can make it send within the test. SIGTERM stops it cleanly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createDraft, getEmail, sendEmail } from '../../src/crm/email-activities.ts';
import { profileDefaults } from '../../src/domain/profile.ts';
import { defaultUsers, startLab, type LabHandle } from '../../src/lab/lab.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { childEnv, startDovetailProcess, type RunningDovetail } from '../foundation/cli-process.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createReadyMailbox } from './fixtures.ts';

const idleLine = /"msg":"worker idle; waiting for work or the next poll"/g;

describe('dovetail worker wakes for new outgoing email (PostgreSQL LISTEN/NOTIFY)', { skip: postgresSkip() }, () => {
  let lab: LabHandle;
  let pgdb: TestDatabase;
  let store: Store;
  let dir: string;
  let worker: RunningDovetail | undefined;
  const key = randomBytes(32);

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'], users: defaultUsers('contoso.lab') });
    pgdb = await createTestDatabase('dovetail_cli_wake');
    store = await openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 4 }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(key)), systemRandom) });
    dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-wake-'));
  });
  after(async () => {
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await store?.close();
    await pgdb?.drop();
    await lab?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('sends email queued while it waits out a ten-minute poll, and stops on SIGTERM', async () => {
    const useCases: UseCaseContext = { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'wake-test' } } };
    const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };
    const profile = await store.profiles.create(
      { ...profileDefaults(auth), name: 'Lab', serverType: 'exchange-server', auth, autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem },
      { password: 'Lab-Service-2026!' },
    );
    const alex = await createReadyMailbox(store, profile, 'alex.wilber@contoso.lab', { now: Date.now() });
    const db = syncDb(store.kysely);
    // Nothing is due: the worker's first pass finds no work and it waits for the next poll.
    await db.updateTable('mailboxes').set({ next_incoming_at: null, next_outgoing_at: null }).execute();

    worker = await startDovetailProcess(
      ['worker'],
      childEnv({
        DATABASE_URL: pgdb.url,
        DOVETAIL_SECRET_KEY: key.toString('hex'),
        DOVETAIL_DATA_DIR: dir,
        DOVETAIL_WORKER_ID: 'cli-wake',
        DOVETAIL_WORKER_POLL_MS: '600000',
        DOVETAIL_LOG_LEVEL: 'debug',
      }),
      /worker (\S+) running.*\n/,
    );
    const idleCount = () => [...worker!.output().stdout.matchAll(idleLine)].length;
    for (let i = 0; i < 600 && idleCount() === 0; i++) await delay(50);
    assert.equal(idleCount(), 1, `the worker went idle after its first pass:\n${worker.output().stdout}`);

    const draft = await createDraft(useCases, { mailboxId: alex.id, to: [{ address: 'ana@fabrikam.example' }], subject: 'Woken', body: 'x', bodyType: 'text' });
    await sendEmail(useCases, draft.id);
    let email = await getEmail(useCases, draft.id);
    for (let i = 0; i < 600 && email.status !== 'sent'; i++) {
      await delay(100);
      email = await getEmail(useCases, draft.id);
    }
    assert.equal(email.status, 'sent', 'only the notification can have ended the ten-minute wait');
    assert.equal(lab.api.sent().filter((s) => s.internetMessageId === email.messageId).length, 1, 'the lab received it once');
    // The email is marked sent as soon as Exchange has it; the run record is written when the
    // run ends, a moment later, so wait for it rather than read it once.
    const outgoingRun = () => db.selectFrom('sync_runs').select(['worker', 'pipeline']).where('mailbox_id', '=', alex.id).where('pipeline', '=', 'outgoing').executeTakeFirst();
    let run = await outgoingRun();
    for (let i = 0; i < 300 && run === undefined; i++) {
      await delay(50);
      run = await outgoingRun();
    }
    assert.ok(run !== undefined, 'the outgoing run was recorded');
    assert.equal(run.worker, 'cli-wake');

    const code = await worker.stop();
    assert.equal(code, 0, worker.output().stderr);
    assert.match(worker.output().stderr, /^stopping$/m);
    const row = await db.selectFrom('mailboxes').select(['lease_owner', 'lease_expires_at']).where('id', '=', alex.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { lease_owner: null, lease_expires_at: null }, 'the lease was released on the way out');
  });
});
