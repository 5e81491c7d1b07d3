/**
 * Scale-out against the Exchange lab: three worker processes on one PostgreSQL, each talking EWS
 * (NTLMv2, impersonation) to the lab through the real provider registry. The lab is the witness:
 * every outgoing email reached it exactly once, every delivered email carries the tracked
 * category, and the database shows one activity per email and no overlapping runs of a mailbox.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createDraft, sendEmail } from '../../src/crm/email-activities.ts';
import { profileDefaults } from '../../src/domain/profile.ts';
import { defaultUsers, startLab, type LabHandle } from '../../src/lab/lab.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createReadyMailbox } from '../sync/fixtures.ts';
import { spawnWorkers, type Workers } from './spawn-workers.ts';

const mailboxCount = 12;
const workers = ['lab-w1', 'lab-w2', 'lab-w3'];

describe('three workers against the Exchange lab on one PostgreSQL', { skip: postgresSkip() }, () => {
  let lab: LabHandle;
  let pgdb: TestDatabase;
  let store: Store;
  let spawned: Workers | undefined;
  const key = randomBytes(32);

  before(async () => {
    const users = [...defaultUsers('contoso.lab'), ...Array.from({ length: mailboxCount }, (_, i) => ({ smtp: `user${i}@contoso.lab`, displayName: `User ${i}`, userName: `user${i}`, password: `Lab-User-${i}-2026!` }))];
    lab = await startLab({ authSchemes: ['NTLM'], users });
    pgdb = await createTestDatabase('dovetail_scale_lab');
    store = await openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 4 }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(key)), systemRandom) });
  });
  after(async () => {
    spawned?.kill();
    await store?.close();
    await pgdb?.drop();
    await lab?.close();
  });

  it('services every mailbox; the lab sees each email sent once and each delivered email tracked once', async () => {
    const useCases: UseCaseContext = { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'scale-lab' } } };
    await store.settings.save({ ...(await store.settings.get()), trackEmails: 'all' });
    const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };
    const profile = await store.profiles.create(
      { ...profileDefaults(auth), name: 'Lab', serverType: 'exchange-server', auth, autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem, maximumConcurrentConnections: 300 },
      { password: 'Lab-Service-2026!' },
    );
    const delivered: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < mailboxCount; i++) {
      const address = `user${i}@contoso.lab`;
      const m = await createReadyMailbox(store, profile, address, { now: Date.now() });
      ids.push(m.id);
      for (let j = 0; j < 2; j++) delivered.push(lab.api.deliverEmail({ to: [address], from: { name: 'Ana', address: 'ana@fabrikam.example' }, subject: `m${i}.${j}`, body: 'x' })[0]!.internetMessageId);
      const d = await createDraft(useCases, { mailboxId: m.id, to: [{ address: 'ana@fabrikam.example' }], subject: `out ${i}`, body: 'x', bodyType: 'text' });
      await sendEmail(useCases, d.id);
    }
    const db = syncDb(store.kysely);
    await db.updateTable('mailboxes').set({ next_incoming_at: null, next_outgoing_at: null }).execute();
    spawned = await spawnWorkers(workers, { CHILD_DB: pgdb.url, CHILD_SECRET_KEY: key.toString('hex'), CHILD_DRIVER_URL: 'registry', CHILD_LEASE_TTL_MS: '10000', CHILD_PAGE_SIZE: '50' });
    const now = new Date();
    await db.updateTable('mailboxes').set({ next_incoming_at: now, next_outgoing_at: now }).execute();

    const deadline = Date.now() + 120_000;
    for (;;) {
      const tracked = await db.selectFrom('email_activities').select((eb) => eb.fn.countAll<number>().as('n')).where('direction', '=', 'incoming').executeTakeFirstOrThrow();
      const sent = await db.selectFrom('email_activities').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow();
      if (Number(tracked.n) === delivered.length && Number(sent.n) === mailboxCount) break;
      assert.ok(Date.now() < deadline, `timed out: ${tracked.n}/${delivered.length} tracked, ${sent.n}/${mailboxCount} sent`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Let every follow-up (stamps, categories) finish before looking at the lab.
    const pendingActions = async () => Number((await db.selectFrom('mailbox_actions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let pending = await pendingActions();
    for (let i = 0; i < 240 && pending > 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      pending = await pendingActions();
    }
    assert.equal(pending, 0, 'the workers finished every follow-up action');
    await spawned.stop();

    const outgoing = await db.selectFrom('email_activities').select('message_id').where('direction', '=', 'outgoing').execute();
    const sentByLab = lab.api.sent();
    for (const o of outgoing) assert.equal(sentByLab.filter((s) => s.internetMessageId === o.message_id).length, 1, `${o.message_id} sent once`);
    for (let i = 0; i < mailboxCount; i++) {
      for (const item of lab.api.items(`user${i}@contoso.lab`, 'inbox').filter((x) => delivered.includes(x.internetMessageId ?? ''))) {
        assert.deepEqual(item.categories, ['Tracked to Dovetail'], `${item.subject} categorized once`);
      }
    }
    const activities = await db.selectFrom('email_activities').select('message_id').where('direction', '=', 'incoming').execute();
    assert.deepEqual(activities.map((a) => a.message_id).sort(), [...delivered].sort());

    const runs = await db.selectFrom('sync_runs').select(['mailbox_id', 'worker', 'started_at', 'finished_at']).where('outcome', '!=', 'skipped').orderBy('mailbox_id').orderBy('started_at').execute();
    for (let i = 1; i < runs.length; i++) {
      const a = runs[i - 1]!;
      const b = runs[i]!;
      if (a.mailbox_id === b.mailbox_id) assert.ok(new Date(b.started_at) >= new Date(a.finished_at), `runs of ${a.mailbox_id} by ${a.worker} and ${b.worker} overlap`);
    }
    assert.deepEqual(new Set(runs.map((r) => r.mailbox_id)), new Set(ids), 'all mailboxes serviced');
    assert.ok(new Set(runs.map((r) => r.worker)).size >= 2, 'the work was shared');
  });
});
