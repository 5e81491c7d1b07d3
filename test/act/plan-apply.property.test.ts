/**
 * Model-based property test of plan/apply: random edits, creates, deletes and filter changes on
 * both sides, injected failures (before a write, and after it with the answer lost) and cycles cut
 * short at a persisted step, against the in-memory Exchange and CRM. After quiet cycles the two
 * sides agree, nothing is duplicated, no edit that was not in conflict is lost, an unlinked
 * meeting is not removed, and a side no field flows into is never written.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRandom, fixedClock } from '../../src/clock.ts';
import type { ActData, ActKind, RemoteItemId, RemoteVersion, TaskData } from '../../src/exchange/driver.ts';
import { syncKind, TRACKED_CATEGORY, type ActCycleDeps } from '../../src/sync/act/act-cycle.ts';
import { fromExchange } from '../../src/sync/act/exchange-map.ts';
import { defaultActPolicy, effectiveDirections, sameValue, writesCrm, writesExchange, type ActPolicy, type Direction, type Fields } from '../../src/sync/act/fields.ts';
import { MemoryExchange } from './memory-exchange.ts';
import { MemoryActStore } from './memory-store.ts';

const KIND = 'task' as const;
const EDITABLE = ['subject', 'body', 'importance', 'dueDate'] as const;
type Field = (typeof EDITABLE)[number];
const values: Record<Field, readonly unknown[]> = {
  subject: ['Call Ana', 'Send quote', 'Renewal', 'Follow up'],
  body: ['', 'notes', 'more notes'],
  importance: ['low', 'normal', 'high'],
  dueDate: [null, '2026-12-01', '2026-12-24'],
};

type Op =
  | { t: 'crmCreate'; subject: number }
  | { t: 'crmEdit'; i: number; field: Field; v: number }
  | { t: 'crmDelete'; i: number }
  | { t: 'crmUnfilter'; i: number }
  | { t: 'exCreate'; tracked: boolean; subject: number }
  | { t: 'exEdit'; i: number; field: Field; v: number }
  | { t: 'exDelete'; i: number }
  | { t: 'fail'; mode: 'before' | 'after' }
  | { t: 'cut'; at: number }
  | { t: 'cycle' };

const field = fc.constantFrom(...EDITABLE);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('crmCreate' as const), subject: fc.nat(3) }),
  fc.record({ t: fc.constant('crmEdit' as const), i: fc.nat(20), field, v: fc.nat(3) }),
  fc.record({ t: fc.constant('crmDelete' as const), i: fc.nat(20) }),
  fc.record({ t: fc.constant('crmUnfilter' as const), i: fc.nat(20) }),
  fc.record({ t: fc.constant('exCreate' as const), tracked: fc.boolean(), subject: fc.nat(3) }),
  fc.record({ t: fc.constant('exEdit' as const), i: fc.nat(20), field, v: fc.nat(3) }),
  fc.record({ t: fc.constant('exDelete' as const), i: fc.nat(20) }),
  fc.record({ t: fc.constant('fail' as const), mode: fc.constantFrom('before' as const, 'after' as const) }),
  fc.record({ t: fc.constant('cut' as const), at: fc.nat(4) }),
  fc.constant({ t: 'cycle' as const }),
);

const all = (d: Direction): Record<string, Direction> => Object.fromEntries(['subject', 'body', 'dueDate', 'status', 'importance', 'percentComplete'].map((f) => [f, d]));
const listed: Array<{ name: string; policy: ActPolicy }> = [
  { name: 'newest', policy: defaultActPolicy() },
  { name: 'crm-wins', policy: { ...defaultActPolicy(), conflict: 'crm-wins' as const } },
  { name: 'exchange-wins', policy: { ...defaultActPolicy(), conflict: 'exchange-wins' as const } },
  { name: 'mixed directions', policy: { ...defaultActPolicy(), directions: { task: { subject: 'crm-to-exchange', importance: 'exchange-to-crm', body: 'none' } } } },
  { name: 'CRM -> Exchange only', policy: { ...defaultActPolicy(), directions: { task: all('crm-to-exchange') } } },
  { name: 'Exchange -> CRM only', policy: { ...defaultActPolicy(), directions: { task: all('exchange-to-crm') } } },
];
const policies = listed.map((p) => ({ ...p, policy: { ...p.policy, valve: { minItems: 1_000, fraction: 0.5 } } }));

class Cut extends Error {}

function taskData(subject: string, tracked: boolean): TaskData {
  return { subject, body: { type: 'text', content: '' }, status: 'notStarted', importance: 'normal', percentComplete: 0, categories: tracked ? [TRACKED_CATEGORY] : [] };
}

function crmFields(subject: string): Fields {
  return { subject, body: '', dueDate: null, status: 'notStarted', importance: 'normal', percentComplete: 0 };
}

export async function scenario(policy: ActPolicy, ops: Op[]): Promise<void> {
  const ex = new MemoryExchange();
  const store = new MemoryActStore();
  const dirs = effectiveDirections(KIND, policy);
  const exWritable = Object.values(dirs).some(writesExchange);
  const crmWritable = Object.values(dirs).some(writesCrm);
  const userCrm = new Set<string>();
  const edits = new Map<string, Map<string, unknown>>();
  const mustSurvive = new Set<string>();
  let cutAt = -1;
  let steps = 0;
  const clock = fixedClock(1_000);
  const edit = (key: string, f: string, v: unknown) => {
    if (!edits.has(key)) edits.set(key, new Map());
    edits.get(key)!.set(f, v);
  };
  // Every sync write is checked against the directions: a field flows only where it may.
  store.onUpdate = (before, after) => {
    for (const f of Object.keys(dirs)) if (!sameValue(before[f], after[f])) assert.ok(writesCrm(dirs[f]!), `CRM field ${f} written against its direction`);
  };
  const driver = {
    syncItems: ex.syncItems.bind(ex),
    getItems: ex.getItems.bind(ex),
    createItem: ex.createItem.bind(ex),
    deleteItem: ex.deleteItem.bind(ex),
    updateItem: async <K extends ActKind>(m: string, k: K, id: RemoteItemId, v: RemoteVersion, data: ActData<K>) => {
      const before = ex.items.get(id);
      if (before !== undefined) {
        const b = fromExchange(k, before.data as ActData<K>);
        const a = fromExchange(k, data);
        for (const f of Object.keys(dirs)) if (!sameValue(b[f], a[f])) assert.ok(writesExchange(dirs[f]!), `Exchange field ${f} written against its direction`);
      }
      return ex.updateItem(m, k, id, v, data);
    },
  };
  const deps: ActCycleDeps = {
    driver,
    store,
    mailbox: 'alex@contoso.lab',
    orgId: 'org-1',
    policy,
    clock,
    random: seededRandom(7),
    pageSize: 3,
    maxPages: 100,
    reached: () => {
      if (steps++ === cutAt) {
        cutAt = -1;
        throw new Cut('cut');
      }
    },
  };
  const cycle = async () => {
    steps = 0;
    return syncKind(deps, KIND);
  };
  const tick = () => {
    clock.advance(1_000);
    ex.now = clock.now();
    store.now = clock.now();
  };
  const crmIds = () => [...store.crm.keys()];
  const exIds = () => ex.list(KIND).map((s) => s.id as string);
  for (const o of ops) {
    tick();
    switch (o.t) {
      case 'crmCreate': {
        const id = store.put(KIND, crmFields(values.subject[o.subject] as string));
        userCrm.add(id);
        break;
      }
      case 'crmEdit': {
        const ids = crmIds();
        if (ids.length === 0) break;
        const id = ids[o.i % ids.length]!;
        const v = values[o.field][o.v % values[o.field].length];
        store.put(KIND, { ...store.crm.get(id)!.fields, [o.field]: v }, id);
        edit(`crm:${id}`, o.field, v);
        break;
      }
      case 'crmDelete': {
        const ids = crmIds();
        if (ids.length === 0) break;
        const id = ids[o.i % ids.length]!;
        store.crm.delete(id);
        // Deleted before the sync saw it leave the filter: the delete is what goes to Exchange.
        const link = [...store.linkRows.values()].find((l) => l.crmId === id && l.state === 'linked');
        if (link?.remoteId != null) mustSurvive.delete(link.remoteId);
        break;
      }
      case 'crmUnfilter': {
        const ids = crmIds();
        if (ids.length === 0) break;
        const id = ids[o.i % ids.length]!;
        store.crm.get(id)!.inFilter = false;
        const link = [...store.linkRows.values()].find((l) => l.crmId === id && l.state === 'linked');
        if (link?.remoteId != null) mustSurvive.add(link.remoteId);
        break;
      }
      case 'exCreate':
        ex.put(KIND, taskData(values.subject[o.subject] as string, o.tracked));
        break;
      case 'exEdit': {
        const ids = exIds();
        if (ids.length === 0) break;
        const id = ids[o.i % ids.length]!;
        const s = ex.items.get(id)!;
        const data = structuredClone(s.data) as TaskData;
        const v = values[o.field][o.v % values[o.field].length];
        if (o.field === 'body') data.body = { type: 'text', content: v as string };
        else if (o.field === 'dueDate') {
          if (v === null) delete data.dueDate;
          else data.dueDate = v as string;
        } else if (o.field === 'subject') data.subject = v as string;
        else data.importance = v as TaskData['importance'];
        ex.put(KIND, data, id);
        edit(`ex:${id}`, o.field, v);
        break;
      }
      case 'exDelete': {
        const ids = exIds();
        if (ids.length === 0) break;
        const id = ids[o.i % ids.length]!;
        ex.remove(KIND, id);
        mustSurvive.delete(id);
        break;
      }
      case 'fail':
        ex.failures.push(o.mode);
        break;
      case 'cut':
        cutAt = o.at;
        break;
      case 'cycle':
        // A cycle cut short at a persisted step is a crash there: the next cycle repairs it.
        await cycle().catch((e: unknown) => {
          if (!(e instanceof Cut)) throw e;
        });
        break;
    }
  }
  ex.failures = [];
  cutAt = -1;
  let quiet = false;
  for (let i = 0; i < 6 && !quiet; i++) {
    tick();
    const r = await cycle();
    assert.equal(r.failed, 0, JSON.stringify(r.failures.map((f) => f.error.message)));
    quiet = r.processed === 0;
  }
  assert.ok(quiet, 'the sides settle');

  const links = [...store.linkRows.values()];
  const linked = links.filter((l) => l.state === 'linked');
  // No duplicates: one item per stamped CRM id, one link per record and per item.
  const stampCount = new Map<string, number>();
  for (const s of ex.list(KIND)) if (s.stamp?.activityId !== undefined) stampCount.set(s.stamp.activityId, (stampCount.get(s.stamp.activityId) ?? 0) + 1);
  for (const [id, n] of stampCount) assert.equal(n, 1, `one Exchange item for CRM record ${id}`);
  // An item made by sync stays linked while its CRM record exists; once the record is gone the item is left alone in Exchange.
  for (const s of ex.list(KIND)) if (s.stamp !== undefined) assert.ok(links.some((l) => l.remoteId === s.id) || !store.crm.has(s.stamp.activityId!), `item ${s.id} made by sync is linked`);
  // An unlinked row stays only while a side could use it again: its record may come back into the
  // filter, or its item (tracked without a stamp) would otherwise be taken in a second time.
  for (const l of links.filter((x) => x.state === 'unlinked')) {
    const item = l.remoteId === null ? undefined : ex.items.get(l.remoteId);
    const needed = l.remoteId === null ? store.crm.has(l.crmId) : item !== undefined && (store.crm.has(l.crmId) || item.stamp?.activityId !== l.crmId);
    assert.ok(needed, `unlinked row of ${l.crmId} is cleaned once neither side can use it`);
  }
  assert.equal(new Set(links.map((l) => l.crmId)).size, links.length);
  assert.equal(new Set(links.filter((l) => l.remoteId !== null).map((l) => l.remoteId)).size, links.filter((l) => l.remoteId !== null).length);
  for (const id of store.crm.keys()) assert.ok(userCrm.has(id) || links.some((l) => l.crmId === id), `CRM record ${id} made by sync is linked`);
  if (!crmWritable) assert.deepEqual(store.writes, { create: 0, update: 0, delete: 0 }, 'the read-only CRM is never written');
  if (!exWritable) assert.deepEqual(ex.calls, { create: 0, update: 0, delete: 0 }, 'read-only Exchange is never written');

  for (const id of mustSurvive) assert.ok(ex.items.has(id), 'an unlinked item stays in Exchange');
  for (const [id, r] of store.crm) {
    if (r.inFilter && exWritable) assert.ok(linked.some((l) => l.crmId === id), `CRM record ${id} in the filter is linked`);
  }
  for (const s of ex.list(KIND)) {
    const tracked = s.data.categories.includes(TRACKED_CATEGORY);
    if (tracked && crmWritable) assert.ok(links.some((l) => l.remoteId === s.id), `tracked item ${s.id} is linked`);
  }
  for (const l of linked) {
    const crm = store.crm.get(l.crmId);
    const item = ex.items.get(l.remoteId!);
    assert.ok(crm !== undefined && item !== undefined, 'both sides of a link exist');
    const e = fromExchange(KIND, item.data);
    for (const f of EDITABLE) {
      if (dirs[f] === 'none') continue;
      assert.ok(sameValue(crm.fields[f], e[f]), `${f} converged: CRM ${JSON.stringify(crm.fields[f])} / Exchange ${JSON.stringify(e[f])}`);
      if (dirs[f] !== 'two-way') continue;
      const c = edits.get(`crm:${l.crmId}`)?.get(f);
      const x = edits.get(`ex:${l.remoteId}`)?.get(f);
      const hasC = edits.get(`crm:${l.crmId}`)?.has(f) === true;
      const hasX = edits.get(`ex:${l.remoteId}`)?.has(f) === true;
      if (hasC && !hasX) assert.ok(sameValue(crm.fields[f], c), `the CRM edit of ${f} is kept`);
      if (hasX && !hasC) assert.ok(sameValue(crm.fields[f], x), `the Exchange edit of ${f} is kept`);
      if (hasC && hasX) assert.ok(sameValue(crm.fields[f], c) || sameValue(crm.fields[f], x), `one of the two edits of ${f} wins`);
    }
  }
}

/** A record unlinked by its filter, then deleted in the CRM; another unlinked, then its item deleted in Exchange. */
const unlinkThenGone: [Op[]] = [
  [
    { t: 'crmCreate', subject: 0 },
    { t: 'crmCreate', subject: 1 },
    { t: 'cycle' },
    { t: 'crmUnfilter', i: 0 },
    { t: 'crmUnfilter', i: 1 },
    { t: 'cycle' },
    { t: 'crmDelete', i: 0 },
    { t: 'exDelete', i: 0 },
    { t: 'cycle' },
  ],
];

describe('ACT plan/apply model', () => {
  for (const { name, policy } of policies) {
    it(`converges without loss or duplicates (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => scenario(policy, ops)),
        { numRuns: 300, seed: 20261122, examples: [unlinkThenGone] },
      );
    });
  }
});
