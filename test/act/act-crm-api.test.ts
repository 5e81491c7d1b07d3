import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crmToFields, type Row } from '../../src/sync/act/crm-map.ts';
import { actDb } from '../../src/sync/act/act-tables.ts';
import { valueHash } from '../../src/sync/act/field-times.ts';
import { bearer, openApiHarness, type ApiHarness } from '../foundation/api-harness.ts';

const weekly = { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: '2027-03-01', numberOfOccurrences: 4 }, timeZone: 'Europe/Paris' };

describe('CRM API: what appointments and tasks synchronize with Exchange', () => {
  let h: ApiHarness;
  let userId = '';
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => h.api.inject({ method, url, headers: bearer(h.adminToken), ...(payload === undefined ? {} : { payload: payload as object }) });
  before(async () => {
    h = await openApiHarness();
    userId = (await call('POST', '/api/users', { fullName: 'Alex Wilber', emailAddress: 'alex@contoso.com' })).json().id;
  });
  after(() => h?.close());

  it('creates a recurring appointment with owner, details, time zone and exceptions, and the ACT sync reads the same', async () => {
    const exceptions = [
      { date: '2027-03-08', deleted: false, subject: 'Review (moved)', location: 'Room 9', start: '2027-03-08T10:00:00.000Z', end: '2027-03-08T11:00:00.000Z' },
      { date: '2027-03-15', deleted: true },
    ];
    const r = await call('POST', '/api/appointments', {
      subject: 'Review', body: 'Agenda: numbers', startAt: '2027-03-01T08:30:00.000Z', endAt: '2027-03-01T09:30:00.000Z',
      ownerUserId: userId, timeZone: 'Europe/Paris', showAs: 'tentative', reminderMinutes: 30, recurrence: weekly, exceptions,
    });
    assert.equal(r.statusCode, 201, r.body);
    const a = r.json();
    assert.equal(a.ownerUserId, userId);
    assert.equal(a.body, 'Agenda: numbers');
    assert.equal(a.timeZone, 'Europe/Paris');
    assert.equal(a.showAs, 'tentative');
    assert.equal(a.reminderMinutes, 30);
    assert.deepEqual(a.recurrence, weekly);
    assert.deepEqual(a.exceptions, exceptions);
    assert.deepEqual((await call('GET', `/api/appointments/${a.id}`)).json().exceptions, exceptions);

    const row = (await actDb(h.store.kysely).selectFrom('appointments').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow()) as unknown as Row;
    const fields = crmToFields('appointment', row);
    assert.equal(fields['timeZone'], 'Europe/Paris');
    assert.equal(fields['reminderMinutes'], 30);
    assert.deepEqual(fields['recurrence'], weekly);
    assert.deepEqual(fields['exceptions'], exceptions);
    assert.equal(row['owner_user_id'], userId);

    const renewed = await call('PATCH', `/api/appointments/${a.id}`, { recurrence: { ...weekly, range: { type: 'numbered', startDate: '2027-03-01', numberOfOccurrences: 6 } } });
    assert.equal(renewed.statusCode, 200, renewed.body);
    assert.deepEqual(renewed.json().exceptions, [], 'a new recurrence starts without exceptions');
    const single = await call('PATCH', `/api/appointments/${a.id}`, { recurrence: null, subject: 'Review once' });
    assert.equal(single.json().recurrence, null);
    assert.equal(single.json().timeZone, 'Europe/Paris', 'untouched fields stay');
  });

  it('refuses what Exchange could not hold, naming the field', async () => {
    const base = { subject: 'X', startAt: '2027-03-01T08:30:00.000Z', endAt: '2027-03-01T09:30:00.000Z' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ exceptions: [{ date: '2027-03-08', deleted: true }] }, 'exceptions'],
      [{ recurrence: { ...weekly, pattern: { type: 'weekly', interval: 1 } } }, 'recurrence.pattern.daysOfWeek'],
      [{ recurrence: { ...weekly, range: { type: 'endDate', startDate: '2027-03-01', endDate: '2027-02-01' } } }, 'recurrence.range.endDate'],
      [{ recurrence: weekly, exceptions: [{ date: '2027-03-08', deleted: false, start: '2027-03-08T11:00:00Z', end: '2027-03-08T10:00:00Z' }] }, 'exceptions'],
      [{ ownerUserId: '00000000-0000-4000-8000-000000000000' }, 'ownerUserId'],
    ];
    for (const [extra, field] of cases) {
      const r = await call('POST', '/api/appointments', { ...base, ...extra });
      assert.equal(r.statusCode, 400, `${field}: ${r.body}`);
      assert.ok(r.body.includes(field), `${field} named in ${r.body}`);
    }
    assert.equal((await call('POST', '/api/appointments', { ...base, showAs: 'away' })).statusCode, 400);
  });

  it('creates phone calls, letters and faxes as tasks with an owner, and changes the type', async () => {
    const r = await call('POST', '/api/tasks', { subject: 'Call Contoso back', activityType: 'phonecall', ownerUserId: userId });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().activityType, 'phonecall');
    assert.equal(r.json().ownerUserId, userId);
    const plain = (await call('POST', '/api/tasks', { subject: 'Plain task' })).json();
    assert.equal(plain.activityType, 'task');
    assert.equal(plain.ownerUserId, null);
    const changed = await call('PATCH', `/api/tasks/${r.json().id}`, { activityType: 'fax' });
    assert.equal(changed.json().activityType, 'fax');
    const listed = (await call('GET', '/api/tasks')).json() as Array<{ id: string; activityType: string }>;
    assert.equal(listed.find((t) => t.id === r.json().id)?.activityType, 'fax');
    assert.equal((await call('POST', '/api/tasks', { subject: 'Mail', activityType: 'email' })).statusCode, 400);
    const row = await actDb(h.store.kysely).selectFrom('tasks').select(['activity_type', 'owner_user_id']).where('id', '=', r.json().id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { activity_type: 'fax', owner_user_id: userId });
  });

  it('stamps when each synchronized field changed, so a conflict is settled per field', async () => {
    const t = (await call('POST', '/api/tasks', { subject: 'Send quote', body: 'v1', ownerUserId: userId })).json();
    const stampsOf = async () => {
      const row = await actDb(h.store.kysely).selectFrom('tasks').select(['details', 'updated_at']).where('id', '=', t.id).executeTakeFirstOrThrow();
      return { stamps: (row.details as Record<string, Record<string, { at: number; hash: string }>>)['fieldChanges']!, at: new Date(row.updated_at).getTime() };
    };
    const created = await stampsOf();
    assert.equal(created.stamps['subject']?.at, created.at);
    assert.equal(created.stamps['body']?.at, created.at);
    h.clock.advance(60_000);
    await call('PATCH', `/api/tasks/${t.id}`, { subject: 'Send the quote' });
    const changed = await stampsOf();
    assert.equal(changed.stamps['subject']?.at, changed.at, 'the changed field gets the new time');
    assert.ok(changed.at > created.at);
    assert.deepEqual(changed.stamps['body'], created.stamps['body'], 'an untouched field keeps its time');
    assert.equal(changed.stamps['subject']?.hash, valueHash('Send the quote'));
  });

  it('documents the new fields in OpenAPI', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    const appointment = doc.paths['/api/appointments/{id}'].get.responses['200'].content['application/json'].schema;
    for (const f of ['ownerUserId', 'timeZone', 'showAs', 'reminderMinutes', 'recurrence', 'exceptions', 'body']) assert.ok(JSON.stringify(appointment).includes(`"${f}"`), `appointment ${f}`);
    const task = doc.paths['/api/tasks'].post.requestBody.content['application/json'].schema;
    assert.ok(JSON.stringify(task).includes('"phonecall"'));
    assert.ok(JSON.stringify(task).includes('"ownerUserId"'));
  });
});
