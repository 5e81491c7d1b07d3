/**
 * Kill the worker (SIGKILL) at every persisted step of incoming processing, restart it, and
 * check that every email was tracked exactly once: no duplicate activity, no lost email.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { createProfile, createReadyMailbox } from '../sync/fixtures.ts';
import { postgresSkip } from '../support/env.ts';
import { openCrashHarness, type CrashHarness } from './crash-harness.ts';

const steps = ['incoming:before-commit', 'incoming:after-commit', 'incoming:after-stamp', 'incoming:after-actions'];

describe('incoming email survives SIGKILL at every persisted step (PostgreSQL)', { skip: postgresSkip() }, () => {
  let h: CrashHarness;
  const delivered: string[] = [];
  before(async () => {
    h = await openCrashHarness('postgres');
    h.fake.addMailbox('sam@us.example');
    await h.withStore(async (store) => {
      const profile = await createProfile(store);
      await createReadyMailbox(store, profile, 'sam@us.example', { now: Date.now() });
      await store.settings.save({ ...(await store.settings.get()), trackEmails: 'all' });
    });
  });
  after(async () => h?.dispose());

  for (const step of steps) {
    it(`dies at ${step}`, async () => {
      for (let i = 0; i < 3; i++) {
        delivered.push(h.fake.deliver('sam@us.example', { subject: `mail ${delivered.length}`, from: { address: 'pat@customer.example' } }).internetMessageId);
      }
      const exit = await h.runChild({ DOVETAIL_TEST_KILL_AT: step, CHILD_DUE_NOW: '1' });
      assert.equal(exit.signal, 'SIGKILL', `the worker reached ${step} and was killed there (stderr: ${exit.stderr})`);
    });
  }

  it('after a clean restart every email is tracked exactly once', async () => {
    const exit = await h.runChild({ CHILD_DUE_NOW: '1' });
    assert.equal(exit.code, 0, exit.stderr);
    await h.withStore(async (store, useCases) => {
      const emails = await listEmails(useCases, { direction: 'incoming', limit: 1000 });
      const ids = emails.map((e) => e.messageId);
      assert.equal(new Set(ids).size, ids.length, 'no duplicate activity');
      assert.deepEqual([...ids].sort(), [...delivered].sort(), 'no lost email');
      const orgId = (await store.settings.get()).orgId;
      for (const m of h.fake.items('sam@us.example')) {
        const activity = emails.find((e) => e.messageId === m.internetMessageId);
        assert.deepEqual(m.stamp, { orgId, activityId: activity?.id }, `${m.subject} stamped with its one activity`);
      }
    });
  });
});
