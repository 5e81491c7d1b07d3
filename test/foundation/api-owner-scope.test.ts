/**
 * GET /api/me for each role, and a mailbox-owner token kept to its own mailbox on every route
 * that lists, reads or acts on mailboxes or what belongs to them (schedule, tracked folders,
 * failures, jobs, email); administrators and read-only tokens see every mailbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenRole } from '../../src/domain/api-token.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

describe('GET /api/me and mailbox owners kept to their own mailbox', () => {
  let h: ApiHarness;
  const tokens: Partial<Record<TokenRole, string>> = {};
  let ownerUser = '';
  let own = '';
  let foreign = '';
  const call = async (role: TokenRole, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    h.api.inject({ method, url, headers: bearer(tokens[role]!), ...(payload === undefined ? {} : { payload }) });
  const ok = async (role: TokenRole, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const r = await call(role, method, url, payload);
    assert.ok(r.statusCode >= 200 && r.statusCode < 300, `${method} ${url} as ${role}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const refused = async (role: TokenRole, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const r = await call(role, method, url, payload);
    assert.equal(r.statusCode, 403, `${method} ${url} as ${role}: ${r.body}`);
    assert.equal(r.json().code, 'forbidden');
  };

  before(async () => {
    h = await openApiHarness();
    tokens.administrator = h.adminToken;
    const owner = await ok('administrator', 'POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' });
    const other = await ok('administrator', 'POST', '/api/users', { fullName: 'Andrew Fuller', emailAddress: 'andrew@contoso.com' });
    await ok('administrator', 'POST', '/api/queues', { name: 'Support', emailAddress: 'support@contoso.com' });
    ownerUser = owner.id;
    own = owner.mailboxId;
    foreign = other.mailboxId;
    tokens['mailbox-owner'] = (await ok('administrator', 'POST', '/api/tokens', { name: 'nancy laptop', role: 'mailbox-owner', userId: owner.id })).token;
    tokens['read-only'] = (await ok('administrator', 'POST', '/api/tokens', { name: 'auditor', role: 'read-only' })).token;
  });
  after(() => h?.close());

  it('GET /api/me names the token, its role, and for a mailbox owner its user and mailbox', async () => {
    const admin = await ok('administrator', 'GET', '/api/me');
    assert.deepEqual({ ...admin, tokenId: typeof admin.tokenId }, { tokenId: 'string', name: 'first administrator', role: 'administrator', user: null, mailboxes: [] });
    const auditor = await ok('read-only', 'GET', '/api/me');
    assert.deepEqual([auditor.name, auditor.role, auditor.user, auditor.mailboxes], ['auditor', 'read-only', null, []]);
    const owner = await ok('mailbox-owner', 'GET', '/api/me');
    assert.deepEqual([owner.name, owner.role], ['nancy laptop', 'mailbox-owner']);
    assert.deepEqual(owner.user, { id: ownerUser, fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' });
    assert.deepEqual(owner.mailboxes, [{ id: own, emailAddress: 'nancy@contoso.com' }]);
    assert.equal((await h.api.inject({ method: 'GET', url: '/api/me' })).statusCode, 401);
  });

  it("keeps a mailbox owner to its own ACT safety valves and sync filters", async () => {
    const db = syncDb(h.store.kysely) as unknown as { insertInto: (t: string) => { values: (v: object) => { execute: () => Promise<unknown> } } };
    for (const mailboxId of [own, foreign]) {
      await db.insertInto('act_valves').values({ mailbox_id: mailboxId, kind: 'appointment', side: 'exchange', deletes: 40, linked: 50, tripped_at: new Date() }).execute();
    }
    for (const role of ['administrator', 'read-only'] as const) assert.equal((await ok(role, 'GET', '/api/act/valves')).length, 2, role);
    const mine = await ok('mailbox-owner', 'GET', '/api/act/valves');
    assert.deepEqual(mine.map((v: { mailboxId: string }) => v.mailboxId), [own]);
    await ok('mailbox-owner', 'GET', `/api/act/valves?mailboxId=${own}`);
    await refused('mailbox-owner', 'GET', `/api/act/valves?mailboxId=${foreign}`);
    await refused('mailbox-owner', 'GET', `/api/act/conflicts?mailboxId=${foreign}`);
    assert.deepEqual(await ok('mailbox-owner', 'GET', '/api/act/conflicts'), []);
    await ok('mailbox-owner', 'GET', `/api/users/${ownerUser}/act-filters`);
    const andrew = (await ok('administrator', 'GET', `/api/mailboxes/${foreign}`)).ownerId as string;
    await refused('mailbox-owner', 'GET', `/api/users/${andrew}/act-filters`);
    await ok('read-only', 'GET', `/api/users/${andrew}/act-filters`);
  });

  it('lists and reads only its own mailbox; other roles see all three', async () => {
    for (const role of ['administrator', 'read-only'] as const) {
      assert.equal((await ok(role, 'GET', '/api/mailboxes')).length, 3, role);
      await ok(role, 'GET', `/api/mailboxes/${foreign}`);
    }
    assert.deepEqual((await ok('mailbox-owner', 'GET', '/api/mailboxes')).map((m: { id: string }) => m.id), [own]);
    assert.deepEqual(await ok('mailbox-owner', 'GET', `/api/mailboxes?ownerId=${foreign}`), []);
    assert.deepEqual(await ok('mailbox-owner', 'GET', '/api/mailboxes?ownerType=queue'), []);
    assert.equal((await ok('mailbox-owner', 'GET', `/api/mailboxes/${own}`)).id, own);
    await refused('mailbox-owner', 'GET', `/api/mailboxes/${foreign}`);
    await refused('mailbox-owner', 'GET', `/api/mailboxes/${foreign}/schedule`);
    await refused('mailbox-owner', 'GET', `/api/mailboxes/${foreign}/tracked-folders`);
    await ok('mailbox-owner', 'GET', `/api/mailboxes/${own}/schedule`);
    await ok('mailbox-owner', 'GET', `/api/mailboxes/${own}/tracked-folders`);
  });

  it('acts only on its own mailbox', async () => {
    await ok('mailbox-owner', 'PATCH', `/api/mailboxes/${own}`, { actMethod: 'none' });
    await refused('mailbox-owner', 'PATCH', `/api/mailboxes/${foreign}`, { actMethod: 'none' });
    await refused('mailbox-owner', 'POST', `/api/mailboxes/${foreign}/tracked-folders`, { displayName: 'Customers' });
    const tested = await ok('mailbox-owner', 'POST', '/api/mailboxes/test-and-enable', { ids: [foreign, own] });
    assert.deepEqual(tested.map((r: { ok: boolean }) => r.ok), [false, true]);
    await refused('mailbox-owner', 'POST', '/api/emails', { mailboxId: foreign, to: [{ address: 'a@fabrikam.com' }], subject: 'x', body: 'x' });
  });

  it('sees only the email, failures and jobs of its own mailbox', async () => {
    const draft = (mailboxId: string) => ok('administrator', 'POST', '/api/emails', { mailboxId, to: [{ address: 'a@fabrikam.com' }], subject: `from ${mailboxId}`, body: 'x' });
    const mine = await draft(own);
    const theirs = await draft(foreign);
    assert.deepEqual((await ok('mailbox-owner', 'GET', '/api/emails')).map((e: { id: string }) => e.id), [mine.id]);
    assert.equal((await ok('administrator', 'GET', '/api/emails')).length, 2);
    await refused('mailbox-owner', 'GET', `/api/emails?mailboxId=${foreign}`);
    await refused('mailbox-owner', 'GET', `/api/emails/${theirs.id}`);
    assert.equal((await ok('mailbox-owner', 'GET', `/api/emails/${mine.id}`)).id, mine.id);

    const now = new Date(h.clock.now());
    const failure = (id: string, mailboxId: string) => ({
      id, mailbox_id: mailboxId, pipeline: 'incoming', exchange_item_id: null, email_id: null, message_id: null, error_code: 'item_failed',
      error_message: 'could not be tracked', provider_code: null, status: 'failed', first_failed_at: now, last_failed_at: now, resolved_at: null, keep_until: now,
    });
    await syncDb(h.store.kysely).insertInto('sync_item_failures').values([failure('9a0c1c35-0d7f-4d2b-9d53-7b1f3f1c0001', own), failure('9a0c1c35-0d7f-4d2b-9d53-7b1f3f1c0002', foreign)]).execute();
    assert.deepEqual((await ok('mailbox-owner', 'GET', '/api/sync/failures')).map((f: { mailboxId: string }) => f.mailboxId), [own]);
    assert.equal((await ok('read-only', 'GET', '/api/sync/failures')).length, 2);
    await refused('mailbox-owner', 'GET', `/api/sync/failures?mailboxId=${foreign}`);

    const both = await ok('administrator', 'POST', '/api/sync/jobs', { kind: 'test-and-enable', mailboxIds: [own, foreign] });
    const other = await ok('administrator', 'POST', '/api/sync/jobs', { kind: 'test-and-enable', mailboxIds: [foreign] });
    const listed = await ok('mailbox-owner', 'GET', '/api/sync/jobs');
    assert.deepEqual(listed.map((j: { id: string }) => j.id), [both.id]);
    assert.equal((await ok('read-only', 'GET', '/api/sync/jobs')).length, 2);
    const shown = await ok('mailbox-owner', 'GET', `/api/sync/jobs/${both.id}`);
    assert.deepEqual(shown.items.map((i: { mailboxId: string }) => i.mailboxId), [own]);
    await refused('mailbox-owner', 'GET', `/api/sync/jobs/${other.id}`);
    assert.equal((await ok('administrator', 'GET', `/api/sync/jobs/${both.id}`)).items.length, 2);
  });
});
