/**
 * The API validates with type coercion; a nullable field must store null when sent null, never
 * the "" a string branch would coerce it to. Checked in the store, not only in the response.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresSkip } from '../support/env.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const GUID = '0f1e2d3c-4b5a-4697-8877-665544332211';

for (const engine of ['pglite', 'postgres'] as const) describe(`nullable fields store null on ${engine}`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
  let h: ApiHarness;
  let ownerId = '';
  const send = async (method: 'POST' | 'PATCH', url: string, payload: object, status: number) => {
    const r = await h.api.inject({ method, url, headers: bearer(h.adminToken), payload });
    assert.equal(r.statusCode, status, r.body);
    return r.json();
  };
  before(async () => {
    h = await openApiHarness(engine);
    ownerId = (await send('POST', '/api/users', { fullName: 'Nancy', emailAddress: 'nancy@contoso.com', createMailbox: false }, 201)).id;
  });
  after(() => h?.close());

  it('profile: POST with nulls, then PATCH set values back to null', async () => {
    const nulls = { ownerUserId: null, trustedCaBundle: null, processEmailFrom: null, incomingServerUrl: null, outgoingServerUrl: null };
    const created = await send('POST', '/api/profiles', {
      name: 'Manual later', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc', password: 'pw' }, ...nulls,
    }, 201);
    const id = created.id as string;
    let stored = await h.store.profiles.require(id);
    for (const k of Object.keys(nulls)) assert.equal(stored[k as keyof typeof nulls], null, `${k} after POST`);

    await send('PATCH', `/api/profiles/${id}`, {
      ownerUserId: ownerId, trustedCaBundle: PEM, processEmailFrom: '2026-01-01T00:00:00.000Z',
      autodiscover: false, incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
    }, 200);
    stored = await h.store.profiles.require(id);
    assert.equal(stored.trustedCaBundle, PEM);
    const patched = await send('PATCH', `/api/profiles/${id}`, { ...nulls, autodiscover: true }, 200);
    stored = await h.store.profiles.require(id);
    for (const k of Object.keys(nulls)) {
      assert.equal(stored[k as keyof typeof nulls], null, `${k} after PATCH`);
      assert.equal(patched[k], null, `${k} in the response`);
    }
  });

  it('profile auth: an app-certificate tenant id sent as null stays null', async () => {
    await send('PATCH', '/api/settings/email', { defaultExchangeOnlineTenantId: GUID }, 200);
    const created = await send('POST', '/api/profiles', {
      name: 'Online', serverType: 'exchange-online',
      auth: { type: 'app-certificate', useDefaultTenantId: true, tenantId: null, applicationId: GUID, certificateSource: 'pem', certificate: `${PEM}-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n`, keyVaultUri: null },
    }, 201);
    const stored = await h.store.profiles.require(created.id);
    assert.ok(stored.auth.type === 'app-certificate');
    assert.equal(stored.auth.tenantId, null);
    assert.equal(stored.auth.keyVaultUri, null);
  });

  it('org email settings: default profile and tenant id back to null', async () => {
    const profile = (await h.store.profiles.list())[0]!;
    await send('PATCH', '/api/settings/email', { defaultProfileId: profile.id, defaultExchangeOnlineTenantId: GUID }, 200);
    const s = await send('PATCH', '/api/settings/email', { defaultProfileId: null, defaultExchangeOnlineTenantId: null }, 200);
    const stored = await h.store.settings.get();
    assert.equal(stored.defaultProfileId, null);
    assert.equal(stored.defaultExchangeOnlineTenantId, null);
    assert.equal(s.defaultExchangeOnlineTenantId, null);
  });

  it('mailbox: profile and process email from back to null', async () => {
    const profile = (await h.store.profiles.list())[0]!;
    const m = await send('POST', '/api/mailboxes', { ownerType: 'user', ownerId, emailAddress: 'nancy@contoso.com', profileId: null, processEmailFrom: null }, 201);
    let stored = await h.store.mailboxes.require(m.id);
    assert.deepEqual([stored.profileId, stored.processEmailFrom], [null, null]);
    await send('PATCH', `/api/mailboxes/${m.id}`, { profileId: profile.id, processEmailFrom: '2026-02-01T00:00:00.000Z' }, 200);
    await send('PATCH', `/api/mailboxes/${m.id}`, { profileId: null, processEmailFrom: null }, 200);
    stored = await h.store.mailboxes.require(m.id);
    assert.deepEqual([stored.profileId, stored.processEmailFrom], [null, null]);
  });

  it('API token: a read-only token created with userId null has none', async () => {
    const t = await send('POST', '/api/tokens', { name: 'auditor', role: 'read-only', userId: null }, 201);
    assert.equal(t.record.userId, null);
    assert.equal((await h.store.tokens.get(t.record.id))?.userId, null);
  });

  it('an empty string for a nullable field means none too', async () => {
    const s = await send('PATCH', '/api/settings/email', { defaultExchangeOnlineTenantId: '' }, 200);
    assert.equal(s.defaultExchangeOnlineTenantId, null);
    assert.equal((await h.store.settings.get()).defaultExchangeOnlineTenantId, null);
  });
});
