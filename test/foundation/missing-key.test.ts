/**
 * A process started without the installation's sealing key stops at start with a clear error,
 * instead of minting a key of its own that the rest of the installation cannot read: a lost key
 * file (PGlite) and a second machine on the same PostgreSQL without DOVETAIL_SECRET_KEY.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { childEnv, runCliInProcess } from './cli-process.ts';

const PASSWORD = 'Pw-missing-key-0b7e';
const profileJson = JSON.stringify({ name: 'On-premises', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc', password: PASSWORD } });

describe('a process without the key the stored secrets were sealed with', () => {
  let dir: string;
  let pg: TestDatabase | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-missing-key-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  });

  it('refuses to start when the key file is lost, and does not leave a new key behind', async () => {
    const keyFile = join(dir, 'data', 'secret-key.json');
    const env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
    const created = await runCliInProcess(['profile', 'create', '--data', profileJson, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.ok(existsSync(keyFile));

    rmSync(keyFile);
    const listed = await runCliInProcess(['profile', 'list', '--json'], env);
    assert.equal(listed.code, 1);
    assert.match(listed.stderr, /The database holds secrets sealed with key [0-9a-f]{16}, which the key file .*secret-key\.json \(created just now, and removed again\) does not hold/);
    assert.ok(!listed.stderr.includes(PASSWORD));
    assert.equal(existsSync(keyFile), false, 'no stray key was left for the next start to pick up');
  });

  it('refuses a second machine on the same PostgreSQL that has another key', { skip: postgresSkip() }, async () => {
    pg = await createTestDatabase('dovetail_missing_key');
    const first = childEnv({ DATABASE_URL: pg.url, DOVETAIL_SECRET_KEY: randomBytes(32).toString('hex'), DOVETAIL_DATA_DIR: join(dir, 'm1') });
    assert.equal((await runCliInProcess(['profile', 'create', '--data', profileJson, '--json'], first)).code, 0);
    // The second machine has no DOVETAIL_SECRET_KEY: it would have created its own key file.
    const second = childEnv({ DATABASE_URL: pg.url, DOVETAIL_DATA_DIR: join(dir, 'm2') });
    const run = await runCliInProcess(['profile', 'list', '--json'], second);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /sealed with key [0-9a-f]{16}, which the key file .*m2\/secret-key\.json \(created just now, and removed again\) does not hold/);
    assert.equal(existsSync(join(dir, 'm2', 'secret-key.json')), false);
    // With the right key it works.
    const third = childEnv({ DATABASE_URL: pg.url, DOVETAIL_SECRET_KEY: first['DOVETAIL_SECRET_KEY']!, DOVETAIL_DATA_DIR: join(dir, 'm3') });
    const ok = await runCliInProcess(['profile', 'list', '--json'], third);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).length, 1);
  });
});
