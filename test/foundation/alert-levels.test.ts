/**
 * The org's alertLevels: set and validated through the API and the CLI, and applied where the
 * engine records alerts — a level the org turned off reaches no wall, while the mailbox still
 * keeps its last error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../../src/errors.ts';
import { updateOrgEmailSettings } from '../../src/use-cases/settings.ts';
import { openHarness, type Harness } from '../sync/engine-harness.ts';
import { createProfile, createReadyMailbox } from '../sync/fixtures.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';
import { childEnv, runCliInProcess } from './cli-process.ts';

describe('alertLevels in the API', () => {
  let h: ApiHarness;
  const call = (method: 'GET' | 'PATCH', payload?: object, token?: string) =>
    h.api.inject({ method, url: '/api/settings/email', headers: bearer(token ?? h.adminToken), ...(payload === undefined ? {} : { payload }) });
  before(async () => {
    h = await openApiHarness();
  });
  after(() => h?.close());

  it('records every level by default and takes any subset, empty included', async () => {
    assert.deepEqual((await call('GET')).json().alertLevels, ['error', 'warning', 'information']);
    for (const levels of [['error'], ['warning', 'information'], []]) {
      const r = await call('PATCH', { alertLevels: levels });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().alertLevels, levels);
      assert.deepEqual((await h.store.settings.get()).alertLevels, levels);
    }
  });

  it('refuses an unknown or repeated level and leaves the settings alone', async () => {
    await call('PATCH', { alertLevels: ['error'] });
    const unknown = await call('PATCH', { alertLevels: ['error', 'critical'] });
    assert.equal(unknown.statusCode, 400, unknown.body);
    const twice = await call('PATCH', { alertLevels: ['warning', 'warning'] });
    assert.equal(twice.statusCode, 400, twice.body);
    assert.ok(twice.json().message.includes('alertLevels: must not name a level twice'), twice.body);
    assert.deepEqual((await call('GET')).json().alertLevels, ['error']);
  });

  it('is documented in OpenAPI with its three levels', async () => {
    const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    const prop = doc.paths['/api/settings/email'].patch.requestBody.content['application/json'].schema.properties.alertLevels;
    assert.equal(prop.type, 'array');
    assert.deepEqual(prop.items.anyOf.flatMap((s: { enum: string[] }) => s.enum), ['error', 'warning', 'information']);
    assert.match(prop.description, /last error/);
  });

  it('reads settings saved before the field existed as every level', async () => {
    await sql`update org_email_settings set settings = settings - 'alertLevels'`.execute(h.store.kysely);
    assert.deepEqual((await h.store.settings.get()).alertLevels, ['error', 'warning', 'information']);
  });
});

describe('dovetail settings update --set alertLevels', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-alert-levels-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sets a JSON list and refuses an unknown level with the field named', async () => {
    const ok = await runCliInProcess(['settings', 'update', '--set', 'alertLevels=["error","warning"]', '--json'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).alertLevels, ['error', 'warning']);
    const bad = await runCliInProcess(['settings', 'update', '--set', 'alertLevels=["fatal"]'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: alertLevels: must contain only error, warning, information\n');
  });

  it('takes --alert-levels as a comma-separated list, or none', async () => {
    const some = await runCliInProcess(['settings', 'update', '--alert-levels', 'Error, information', '--json'], env);
    assert.equal(some.code, 0, some.stderr);
    assert.deepEqual(JSON.parse(some.stdout).alertLevels, ['error', 'information']);
    const none = await runCliInProcess(['settings', 'update', '--alert-levels', 'none', '--json'], env);
    assert.deepEqual(JSON.parse(none.stdout).alertLevels, []);
    const bad = await runCliInProcess(['settings', 'update', '--alert-levels', 'error,debug'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: alertLevels: must contain only error, warning, information\n');
  });
});

describe('the engine records only the alert levels the org keeps (PGlite, fake Exchange)', () => {
  let h: Harness;
  let mailboxId = '';
  let profileId = '';
  before(async () => {
    h = await openHarness();
    const profile = await createProfile(h.store);
    profileId = profile.id;
    mailboxId = (await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() })).id;
    h.fake.addMailbox('sam@us.example');
  });
  after(async () => h?.dispose());

  /** Makes the next incoming run fail with an error that disables the mailbox, then enables it again. */
  const failOnce = async () => {
    h.fake.failNext('getFolder', new AppError('unauthorized', 'denied', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' }), 1, 'sam@us.example');
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const m = await h.store.mailboxes.require(mailboxId);
    await h.store.mailboxes.update(mailboxId, { incomingEnabled: true });
    await h.store.mailboxes.saveSyncState(mailboxId, { incomingStatus: 'success', nextIncomingAt: new Date(h.clock.now()).toISOString() });
    return m;
  };
  const errorAlerts = async () => [
    ...(await h.store.alerts.list({ targetType: 'mailbox', targetId: mailboxId, level: 'error' })),
    ...(await h.store.alerts.list({ targetType: 'profile', targetId: profileId, level: 'error' })),
  ];

  it('with errors turned off, a failing mailbox keeps its last error but no error alert is recorded', async () => {
    await updateOrgEmailSettings(h.useCases, { alertLevels: ['warning', 'information'] });
    const m = await failOnce();
    assert.equal(m.incomingEnabled, false, 'the failure is still handled as policy says');
    assert.equal(m.lastErrorCode, 'ErrorImpersonateUserDenied');
    assert.ok(m.lastErrorMessage !== null && m.lastErrorMessage !== '');
    assert.deepEqual(await errorAlerts(), []);
  });

  it('with errors turned back on, the same failure is recorded on the walls', async () => {
    await updateOrgEmailSettings(h.useCases, { alertLevels: ['error', 'warning', 'information'] });
    await failOnce();
    const alerts = await errorAlerts();
    assert.ok(alerts.some((a) => a.targetType === 'mailbox'), JSON.stringify(alerts));
  });
});
