/**
 * The admin API end to end over inject(), on PGlite and on PostgreSQL: profiles of every auth
 * type with write-only secrets, validation messages, org settings, users/queues with their
 * mailboxes, the mailbox list actions, alerts, the audit trail, health and metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresSkip } from '../support/env.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

const GUID1 = '0f1e2d3c-4b5a-4697-8877-665544332211';
const GUID2 = '1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d';
const SECRETS = { password: 'Pw-7f3a9c-never-shown', kv: 'Kv-51de22-never-shown', pemKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-never-shown' };
const PEM = `-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n${SECRETS.pemKey}\n-----END PRIVATE KEY-----\n`;

const credentialsProfile = { name: 'On-prem', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-sync', password: SECRETS.password } };
const hmaProfile = {
  name: 'Hybrid', serverType: 'exchange-server',
  auth: {
    type: 'hybrid-modern-auth', ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', aadResourceId: 'https://mail.contoso.com', tenantId: GUID1,
    hmaApplicationId: GUID1, keyVaultUri: 'https://contoso.vault.azure.net/', keyVaultKeyName: 'HMA-Cert', keyVaultApplicationId: GUID2, keyVaultClientSecret: SECRETS.kv,
  },
};
const onlineProfile = { name: 'Online', serverType: 'exchange-online', auth: { type: 'app-certificate', tenantId: 'contoso.onmicrosoft.com', applicationId: GUID1, cloud: 'us-government', certificateSource: 'pem', certificate: PEM } };

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`admin API flows on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let h: ApiHarness;
    const bodies: string[] = [];
    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const r = await h.api.inject({ method, url, headers: bearer(h.adminToken), ...(payload === undefined ? {} : { payload }) });
      bodies.push(r.body);
      return r;
    };
    before(async () => {
      h = await openApiHarness(engine);
    });
    after(() => h?.close());

    it('creates a profile of each auth type and never returns its secrets', async () => {
      for (const p of [credentialsProfile, hmaProfile, onlineProfile]) {
        const r = await call('POST', '/api/profiles', p);
        assert.equal(r.statusCode, 201, r.body);
        const body = r.json();
        assert.equal(body.auth.type, p.auth.type);
        assert.equal('password' in body.auth || 'keyVaultClientSecret' in body.auth || 'certificate' in body.auth, false);
        assert.equal(body.secretsSet.length, 1);
      }
      const online = (await call('GET', '/api/profiles')).json().find((p: { name: string }) => p.name === 'Online');
      assert.equal(online.auth.cloud, 'us-government');
      assert.equal(online.maximumConcurrentConnections, 10);
      assert.deepEqual(await h.store.profiles.getSecrets(online.id), { certificate: PEM });
    });

    it('rejects invalid profiles naming the field and the rule', async () => {
      const cases: Array<[object, string]> = [
        [{ ...credentialsProfile, name: 'Poll', minimumPollingIntervalMinutes: 2000 }, 'minimumPollingIntervalMinutes: must be between 0 and 1440'],
        [{ ...hmaProfile, name: 'NoKv', auth: { ...hmaProfile.auth, keyVaultUri: undefined } }, 'auth.keyVaultUri: is required'],
        [{ ...hmaProfile, name: 'Http', auth: { ...hmaProfile.auth, ewsUrl: 'http://mail.contoso.com/EWS/Exchange.asmx' } }, 'auth.ewsUrl: must be an https URL'],
        [{ ...credentialsProfile, name: 'Conn', maximumConcurrentConnections: 301 }, 'maximumConcurrentConnections: must be between 1 and 300'],
        [{ ...credentialsProfile, name: 'Timeout', connectionTimeoutSeconds: 120 }, 'connectionTimeoutSeconds: must be between 1 and 100'],
        [{ ...credentialsProfile, name: 'Manual', autodiscover: false }, 'incomingServerUrl: is required'],
      ];
      for (const [payload, message] of cases) {
        const r = await call('POST', '/api/profiles', payload);
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.json().code, 'validation_failed');
        assert.ok(r.json().message.includes(message), `${r.json().message} should include ${message}`);
      }
      const unknown = await call('POST', '/api/profiles', { ...credentialsProfile, name: 'Extra', colour: 'red' });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().details.issues[0].field, 'colour');
    });

    it('updates a profile keeping its secret, and clears secrets when the auth type changes', async () => {
      const p = (await call('GET', '/api/profiles')).json().find((x: { name: string }) => x.name === 'On-prem');
      const u = await call('PATCH', `/api/profiles/${p.id}`, { description: 'Main site', minimumPollingIntervalMinutes: 5 });
      assert.equal(u.statusCode, 200, u.body);
      assert.equal(u.json().minimumPollingIntervalMinutes, 5);
      assert.deepEqual(await h.store.profiles.getSecrets(p.id), { password: SECRETS.password });
      const noSecret = await call('PATCH', `/api/profiles/${p.id}`, { auth: { ...hmaProfile.auth, keyVaultClientSecret: undefined } });
      assert.equal(noSecret.statusCode, 400);
      assert.match(noSecret.json().message, /auth\.keyVaultClientSecret: is required/);
      const switched = await call('PATCH', `/api/profiles/${p.id}`, { auth: hmaProfile.auth, autodiscover: false });
      assert.equal(switched.statusCode, 200, switched.body);
      assert.deepEqual(switched.json().secretsSet, ['keyVaultClientSecret']);
      assert.deepEqual(await h.store.profiles.getSecrets(p.id), { keyVaultClientSecret: SECRETS.kv });
      assert.equal((await call('GET', `/api/profiles/${p.id}`)).json().description, 'Main site');
    });

    it('changes org email settings and applies them to mailboxes in bulk, one result per mailbox', async () => {
      const online = (await call('GET', '/api/profiles')).json().find((p: { name: string }) => p.name === 'Online');
      const s = await call('PATCH', '/api/settings/email', { defaultProfileId: online.id, actMethod: 'none', trackingTokenFormat: { prefix: 'DT:' } });
      assert.equal(s.statusCode, 200, s.body);
      assert.deepEqual(s.json().trackingTokenFormat, { prefix: 'DT:', baseDigits: 2, userDigits: 3, counterDigits: 3 });
      const bad = await call('PATCH', '/api/settings/email', { trackingTokenFormat: { baseDigits: 12 } });
      assert.equal(bad.statusCode, 400);

      const user = (await call('POST', '/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' })).json();
      const queue = (await call('POST', '/api/queues', { name: 'Support', emailAddress: 'support@contoso.com' })).json();
      const mb = (await call('GET', `/api/mailboxes/${user.mailboxId}`)).json();
      assert.equal(mb.profileId, online.id, 'new mailboxes take the default profile');
      assert.equal(mb.actMethod, 'none');
      assert.equal(mb.approval, 'empty');
      await call('PATCH', '/api/settings/email', { actMethod: 'server-side-sync' });

      const missing = '7d0f3a52-3f8e-4a3c-9f55-0b8f1c2d3e4f';
      const applied = await call('POST', '/api/mailboxes/apply-default-email-settings', { ids: [user.mailboxId, missing, queue.mailboxId] });
      assert.equal(applied.statusCode, 200, applied.body);
      assert.deepEqual(applied.json().map((r: { id: string; ok: boolean }) => [r.id, r.ok]), [[user.mailboxId, true], [missing, false], [queue.mailboxId, true]]);
      assert.equal(applied.json()[0].mailbox.actMethod, 'server-side-sync');
      assert.equal(applied.json()[0].mailbox.nextTestAt, '2026-01-05T09:00:00.000Z', 'queued for test & enable');
      assert.equal(applied.json()[1].error.code, 'not_found');

      const edited = await call('POST', '/api/mailboxes/bulk-edit', { ids: [user.mailboxId, queue.mailboxId], changes: { outgoingMethod: 'none' } });
      assert.ok(edited.json().every((r: { ok: boolean; mailbox: { outgoingMethod: string } }) => r.ok && r.mailbox.outgoingMethod === 'none'));
      const invalid = await call('POST', '/api/mailboxes/bulk-edit', { ids: [user.mailboxId], changes: { profileId: missing } });
      assert.equal(invalid.json()[0].ok, false);

      const approved = await call('POST', '/api/mailboxes/approve', { ids: [user.mailboxId] });
      assert.equal(approved.json()[0].mailbox.approval, 'approved');
      const listed = await call('GET', `/api/mailboxes?approval=approved`);
      assert.deepEqual(listed.json().map((m: { id: string }) => m.id), [user.mailboxId]);
      const dup = await call('POST', '/api/mailboxes', { ownerType: 'user', ownerId: user.id, emailAddress: 'nancy2@contoso.com' });
      assert.equal(dup.statusCode, 409);
    });

    it('shows and dismisses alerts', async () => {
      const mb = (await call('GET', '/api/mailboxes')).json()[0];
      const a = await h.store.alerts.create({ level: 'warning', targetType: 'mailbox', targetId: mb.id, ownerUserId: null, code: 'throttled', message: 'Exchange asked to slow down' });
      const list = await call('GET', `/api/alerts?targetId=${mb.id}`);
      assert.deepEqual(list.json().map((x: { id: string }) => x.id), [a.id]);
      const d = await call('POST', `/api/alerts/${a.id}/dismiss`);
      assert.notEqual(d.json().dismissedAt, null);
      assert.equal((await call('GET', `/api/alerts?targetId=${mb.id}`)).json().length, 0);
    });

    it('audits every change, with secrets recorded only as set', async () => {
      const entries = (await call('GET', '/api/audit?limit=1000')).json();
      const actions = new Set(entries.map((e: { action: string }) => e.action));
      for (const a of ['profile.create', 'profile.update', 'settings.update', 'user.create', 'queue.create', 'mailbox.apply-default-settings', 'mailbox.bulk-update', 'mailbox.approve', 'alert.dismiss', 'token.create']) {
        assert.ok(actions.has(a), `audit has ${a}`);
      }
      const create = entries.find((e: { action: string; changes: { name?: string } }) => e.action === 'profile.create' && e.changes.name === 'On-prem');
      assert.equal(create.changes.auth.password, '(secret set)');
      assert.equal(create.actor.type, 'token');
      const profile = (await call('GET', '/api/profiles')).json()[0];
      assert.equal((await call('DELETE', `/api/profiles/${profile.id}`)).statusCode, 204);
      assert.equal((await call('GET', `/api/profiles/${profile.id}`)).statusCode, 404);
    });

    it('answers health, readiness and metrics', async () => {
      assert.deepEqual((await h.api.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok', version: 'test' });
      const ready = await h.api.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().checks.store.ok, true);
      const metrics = await h.api.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /dovetail_http_requests_total\{method="POST",route="\/api\/profiles",status="201"\}/);
      const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(doc.paths['/api/mailboxes/apply-default-email-settings'].post);
      assert.equal((await h.api.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
    });

    it('never shows a secret in any API response or log line', () => {
      const everything = bodies.join('\n') + h.logs.join('\n');
      for (const secret of Object.values(SECRETS)) assert.equal(everything.includes(secret), false, `secret ${secret.slice(0, 4)}… leaked`);
      assert.ok(h.logs.length > 10, 'requests were logged');
      assert.equal(h.logs.join('').includes(h.adminToken), false, 'the token is not logged');
    });
  });
}
