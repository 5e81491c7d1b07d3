/**
 * Scale-out on PostgreSQL with real processes: an API process and a worker process start at the
 * same moment against one fresh database; both come up, the migrations run once, exactly one
 * first administrator token is made, and a profile written through the API is there for a
 * restarted process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { childEnv, runDovetail, startDovetailProcess } from './cli-process.ts';

describe('dovetail processes on PostgreSQL', { skip: postgresSkip() }, () => {
  let pgdb: TestDatabase;
  let dir: string;
  before(async () => {
    pgdb = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'dovetail-pg-cli-'));
  });
  after(async () => {
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts an API and a worker together, shares one store, and keeps data across restarts', async () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const envFor = (name: string) =>
      childEnv({ DATABASE_URL: pgdb.url, DOVETAIL_SECRET_KEY: key, DOVETAIL_DATA_DIR: join(dir, name), DOVETAIL_PORT: '0', DOVETAIL_WORKER_ID: name, DOVETAIL_WORKER_POLL_MS: '200' });
    const [api, worker] = await Promise.all([
      startDovetailProcess(['serve'], envFor('api')),
      startDovetailProcess(['worker'], envFor('worker'), /worker (\S+) running.*\n/),
    ]);
    let token = '';
    let profileId = '';
    try {
      const announced = [api, worker].filter((p) => /reveal-first/.test(p.output().stderr));
      assert.equal(announced.length, 1, 'one first administrator token');
      const owner = announced[0] === api ? 'api' : 'worker';
      const reveal = await runDovetail(['token', 'reveal-first'], envFor(owner));
      assert.equal(reveal.code, 0, reveal.stderr);
      token = reveal.stdout.trim();
      const r = await fetch(`${api.address}/api/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Shared', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'svc', password: 'pg-secret-value' } }),
      });
      assert.equal(r.status, 201, await r.clone().text());
      profileId = ((await r.json()) as { id: string }).id;
      const client = new pg.Client({ connectionString: pgdb.url });
      await client.connect();
      try {
        const migrations = await client.query('select count(*)::int as n from dovetail_migration');
        assert.ok(migrations.rows[0].n >= 1);
        const tokens = await client.query("select count(*)::int as n from api_tokens where role = 'administrator'");
        assert.equal(tokens.rows[0].n, 1);
        const sealed = await client.query('select password_sealed from email_server_profiles');
        assert.equal(String(sealed.rows[0].password_sealed).includes('pg-secret-value'), false);
      } finally {
        await client.end();
      }
    } finally {
      assert.deepEqual(await Promise.all([api.stop(), worker.stop()]), [0, 0]);
    }
    const again = await startDovetailProcess(['start'], envFor('again'));
    try {
      const r = await fetch(`${again.address}/api/profiles/${profileId}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { name: string }).name, 'Shared');
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
