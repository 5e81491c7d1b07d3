import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { OPTIONS } from '../../src/config/options.ts';
import { isAppError } from '../../src/errors.ts';
import { projectRoot } from '../support/env.ts';

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dovetail-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has defaults for a fresh clone: embedded store in ./data, key file beside it, port 8080', () => {
    const c = loadConfig({});
    assert.equal(c.dataDir, './data');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.secretKeyFile, './data/secret-key.json');
    assert.equal(c.firstTokenFile, './data/first-admin-token');
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.match(c.workerId, /-\d+$/);
  });

  it('reads the config file, with environment variables winning', () => {
    const file = join(dir, 'dovetail.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/var/lib/dovetail', port: 9000, workerPollMs: 500 }));
    const c = loadConfig({ DOVETAIL_CONFIG: file, DOVETAIL_PORT: '9100' });
    assert.equal(c.dataDir, '/var/lib/dovetail');
    assert.equal(c.secretKeyFile, '/var/lib/dovetail/secret-key.json');
    assert.equal(c.port, 9100);
    assert.equal(c.workerPollMs, 500);
  });

  it('rejects bad values naming the variable and the rule', () => {
    assert.throws(() => loadConfig({ DOVETAIL_PORT: 'eighty' }), (e) => isAppError(e, 'config_invalid') && e.message === 'DOVETAIL_PORT: must be an integer');
    assert.throws(() => loadConfig({ DOVETAIL_DATABASE_POOL_SIZE: '0' }), (e) => isAppError(e, 'config_invalid') && e.message === 'DOVETAIL_DATABASE_POOL_SIZE: must be between 1 and 200');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ secretKey: 'x' }));
    assert.throws(() => loadConfig({ DOVETAIL_CONFIG: file }), (e) => isAppError(e, 'config_invalid') && /unknown option secretKey/.test(e.message));
  });

  it('documents every option in docs/configuration.md', () => {
    const doc = readFileSync(join(projectRoot, 'docs', 'configuration.md'), 'utf8');
    for (const spec of Object.values(OPTIONS)) assert.ok(doc.includes(`\`${spec.env}\``), `${spec.env} is documented`);
  });
});
