import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { createDraft, getEmail, sendEmail } from '../../src/crm/email-activities.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import { postgresSkip } from '../support/env.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

/**
 * On PostgreSQL, putting an email in Pending Send notifies the workers, so a worker waiting
 * between polls sends it at once. The poll interval here is an hour: the email can only go out
 * within the test because the notification ended the wait.
 */
describe('new Pending Send email wakes a waiting worker (PostgreSQL LISTEN/NOTIFY)', { skip: postgresSkip() }, () => {
  let h: Harness;
  let worker: Worker | undefined;
  const naps: Array<{ ms: number; aborted: boolean }> = [];
  let sleeping: (() => void) | undefined;
  before(async () => {
    h = await openHarness({}, 'postgres');
  });
  after(async () => {
    await worker?.stop();
    await h?.dispose();
  });

  it('sends without waiting for the hour-long poll, and stop() ends the wait too', async () => {
    const profile = await createProfile(h.store);
    const sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    h.fake.addMailbox('pat@customer.example');
    await h.store.mailboxes.saveSyncState(sam.id, { nextIncomingAt: null });

    const { sleep: _instant, ...deps } = h.deps;
    worker = createWorker({
      ...deps,
      options: { ...deps.options, pollIntervalMs: 60 * 60_000 },
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          const nap = { ms, aborted: false };
          naps.push(nap);
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => {
            nap.aborted = true;
            clearTimeout(timer);
            resolve();
          }, { once: true });
          sleeping?.();
        }),
    });
    const firstNap = new Promise<void>((r) => (sleeping = r));
    worker.start();
    await firstNap;
    assert.equal(naps.length, 1, 'the worker found nothing to do and waits for the next poll');

    const draft = await createDraft(h.useCases, { mailboxId: sam.id, to: [{ address: 'pat@customer.example' }], subject: 'Now', body: 'hi' });
    await sendEmail(h.useCases, draft.id);
    let status = (await getEmail(h.useCases, draft.id)).status;
    for (let i = 0; i < 300 && status !== 'sent'; i++) {
      await delay(100);
      status = (await getEmail(h.useCases, draft.id)).status;
    }
    assert.equal(status, 'sent');
    assert.equal(naps[0]!.aborted, true, 'the hour-long wait was ended by the notification');
    const sent = await getEmail(h.useCases, draft.id);
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1);

    const stopped = worker.stop();
    await stopped;
    worker = undefined;
    assert.ok(naps.every((n) => n.aborted), 'stop() does not wait out the poll interval');
  });

  it('listens again after losing its listening connection, and still wakes for new email', async () => {
    const profile = await createProfile(h.store, { name: 'Relisten' });
    const kim = await createReadyMailbox(h.store, profile, 'kim@us.example', { now: h.clock.now() });
    h.fake.addMailbox('kim@us.example');
    await h.store.mailboxes.saveSyncState(kim.id, { nextIncomingAt: null });
    const listeners = async () =>
      (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query like 'LISTEN %' and pid <> pg_backend_pid()`.execute(h.store.kysely)).rows.map((r) => r.pid);

    const { sleep: _instant, ...deps } = h.deps;
    worker = createWorker({
      ...deps,
      options: { ...deps.options, pollIntervalMs: 60 * 60_000 },
      // Each wait goes into the log, so the test can tell when a round has ended.
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          h.logs.push({ level: 'test', message: 'waiting', fields: {} });
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        }),
    });
    worker.start();
    let first: number[] = [];
    for (let i = 0; i < 100 && first.length === 0; i++) {
      await delay(50);
      first = await listeners();
    }
    assert.equal(first.length, 1, 'the worker listens on one connection');
    await sql`select pg_terminate_backend(${first[0]!})`.execute(h.store.kysely);

    let second: number[] = [];
    for (let i = 0; i < 200 && !(second.length === 1 && second[0] !== first[0]); i++) {
      await delay(50);
      second = await listeners();
    }
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0], 'a new listening connection replaced the lost one');
    assert.ok(h.logs.some((l) => l.message.startsWith('outbox notifications lost')), 'the loss was logged');
    // Listening again, the worker looks once for what nobody announced meanwhile; queue the email
    // only after that round, so the notification alone can explain its sending.
    const relistened = () => h.logs.findIndex((l) => l.message === 'listening for outbox notifications again');
    for (let i = 0; i < 200 && !(relistened() >= 0 && h.logs.slice(relistened()).some((l) => l.message === 'waiting')); i++) await delay(50);
    assert.ok(relistened() >= 0 && h.logs.slice(relistened()).some((l) => l.message === 'waiting'), 'the round after listening again ended');

    const draft = await createDraft(h.useCases, { mailboxId: kim.id, to: [{ address: 'pat@customer.example' }], subject: 'Still awake', body: 'hi' });
    await sendEmail(h.useCases, draft.id);
    let status = (await getEmail(h.useCases, draft.id)).status;
    for (let i = 0; i < 300 && status !== 'sent'; i++) {
      await delay(100);
      status = (await getEmail(h.useCases, draft.id)).status;
    }
    assert.equal(status, 'sent', 'woken within the hour-long poll interval');
    await worker.stop();
    worker = undefined;
    assert.deepEqual(await listeners(), [], 'stop() ends the listening connection');
  });
});
