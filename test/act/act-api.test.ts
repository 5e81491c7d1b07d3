import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, openApiHarness, type ApiHarness } from '../foundation/api-harness.ts';

describe('ACT through the REST API', () => {
  let h: ApiHarness;
  let userId = '';
  let mailboxId = '';
  let readOnly = '';
  before(async () => {
    h = await openApiHarness();
    const r = await h.api.inject({ method: 'POST', url: '/api/users', headers: bearer(h.adminToken), payload: { fullName: 'Alex', emailAddress: 'alex@contoso.com' } });
    ({ id: userId, mailboxId } = r.json());
    readOnly = (await h.api.inject({ method: 'POST', url: '/api/tokens', headers: bearer(h.adminToken), payload: { name: 'auditor', role: 'read-only' } })).json().token;
  });
  after(() => h?.close());

  it('reads and changes the org policy; only an administrator may change it, and a bad value is refused', async () => {
    const got = await h.api.inject({ method: 'GET', url: '/api/act/policy', headers: bearer(readOnly) });
    assert.equal(got.json().conflict, 'newest');
    const changed = await h.api.inject({ method: 'PATCH', url: '/api/act/policy', headers: bearer(h.adminToken), payload: { conflict: 'flag', contactAddresses: 'all', directions: { task: { subject: 'crm-to-exchange' } } } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json().directions, { task: { subject: 'crm-to-exchange' } });
    assert.equal((await h.api.inject({ method: 'PATCH', url: '/api/act/policy', headers: bearer(readOnly), payload: { conflict: 'newest' } })).statusCode, 403);
    assert.equal((await h.api.inject({ method: 'PATCH', url: '/api/act/policy', headers: bearer(h.adminToken), payload: { directions: { task: { colour: 'two-way' } } } })).statusCode, 400);
  });

  it("edits a user's filters", async () => {
    const r = await h.api.inject({ method: 'PATCH', url: `/api/users/${userId}/act-filters`, headers: bearer(h.adminToken), payload: { task: { activityTypes: ['phonecall'] }, appointment: { scope: 'me-or-party' } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().task.activityTypes, ['phonecall']);
    assert.equal((await h.api.inject({ method: 'GET', url: `/api/users/${userId}/act-filters`, headers: bearer(readOnly) })).json().appointment.scope, 'me-or-party');
  });

  it('confirms a tripped valve only where one is tripped, and asks for a run now', async () => {
    assert.deepEqual((await h.api.inject({ method: 'GET', url: '/api/act/valves', headers: bearer(h.adminToken) })).json(), []);
    assert.equal((await h.api.inject({ method: 'POST', url: `/api/mailboxes/${mailboxId}/act/valves/task/confirm`, headers: bearer(h.adminToken) })).statusCode, 404);
    assert.equal((await h.api.inject({ method: 'POST', url: `/api/mailboxes/${mailboxId}/act/sync`, headers: bearer(h.adminToken) })).statusCode, 204);
  });
});
