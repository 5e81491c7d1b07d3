import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listFailures, requestRetry } from '../../src/sync/item-failures.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { openActHarness, type ActHarness } from './act-harness.ts';
import { MemoryDriver } from './memory-driver.ts';

describe('ACT per-item failures and back-off', () => {
  const exchange = new MemoryDriver();
  let h: ActHarness;
  before(async () => {
    h = await openActHarness(exchange.asDriver(), 'alex@contoso.com');
  });
  after(() => h?.dispose());

  const failures = () => listFailures(syncDb(h.store.kysely), { mailboxId: h.mailboxId });

  it('records a failed item with its error, counts repeats on one row, retries on request and resolves it once it goes through', async () => {
    const id = await h.insert('task', { subject: 'Call Contoso back' });
    exchange.failures.push('before');
    const first = await h.cycle();
    assert.equal(first.failures.length, 1);
    let rows = await failures();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.pipeline, 'act');
    assert.equal(rows[0]!.errorCode, 'server_busy');
    assert.equal(rows[0]!.errorMessage, 'The server is busy.');
    assert.equal(rows[0]!.status, 'failed');
    assert.equal(rows[0]!.exchangeItemId, null);
    assert.match(rows[0]!.subject, new RegExp(`task "Call Contoso back" \\(CRM record ${id}\\)`));

    exchange.failures.push('before');
    await h.cycle();
    rows = await failures();
    assert.equal(rows.length, 1, 'a repeat counts on the same row');
    assert.equal(rows[0]!.attempts, 2);

    const retried = await requestRetry(syncDb(h.store.kysely), rows[0]!.id, new Date(h.clock.now()));
    assert.equal(retried.status, 'retry-requested');
    const due = await h.db.selectFrom('mailboxes').select('next_act_at').where('id', '=', h.mailboxId).executeTakeFirstOrThrow();
    assert.ok(new Date(due.next_act_at!).getTime() <= h.clock.now(), 'the retry makes ACT due now');

    const ok = await h.cycle();
    assert.equal(ok.failures.length, 0);
    assert.equal(exchange.list('task').length, 1);
    rows = await failures();
    assert.equal(rows[0]!.status, 'resolved');
    assert.notEqual(rows[0]!.resolvedAt, null);
  });

  it('keys a failed update by its Exchange item id', async () => {
    const [task] = exchange.list('task');
    const link = (await h.links('task'))[0]!;
    await h.update('task', link.crm_id, { subject: 'Call Contoso back today' });
    exchange.failures.push('before');
    await h.cycle();
    const open = (await failures()).filter((f) => f.status === 'failed');
    assert.equal(open.length, 1);
    assert.equal(open[0]!.exchangeItemId, task!.id);
    await h.cycle();
    assert.equal((await failures()).filter((f) => f.status === 'failed').length, 0);
  });

  it('backs off further with every consecutive failed run, and starts over after a good one', async () => {
    const delays: number[] = [];
    exchange.syncFailures = 3;
    for (let i = 0; i < 3; i++) {
      const run = await h.cycle();
      assert.equal(run.end.type, 'error');
      const m = await h.db.selectFrom('mailboxes').select('next_act_at').where('id', '=', h.mailboxId).executeTakeFirstOrThrow();
      delays.push(new Date(m.next_act_at!).getTime() - h.clock.now());
    }
    assert.deepEqual(delays, [30_000, 60_000, 120_000]);
    assert.equal((await h.cycle()).end.type, 'ok');
    exchange.syncFailures = 1;
    await h.cycle();
    const m = await h.db.selectFrom('mailboxes').select('next_act_at').where('id', '=', h.mailboxId).executeTakeFirstOrThrow();
    assert.equal(new Date(m.next_act_at!).getTime() - h.clock.now(), 30_000);
  });
});
