import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresSkip } from '../support/env.ts';
import { openApiHarness, bearer, type ApiHarness } from './api-harness.ts';
import { childEnv, runCliInProcess } from './cli-process.ts';

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`a mailbox's own "process email from" through the API on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let h: ApiHarness;
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      h.api.inject({ method, url, headers: bearer(h.adminToken), ...(payload === undefined ? {} : { payload }) });
    before(async () => {
      h = await openApiHarness(engine);
    });
    after(() => h?.close());

    it('starts empty, is set, survives a read, is cleared, and refuses what is not a date-time', async () => {
      const user = (await call('POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' })).json();
      const url = `/api/mailboxes/${user.mailboxId}`;
      assert.equal((await call('GET', url)).json().processEmailFrom, null);

      const set = await call('PATCH', url, { processEmailFrom: '2026-03-01T08:00:00+01:00' });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().processEmailFrom, '2026-03-01T07:00:00.000Z');
      assert.equal((await call('GET', url)).json().processEmailFrom, '2026-03-01T07:00:00.000Z');

      const bad = await call('PATCH', url, { processEmailFrom: 'last Tuesday' });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().code, 'validation_failed');
      assert.ok(bad.json().message.includes('processEmailFrom: must be an ISO 8601 date-time'), bad.json().message);

      const cleared = await call('PATCH', url, { processEmailFrom: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().processEmailFrom, null);
    });

    it('is documented in the OpenAPI schema of a mailbox and of a mailbox change', async () => {
      const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
      const json = JSON.stringify(doc);
      const patch = doc.paths['/api/mailboxes/{id}'].patch.requestBody.content['application/json'].schema;
      assert.ok('processEmailFrom' in patch.properties, JSON.stringify(patch).slice(0, 400));
      assert.ok(json.includes("incoming uses the later of this and the profile's"));
    });
  });
}

describe('dovetail mailbox update --process-email-from', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-pef-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sets the date, clears it with none, and refuses a non-date with the field named', async () => {
    const user = await runCliInProcess(['user', 'create', '--json', '--data', JSON.stringify({ fullName: 'Pat Lee', emailAddress: 'pat@contoso.com' })], env);
    assert.equal(user.code, 0, user.stderr);
    const { mailboxId } = JSON.parse(user.stdout);
    const set = await runCliInProcess(['mailbox', 'update', mailboxId, '--process-email-from', '2026-04-01T00:00:00Z', '--json'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).processEmailFrom, '2026-04-01T00:00:00.000Z');
    const bad = await runCliInProcess(['mailbox', 'update', mailboxId, '--process-email-from', 'soon'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: processEmailFrom: must be an ISO 8601 date-time\n');
    const cleared = await runCliInProcess(['mailbox', 'update', mailboxId, '--process-email-from', 'none', '--json'], env);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(JSON.parse(cleared.stdout).processEmailFrom, null);
  });
});
