import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultActPolicy, effectiveDirections, type Fields } from './fields.ts';
import { plan, type PlanInput } from './plan.ts';
import { checkValve } from './valve.ts';

const task = (subject: string, extra: Fields = {}): Fields => ({ subject, body: '', dueDate: null, status: 'notStarted', importance: 'normal', percentComplete: 0, ...extra });
const input = (over: Partial<PlanInput>): PlanInput => ({
  kind: 'task',
  base: { crm: task('A'), exchange: task('A') },
  crm: { fields: task('A'), modifiedAt: 1, inFilter: true, ownedByUser: true },
  exchange: { fields: task('A'), modifiedAt: 1, tracked: false },
  policy: defaultActPolicy(),
  isOrganizer: true,
  ...over,
});

describe('ACT plan', () => {
  it('copies a one-sided edit, per field, both ways at once', () => {
    const a = plan(input({ crm: { fields: task('B'), modifiedAt: 2, inFilter: true, ownedByUser: true }, exchange: { fields: task('A', { importance: 'high' }), modifiedAt: 3, tracked: false } }));
    assert.deepEqual(a, { type: 'copy', toCrm: ['importance'], toExchange: ['subject'], values: { subject: 'B', importance: 'high' }, sendInvitations: false });
  });

  it('settles a field both sides changed by the newest change, or flags it', () => {
    const both = { crm: { fields: task('C'), modifiedAt: 5, inFilter: true, ownedByUser: true }, exchange: { fields: task('E'), modifiedAt: 9, tracked: false } };
    assert.deepEqual(plan(input(both)), { type: 'copy', toCrm: ['subject'], toExchange: [], values: { subject: 'E' }, sendInvitations: false });
    assert.deepEqual(plan(input({ ...both, policy: { ...defaultActPolicy(), conflict: 'crm-wins' } })), { type: 'copy', toCrm: [], toExchange: ['subject'], values: { subject: 'C' }, sendInvitations: false });
    assert.deepEqual(plan(input({ ...both, policy: { ...defaultActPolicy(), conflict: 'flag' } })), { type: 'conflict', fields: ['subject'] });
    assert.equal(plan(input({ ...both, policy: { ...defaultActPolicy(), conflict: 'flag' }, resolveWith: 'crm' })).type, 'copy');
  });

  it('settles "newest change" per field: a field the CRM changed before Exchange changed the item goes to Exchange', () => {
    // CRM: subject at 1, location at 3; Exchange changed both, the item last at 2.
    const a = plan(input({
      crm: { fields: task('C', { body: 'crm' }), modifiedAt: 3, fieldModifiedAt: { subject: 1, body: 3 }, inFilter: true, ownedByUser: true },
      exchange: { fields: task('E', { body: 'ex' }), modifiedAt: 2, tracked: false },
    }));
    assert.deepEqual(a, { type: 'copy', toCrm: ['subject'], toExchange: ['body'], values: { subject: 'E', body: 'crm' }, sendInvitations: false });
  });

  it('lets an edit beat a delete, and deletes an unchanged counterpart', () => {
    const edited = { fields: task('B'), modifiedAt: 2, inFilter: true, ownedByUser: true };
    assert.equal(plan(input({ crm: edited, exchange: null })).type, 'create-exchange');
    assert.equal(plan(input({ exchange: null })).type, 'delete-crm');
    assert.equal(plan(input({ crm: null, exchange: { fields: task('X'), modifiedAt: 3, tracked: false } })).type, 'create-crm');
    assert.equal(plan(input({ crm: null })).type, 'delete-exchange');
  });

  it('removes a CRM contact deleted in Exchange only when the user owns it', () => {
    const base = { crm: { givenName: 'Ada' }, exchange: { givenName: 'Ada' } };
    const crm = { fields: { givenName: 'Ada' }, modifiedAt: 1, inFilter: true, ownedByUser: false };
    assert.equal(plan(input({ kind: 'contact', base, crm, exchange: null })).type, 'unlink');
    assert.equal(plan(input({ kind: 'contact', base, crm: { ...crm, ownedByUser: true }, exchange: null })).type, 'delete-crm');
  });

  it('unlinks a record that left the filter instead of deleting the meeting', () => {
    const a = plan(input({ kind: 'appointment', crm: { fields: task('A'), modifiedAt: 1, inFilter: false, ownedByUser: true } }));
    assert.equal(a.type, 'unlink');
  });

  it('never deletes on a side no field flows into', () => {
    const readOnlyCrm = { ...defaultActPolicy(), directions: { task: Object.fromEntries(Object.keys(effectiveDirections('task', defaultActPolicy())).map((f) => [f, 'crm-to-exchange' as const])) } };
    assert.notEqual(plan(input({ exchange: null, policy: readOnlyCrm })).type, 'delete-crm');
    assert.equal(plan(input({ crm: null, exchange: { fields: task('A'), modifiedAt: 1, tracked: true }, base: null, policy: readOnlyCrm })).type, 'nothing');
  });

  it('sends meeting updates only as organizer and only for what attendees care about', () => {
    const base = { crm: { subject: 'M', body: 'x', requiredAttendees: ['a@x.test'] }, exchange: { subject: 'M', body: 'x', requiredAttendees: ['a@x.test'] } };
    const ex = { fields: base.exchange, modifiedAt: 1, tracked: false };
    const moved = { fields: { ...base.crm, subject: 'M2' }, modifiedAt: 2, inFilter: true, ownedByUser: true };
    const noted = { fields: { ...base.crm, body: 'y' }, modifiedAt: 2, inFilter: true, ownedByUser: true };
    const send = (crm: typeof moved, isOrganizer: boolean) => {
      const a = plan(input({ kind: 'appointment', base, crm, exchange: ex, isOrganizer }));
      return a.type === 'copy' && a.sendInvitations;
    };
    assert.equal(send(moved, true), true);
    assert.equal(send(moved, false), false);
    assert.equal(send(noted, true), false);
  });

  it('keeps both addresses when only the mailing address syncs, and fills an empty side when all three do', () => {
    const addr = { city: 'Leeds' };
    const base = { crm: { homeAddress: null }, exchange: { homeAddress: null } };
    const crm = { fields: { homeAddress: addr }, modifiedAt: 1, inFilter: true, ownedByUser: true };
    const exchange = { fields: { homeAddress: null }, modifiedAt: 1, tracked: false };
    assert.equal(plan(input({ kind: 'contact', base, crm, exchange })).type, 'nothing');
    const all = plan(input({ kind: 'contact', base: { crm: { homeAddress: addr }, exchange: { homeAddress: null } }, crm, exchange, policy: { ...defaultActPolicy(), contactAddresses: 'all' } }));
    assert.deepEqual(all.type === 'copy' ? all.toExchange : [], ['homeAddress']);
  });

  it('trips the valve on a mass delete until confirmed', () => {
    const limits = { minItems: 5, fraction: 0.5 };
    assert.deepEqual(checkValve({ linked: 10, deletesInExchange: 0, deletesInCrm: 8 }, limits, false), { ok: false, side: 'exchange', deletes: 8, linked: 10 });
    assert.deepEqual(checkValve({ linked: 10, deletesInExchange: 0, deletesInCrm: 8 }, limits, true), { ok: true });
    assert.deepEqual(checkValve({ linked: 10, deletesInExchange: 2, deletesInCrm: 0 }, limits, false), { ok: true });
    assert.deepEqual(checkValve({ linked: 3, deletesInExchange: 3, deletesInCrm: 0 }, limits, false), { ok: true });
  });
});
