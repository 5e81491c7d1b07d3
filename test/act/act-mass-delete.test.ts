/**
 * The safety valve judges a mass delete as a whole, however many pages and cycles Exchange takes
 * to report it: with the engine's default paging (50 changes a page, 10 pages a cycle), a folder of
 * 1,200 linked tasks emptied in Exchange deletes nothing in the CRM until an administrator confirms,
 * and a worker that stops anywhere while the deletes are held or carried out neither loses them nor
 * carries one out twice. The real syncKind against the in-memory Exchange and CRM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { AppError } from '../../src/errors.ts';
import type { ActKind, TaskData } from '../../src/exchange/driver.ts';
import { syncKind, type ActCycleDeps, type KindResult } from '../../src/sync/act/act-cycle.ts';
import { defaultEngineOptions } from '../../src/sync/engine-deps.ts';
import { defaultActPolicy } from '../../src/sync/act/fields.ts';
import { MemoryExchange } from './memory-exchange.ts';
import { MemoryActStore } from './memory-store.ts';

const KIND = 'task' as const;
const COUNT = 1_200;

/** A worker stopped at a step, as one whose lease another worker took (the cycle lets it through). */
const stop = (step: string) => new AppError('lease_lost', `stopped at ${step}`, { kind: 'transient' });
const stopped = { code: 'lease_lost' };

function world(count: number) {
  const ex = new MemoryExchange();
  const store = new MemoryActStore();
  let stopAt: { step: string; after: number } | null = null;
  const deps: ActCycleDeps = {
    driver: ex,
    store,
    mailbox: 'alex@contoso.lab',
    orgId: 'org-1',
    policy: defaultActPolicy(),
    clock: fixedClock(1_000),
    random: seededRandom(11),
    pageSize: defaultEngineOptions.pageSize,
    maxPages: defaultEngineOptions.maxPagesPerRun,
    reached: (step) => {
      if (stopAt !== null && step === stopAt.step && stopAt.after-- <= 0) {
        stopAt = null;
        throw stop(step);
      }
    },
  };
  const commit = store.commitCursor.bind(store);
  let failCommit = false;
  store.commitCursor = async (...args) => {
    if (failCommit) {
      failCommit = false;
      throw stop('commit');
    }
    return commit(...args);
  };
  for (let i = 0; i < count; i++) store.put(KIND, { subject: `Task ${i}`, body: '', dueDate: null, status: 'notStarted', importance: 'normal', percentComplete: 0 });
  return {
    ex,
    store,
    cycle: (kind: ActKind = KIND): Promise<KindResult> => syncKind(deps, kind),
    /** The next cycle stops (as a killed worker would) the (after+1)-th time it reaches `step`. */
    stopAt: (step: string, after = 0) => void (stopAt = { step, after }),
    /** The next cursor commit fails before it takes effect. */
    failCommit: () => void (failCommit = true),
    linked: () => [...store.linkRows.values()].filter((l) => l.kind === KIND && l.state === 'linked').length,
  };
}

/** Cycles until the cursor has caught up with Exchange and a cycle has nothing left to do. */
async function settle(w: ReturnType<typeof world>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await w.cycle();
    assert.equal(r.failed, 0, JSON.stringify(r.failures.map((f) => f.error.message)));
    if (!r.more && r.processed === 0) return;
  }
  assert.fail('the cycles did not settle');
}

describe('ACT safety valve over a mass delete reported across pages and cycles', () => {
  it(`an emptied folder of ${COUNT} linked tasks deletes nothing in the CRM before the valve trips on the whole delete, and all of it once confirmed`, async () => {
    const w = world(COUNT);
    await settle(w);
    assert.equal(w.linked(), COUNT);
    assert.equal(w.ex.list(KIND).length, COUNT);

    for (const item of w.ex.list(KIND)) w.ex.remove(KIND, item.id);
    let tripped: KindResult['valve'] = null;
    let cycles = 0;
    while (tripped === null && cycles < 10) {
      const r = await w.cycle();
      cycles++;
      assert.equal(w.store.crm.size, COUNT, `cycle ${cycles} deleted ${COUNT - w.store.crm.size} CRM tasks before the valve could judge the whole delete`);
      tripped = r.valve;
    }
    assert.ok(cycles > 1, 'the deletes took more than one cycle to read');
    assert.deepEqual(tripped, { side: 'exchange', deletes: COUNT, linked: COUNT }, 'the valve judged every delete at once');
    assert.ok(w.store.valves.has(KIND));
    const again = await w.cycle();
    assert.deepEqual(again.valve, { side: 'exchange', deletes: COUNT, linked: COUNT }, 'still shut on the next cycle');
    assert.equal(w.store.crm.size, COUNT);

    w.store.valves.get(KIND)!.confirmed = true;
    await settle(w);
    assert.equal(w.store.crm.size, 0, 'every task went once confirmed');
    assert.equal(w.store.writes.delete, COUNT);
    assert.equal(w.store.linkRows.size, 0);
    assert.equal(w.store.valves.has(KIND), false, 'the valve reopened');
    assert.equal(w.ex.calls.create, COUNT, 'nothing was created again in Exchange');
  });

  it('a worker stopped while the deletes are held, or half-way through carrying them out, loses none and carries none out twice', async () => {
    const w = world(COUNT);
    await settle(w);
    for (const item of w.ex.list(KIND)) w.ex.remove(KIND, item.id);

    // Stopped right after the first cycle committed, then as the second commits: what was held
    // is kept, and what was read but not committed is read again.
    w.stopAt('act:cursor-committed', 0);
    await assert.rejects(w.cycle(), stopped);
    w.failCommit();
    await assert.rejects(w.cycle(), stopped);
    w.stopAt('act:crm-deleted', 0);
    let tripped: KindResult['valve'] = null;
    for (let i = 0; i < 10 && tripped === null; i++) tripped = (await w.cycle()).valve;
    assert.deepEqual(tripped, { side: 'exchange', deletes: COUNT, linked: COUNT });
    assert.equal(w.store.crm.size, COUNT);

    w.store.valves.get(KIND)!.confirmed = true;
    // Stopped after 700 deletes went through: the rest follow, each exactly once.
    w.stopAt('act:crm-deleted', 699);
    await assert.rejects(w.cycle(), { code: 'lease_lost' });
    assert.equal(w.store.crm.size, COUNT - 700);
    await settle(w);
    assert.equal(w.store.crm.size, 0);
    assert.equal(w.store.writes.delete, COUNT, 'no delete carried out twice');
    assert.equal(w.store.valves.has(KIND), false);
  });

  it('deletes below the valve, spread over several cycles, are carried out once the cursor catches up', async () => {
    const w = world(COUNT);
    await settle(w);
    const gone = w.ex.list(KIND).slice(0, 550);
    // Interleaved with edits, so the deletes span more than one cycle.
    for (const [n, item] of w.ex.list(KIND).entries()) {
      if (n < 550) w.ex.remove(KIND, item.id);
      else if (n < 1_100) w.ex.put(KIND, { ...(item.data as TaskData), subject: `${(item.data as TaskData).subject} (edited)` }, item.id);
    }
    const first = await w.cycle();
    assert.equal(first.more, true);
    assert.equal(w.store.crm.size, COUNT, 'held while the enumeration has more pages');
    await settle(w);
    assert.equal(w.store.valves.has(KIND), false, '550 of 1,200 is under the valve');
    assert.equal(w.store.crm.size, COUNT - gone.length);
    assert.equal(w.store.writes.delete, gone.length);
    const edited = [...w.store.crm.values()].filter((r) => String(r.fields['subject']).endsWith('(edited)')).length;
    assert.equal(edited, 550);
  });

  it('a CRM emptied of linked tasks trips the valve on the Exchange deletes it would cause', async () => {
    const w = world(COUNT);
    await settle(w);
    w.store.crm.clear();
    const r = await w.cycle();
    assert.deepEqual(r.valve, { side: 'crm', deletes: COUNT, linked: COUNT });
    assert.equal(w.ex.list(KIND).length, COUNT, 'nothing deleted in Exchange');
  });
});
