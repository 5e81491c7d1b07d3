/**
 * Property test of the "newest change" policy per field: whatever each side changed, a field only
 * one side changed goes from that side, and a field both changed differently goes from the side whose
 * change of that field is newer (the CRM dates each field; Exchange dates the item). Field stamps
 * are trusted only while they describe the value they were made for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultActPolicy, sameValue, type Fields } from '../../src/sync/act/fields.ts';
import { fieldTimes, stampChanges, valueHash } from '../../src/sync/act/field-times.ts';
import { plan } from '../../src/sync/act/plan.ts';

const FIELDS = ['subject', 'body', 'dueDate', 'importance'] as const;
const choices: Record<(typeof FIELDS)[number], readonly unknown[]> = {
  subject: ['A', 'B', 'C'],
  body: ['', 'x', 'y'],
  dueDate: [null, '2027-01-01', '2027-02-01'],
  importance: ['low', 'normal', 'high'],
};
const task = (over: Fields): Fields => ({ subject: 'A', body: '', dueDate: null, status: 'notStarted', importance: 'normal', percentComplete: 0, ...over });

const edit = fc.record({ crm: fc.option(fc.nat(2), { nil: undefined }), ex: fc.option(fc.nat(2), { nil: undefined }), crmAt: fc.integer({ min: 1, max: 100 }) });
const scenario = fc.record({ subject: edit, body: edit, dueDate: edit, importance: edit, exAt: fc.integer({ min: 1, max: 100 }) });

describe('ACT plan: newest change per field', () => {
  it('takes each field from the side that changed it last', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const base = task({});
        const crm: Fields = { ...base };
        const ex: Fields = { ...base };
        const crmTimes: Record<string, number> = {};
        for (const f of FIELDS) {
          const e = s[f];
          if (e.crm !== undefined) crm[f] = choices[f][e.crm];
          if (e.ex !== undefined) ex[f] = choices[f][e.ex];
          crmTimes[f] = e.crmAt;
        }
        const modifiedAt = Math.max(...Object.values(crmTimes));
        const action = plan({
          kind: 'task',
          base: { crm: base, exchange: base },
          crm: { fields: crm, modifiedAt, fieldModifiedAt: crmTimes, inFilter: true, ownedByUser: true },
          exchange: { fields: ex, modifiedAt: s.exAt, tracked: false },
          policy: defaultActPolicy(),
          isOrganizer: true,
        });
        const result: Fields = { ...crm };
        const resultEx: Fields = { ...ex };
        if (action.type === 'copy') {
          for (const f of action.toCrm) result[f] = action.values[f];
          for (const f of action.toExchange) resultEx[f] = action.values[f];
        } else assert.equal(action.type, 'nothing');
        for (const f of FIELDS) {
          assert.ok(sameValue(result[f], resultEx[f]), `${f} agrees`);
          const cChanged = !sameValue(crm[f], base[f]);
          const eChanged = !sameValue(ex[f], base[f]);
          const expected = cChanged && eChanged ? (crmTimes[f]! >= s.exAt ? crm[f] : ex[f]) : cChanged ? crm[f] : ex[f];
          assert.ok(sameValue(result[f], expected), `${f}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(result[f])}`);
        }
      }),
      { numRuns: 2000, seed: 20261122 },
    );
  });

  it('trusts a field stamp only while the field holds the stamped value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.nat(2), fc.nat(2), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 51, max: 100 }), (f, v1, v2, at, later) => {
        const before = task({});
        const stamped = task({ [f]: choices[f][v1] });
        const stamps = stampChanges('task', before, stamped, at, {});
        if (!sameValue(before[f], stamped[f])) assert.deepEqual(stamps[f], { at, hash: valueHash(stamped[f]) });
        // Changed again without a stamp (another writer): the record's time counts for that field.
        const now = task({ [f]: choices[f][v2] });
        const times = fieldTimes('task', now, stamps, later);
        if (stamps[f] !== undefined && sameValue(now[f], stamped[f])) assert.equal(times[f], at);
        else assert.equal(times[f], later);
        for (const g of FIELDS) if (g !== f && stamps[g] === undefined) assert.equal(times[g], later);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
