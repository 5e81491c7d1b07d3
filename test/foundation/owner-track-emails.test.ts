/**
 * Which email a user's or queue's mailbox tracks (trackEmails on /api/users and /api/queues):
 * created, shown, listed, changed, put back to the org's setting with null, left alone when
 * absent, audited, refused with the same field, rule and message as the org setting when it is
 * not a choice, administrators only; and stored in the words the sync engine reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OWNER_TRACK_EMAIL_OPTIONS, OWNER_TRACKING_RULE, validateQueue, validateUser } from '../../src/domain/party.ts';
import { TRACK_EMAIL_OPTIONS } from '../../src/domain/settings.ts';
import { trackingRules } from '../../src/crm/tracking-rules.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

describe('trackEmails of users and queues', () => {
  let h: ApiHarness;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, token?: string) =>
    h.api.inject({ method, url, headers: bearer(token ?? h.adminToken), ...(payload === undefined ? {} : { payload }) });
  const column = async (table: 'users' | 'queues', id: string) =>
    (await syncDb(h.store.kysely).selectFrom(table).select('track_emails').where('id', '=', id).executeTakeFirstOrThrow()).track_emails;
  before(async () => {
    h = await openApiHarness();
  });
  after(() => h?.close());

  it("offers the org setting's choices and none, each stored as a tracking rule the engine knows", () => {
    assert.deepEqual([...OWNER_TRACK_EMAIL_OPTIONS], [...TRACK_EMAIL_OPTIONS, 'none']);
    for (const option of OWNER_TRACK_EMAIL_OPTIONS) assert.ok(trackingRules.includes(OWNER_TRACKING_RULE[option] as never), option);
    assert.equal(new Set(Object.values(OWNER_TRACKING_RULE)).size, OWNER_TRACK_EMAIL_OPTIONS.length, 'no two choices share a rule');
  });

  it('a user follows the org until given a choice, keeps it when the patch leaves it out, and follows the org again after null', async () => {
    const created = await call('POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.equal(created.json().trackEmails, null);
    assert.equal(await column('users', id), null);

    const set = await call('PATCH', `/api/users/${id}`, { trackEmails: 'from-crm-parties' });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().trackEmails, 'from-crm-parties');
    assert.equal(await column('users', id), 'crm-records', 'stored in the words mailbox-context reads');
    assert.equal((await call('GET', `/api/users/${id}`)).json().trackEmails, 'from-crm-parties');
    assert.equal((await call('GET', '/api/users')).json().find((u: { id: string }) => u.id === id).trackEmails, 'from-crm-parties');

    const renamed = await call('PATCH', `/api/users/${id}`, { fullName: 'Nancy D.' });
    assert.equal(renamed.json().trackEmails, 'from-crm-parties', 'absent leaves it as it was');

    const none = await call('PATCH', `/api/users/${id}`, { trackEmails: 'none' });
    assert.equal(none.json().trackEmails, 'none');
    assert.equal(await column('users', id), 'none');

    const back = await call('PATCH', `/api/users/${id}`, { trackEmails: null });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().trackEmails, null);
    assert.equal(await column('users', id), null);

    const audit = (await call('GET', `/api/audit?entityType=user&entityId=${id}`)).json() as Array<{ action: string; changes: Record<string, unknown> }>;
    // The test clock stands still, so the entries share one time: compare what was recorded, not its order.
    const recorded = audit.filter((e) => e.action === 'user.update' && 'trackEmails' in e.changes).map((e) => JSON.stringify(e.changes['trackEmails'])).sort();
    assert.deepEqual(recorded, ['"from-crm-parties"', '"none"', 'null']);
  });

  it('a queue is created with a choice and changed like a user', async () => {
    const created = await call('POST', '/api/queues', { name: 'Support', emailAddress: 'support@contoso.com', trackEmails: 'all' });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    assert.equal(created.json().trackEmails, 'all');
    assert.ok(created.json().mailboxId, 'its mailbox is created as before');
    assert.equal(await column('queues', id), 'all');
    const changed = await call('PATCH', `/api/queues/${id}`, { trackEmails: 'from-email-enabled-records' });
    assert.equal(changed.json().trackEmails, 'from-email-enabled-records');
    assert.equal(await column('queues', id), 'email-enabled-records');
    assert.equal((await call('GET', `/api/queues/${id}`)).json().trackEmails, 'from-email-enabled-records');
    const audit = (await call('GET', `/api/audit?entityType=queue&entityId=${id}`)).json() as Array<{ action: string; changes: Record<string, unknown> }>;
    assert.deepEqual(audit.map((e) => `${e.action} ${String(e.changes['trackEmails'])}`).sort(), ['queue.create all', 'queue.update from-email-enabled-records']);
  });

  it('refuses a value that is not a choice as the org setting does: same field, rule and message, nothing changed', async () => {
    const org = await call('PATCH', '/api/settings/email', { trackEmails: 'everything' });
    assert.equal(org.statusCode, 400, org.body);
    const orgIssue = org.json().details.issues[0];
    assert.equal(orgIssue.field, 'trackEmails');

    const user = (await call('POST', '/api/users', { fullName: 'Andrew Fuller', emailAddress: 'andrew@contoso.com' })).json();
    for (const [method, url, body] of [
      ['PATCH', `/api/users/${user.id}`, { trackEmails: 'everything' }],
      ['POST', '/api/users', { fullName: 'Janet', emailAddress: 'janet@contoso.com', trackEmails: 'responses' }],
      ['POST', '/api/queues', { name: 'Sales', emailAddress: 'sales@contoso.com', trackEmails: 'All' }],
      ['PATCH', `/api/users/${user.id}`, { trackEmails: 3 }],
    ] as const) {
      const r = await call(method, url, body);
      assert.equal(r.statusCode, 400, `${method} ${url}: ${r.body}`);
      assert.equal(r.json().code, org.json().code);
      assert.deepEqual(r.json().details.issues, [orgIssue], `${method} ${url} ${JSON.stringify(body)}`);
    }
    assert.equal((await call('GET', `/api/users/${user.id}`)).json().trackEmails, null);
    assert.equal((await call('GET', '/api/users')).json().some((u: { emailAddress: string }) => u.emailAddress === 'janet@contoso.com'), false);
  });

  it('the domain names the choices, as for the org setting, for callers without the schema (the CLI)', () => {
    const issues = (e: ReturnType<typeof validateUser>) => e?.details['issues'];
    assert.deepEqual(issues(validateUser({ fullName: 'A', emailAddress: 'a@contoso.com', trackEmails: 'everything' as never })), [
      { field: 'trackEmails', rule: 'one-of', message: `must be one of ${[...TRACK_EMAIL_OPTIONS, 'none'].join(', ')}` },
    ]);
    assert.equal(validateQueue({ name: 'Q', emailAddress: 'q@contoso.com', trackEmails: null }), undefined);
    assert.equal(validateQueue({ name: 'Q', emailAddress: 'q@contoso.com' }), undefined);
  });

  it('only administrators change it; every role reads it', async () => {
    const user = (await call('GET', '/api/users')).json()[0];
    const { token: ownerToken } = (await call('POST', '/api/tokens', { name: 'owner', role: 'mailbox-owner', userId: user.id })).json();
    const { token: readerToken } = (await call('POST', '/api/tokens', { name: 'reader', role: 'read-only' })).json();
    for (const token of [ownerToken, readerToken]) {
      const r = await call('PATCH', `/api/users/${user.id}`, { trackEmails: 'all' }, token);
      assert.equal(r.statusCode, 403, r.body);
      assert.ok('trackEmails' in (await call('GET', `/api/users/${user.id}`, undefined, token)).json());
    }
    assert.equal((await call('GET', `/api/users/${user.id}`)).json().trackEmails, user.trackEmails);
  });

  it('documents the field in OpenAPI', async () => {
    const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/api/users/{id}', '/api/queues/{id}']) {
      const patch = doc.paths[path].patch.requestBody.content['application/json'].schema;
      assert.ok('trackEmails' in patch.properties, path);
    }
  });
});
