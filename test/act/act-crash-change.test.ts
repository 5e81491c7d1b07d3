/**
 * Crash tests of ACT updates and deletes: a worker process SIGKILLed after an Exchange write, a
 * CRM write, the cursor commit, an Exchange delete and a CRM delete; the next process's cycle
 * lands each change exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import { postgresSkip } from '../support/env.ts';
import { ALEX, openActCrash, type ActCrash } from './act-crash-harness.ts';

describe('ACT updates and deletes survive SIGKILL at every persisted step (PostgreSQL)', { skip: postgresSkip() }, () => {
  let c: ActCrash;
  let ids: string[] = [];
  const remoteOf = (id: string) => c.withDb((db) => db.selectFrom('act_links').select('remote_id').where('crm_id', '=', id).executeTakeFirstOrThrow()).then((r) => r.remote_id!);
  before(async () => {
    c = await openActCrash();
    ids = [await c.insert('task', { subject: 'First' }), await c.insert('task', { subject: 'Second' }), await c.insert('task', { subject: 'Third' })];
    assert.equal((await c.child()).code, 0);
  });
  after(() => c?.close());

  it('updates: killed after the Exchange write, after the CRM write and after the cursor, the edit lands once', async () => {
    await c.withDb((db) => db.updateTable('tasks').set({ subject: 'Edited in the CRM', updated_at: new Date(systemClock.now()) }).where('id', '=', ids[0]!).execute());
    await c.crashThenRepair('act:exchange-updated');
    const remote = await remoteOf(ids[0]!);
    assert.equal(c.lab.api.items(ALEX, 'tasks').find((i) => i.id === remote)?.subject, 'Edited in the CRM');
    c.lab.api.editItem(ALEX, remote, { Subject: 'Edited in Outlook' });
    await c.crashThenRepair('act:crm-updated');
    assert.equal((await c.withDb((db) => db.selectFrom('tasks').select('subject').where('id', '=', ids[0]!).executeTakeFirstOrThrow())).subject, 'Edited in Outlook');
    c.lab.api.editItem(ALEX, remote, { Subject: 'Edited again' });
    await c.crashThenRepair('act:cursor-committed');
    assert.equal((await c.withDb((db) => db.selectFrom('tasks').select('subject').where('id', '=', ids[0]!).executeTakeFirstOrThrow())).subject, 'Edited again');
    await c.assertNoDuplicates('task');
  });

  it('deletes: killed after the Exchange delete and after the CRM delete', async () => {
    await c.withDb((db) => db.deleteFrom('tasks').where('id', '=', ids[1]!).execute());
    await c.crashThenRepair('act:exchange-deleted');
    await c.assertNoDuplicates('task');
    c.lab.api.deleteItem(ALEX, await remoteOf(ids[2]!));
    await c.crashThenRepair('act:crm-deleted');
    await c.assertNoDuplicates('task');
    assert.equal((await c.withDb((db) => db.selectFrom('tasks').select('id').execute())).length, 1);
  });
});
