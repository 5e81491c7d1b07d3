import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { postgresSkip } from '../support/env.ts';
import { openApiHarness, bearer, type ApiHarness } from './api-harness.ts';
import { childEnv, runCliInProcess } from './cli-process.ts';

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`org email settings for alerts, duplicate addresses and attachment size on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let h: ApiHarness;
    const call = (method: 'GET' | 'PATCH', payload?: object) =>
      h.api.inject({ method, url: '/api/settings/email', headers: bearer(h.adminToken), ...(payload === undefined ? {} : { payload }) });
    before(async () => {
      h = await openApiHarness(engine);
    });
    after(() => h?.close());

    it('starts with the defaults, takes each value, and refuses what is out of range naming the field', async () => {
      const s = (await call('GET')).json();
      assert.deepEqual(
        { a: s.alertMailboxOwners, s: s.senderDuplicateRule, r: s.recipientDuplicateRule, k: s.maxAttachmentSizeKb },
        { a: true, s: 'oldest', r: 'all', k: 5120 },
      );
      const changed = await call('PATCH', { alertMailboxOwners: false, senderDuplicateRule: 'newest', recipientDuplicateRule: 'unresolved', maxAttachmentSizeKb: 131_072 });
      assert.equal(changed.statusCode, 200, changed.body);
      const again = (await call('GET')).json();
      assert.deepEqual(
        { a: again.alertMailboxOwners, s: again.senderDuplicateRule, r: again.recipientDuplicateRule, k: again.maxAttachmentSizeKb },
        { a: false, s: 'newest', r: 'unresolved', k: 131_072 },
      );
      const tooBig = await call('PATCH', { maxAttachmentSizeKb: 131_073 });
      assert.equal(tooBig.statusCode, 400, tooBig.body);
      assert.ok(tooBig.json().message.includes('maxAttachmentSizeKb: must be between 1 and 131072'), tooBig.body);
      const badRule = await call('PATCH', { senderDuplicateRule: 'first' });
      assert.equal(badRule.statusCode, 400, badRule.body);
      assert.equal((await call('GET')).json().maxAttachmentSizeKb, 131_072, 'a refused change leaves the settings alone');
    });

    it('settings saved before these fields existed read with their defaults', async () => {
      await sql`update org_email_settings set settings = settings - 'alertMailboxOwners' - 'senderDuplicateRule' - 'recipientDuplicateRule' - 'maxAttachmentSizeKb'`.execute(h.store.kysely);
      const s = await h.store.settings.get();
      assert.deepEqual([s.alertMailboxOwners, s.senderDuplicateRule, s.recipientDuplicateRule, s.maxAttachmentSizeKb], [true, 'oldest', 'all', 5120]);
    });

    it('documents the fields in OpenAPI', async () => {
      const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
      const patch = doc.paths['/api/settings/email'].patch.requestBody.content['application/json'].schema;
      for (const f of ['alertMailboxOwners', 'senderDuplicateRule', 'recipientDuplicateRule', 'maxAttachmentSizeKb']) assert.ok(f in patch.properties, f);
    });
  });
}

describe('dovetail settings update for the new fields', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-settings-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sets them with --set and refuses an out-of-range size with the field named', async () => {
    const ok = await runCliInProcess(['settings', 'update', '--set', 'maxAttachmentSizeKb=1024', '--set', 'recipientDuplicateRule=unresolved', '--set', 'alertMailboxOwners=false', '--json'], env);
    assert.equal(ok.code, 0, ok.stderr);
    const s = JSON.parse(ok.stdout);
    assert.deepEqual([s.maxAttachmentSizeKb, s.recipientDuplicateRule, s.alertMailboxOwners], [1024, 'unresolved', false]);
    const bad = await runCliInProcess(['settings', 'update', '--set', 'maxAttachmentSizeKb=0'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: maxAttachmentSizeKb: must be between 1 and 131072\n');
  });
});
