import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { fixedClock, seededRandom, systemClock } from '../../clock.ts';
import { createLabCa, type IssuedCert, type LabCa } from '../tls/lab-ca.ts';
import { createTrustingAgent } from '../../auth/entra/undici-network-client.ts';
import { createClientAssertion } from '../../auth/entra/client-assertion.ts';
import { loadCertificate } from '../../auth/certificate/load-certificate.ts';
import { startLabEntra, type LabEntra } from './lab-entra.ts';
import { wellKnownResources } from './lab-directory.ts';
import { JWT_BEARER } from './check-client-credential.ts';
import { verifyLabAccessToken, type JsonWebKeySet } from './verify-lab-access-token.ts';

const T = 'tenant-0001';
const APP = 'app-0001';

describe('lab Entra checks what Entra checks', () => {
  const clock = fixedClock(systemClock.now());
  let ca: LabCa;
  let entra: LabEntra;
  let cert: IssuedCert;
  let seed = 1;
  const agent = () => createTrustingAgent([ca.caCertPem]);

  before(async () => {
    ca = await createLabCa();
    entra = await startLabEntra({ ca, clock });
    entra.directory.addTenant(T, { domains: ['fabrikam.example'] });
    entra.directory.addResource(T, wellKnownResources.graph);
    cert = ca.issueClientCert('app');
    entra.directory.addApp(T, { clientId: APP, certificates: [cert.certPem], secrets: ['good', { value: 'old', expiresAt: clock.now() - 1000 }], grants: { 'https://graph.microsoft.com': ['Mail.Read'] } });
  });
  after(async () => {
    await entra.close();
  });

  const token = async (fields: Record<string, string>, path = `/${T}/oauth2/v2.0/token`) => {
    const dispatcher = agent();
    try {
      const response = await request(`${entra.url}${path}`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    } finally {
      await dispatcher.close();
    }
  };
  const assertion = (overrides: { clientId?: string; audience?: string; clockMs?: number } = {}, signer: IssuedCert = cert) =>
    createClientAssertion({
      clientId: overrides.clientId ?? APP,
      audience: overrides.audience ?? `${entra.url}/${T}/oauth2/v2.0/token`,
      certificate: loadCertificate({ format: 'pem', pem: signer.keyPem + signer.certPem }),
      includeX5c: false,
      clock: fixedClock(overrides.clockMs ?? clock.now()),
      random: seededRandom(seed++),
    });
  const withAssertion = (jwt: string, extra: Record<string, string> = {}) => ({ grant_type: 'client_credentials', client_id: APP, scope: 'https://graph.microsoft.com/.default', client_assertion_type: JWT_BEARER, client_assertion: jwt, ...extra });
  const code = (body: Record<string, unknown>) => (body['error_codes'] as number[])[0];

  it('issues a token verifiable with the JWKS it publishes over HTTPS', async () => {
    const ok = await token(withAssertion(assertion()));
    assert.equal(ok.status, 200);
    const dispatcher = agent();
    const jwks = (await (await request(`${entra.url}/${T}/discovery/v2.0/keys`, { dispatcher })).body.json()) as JsonWebKeySet;
    await dispatcher.close();
    const accessToken = String(ok.body['access_token']);
    const check = verifyLabAccessToken(accessToken, { jwks, audiences: ['https://graph.microsoft.com/'], issuers: [entra.issuer(T)], clock });
    assert.ok(check.ok);
    assert.deepEqual(check.claims.roles, ['Mail.Read']);
    assert.equal(verifyLabAccessToken(accessToken, { jwks, audiences: ['https://outlook.office365.com'], clock }).ok, false);
    assert.equal(verifyLabAccessToken(accessToken, { jwks, audiences: ['https://graph.microsoft.com'], issuers: ['https://elsewhere/'], clock }).ok, false);
    const [h, p, s] = accessToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['Mail.ReadWrite'] })).toString('base64url')}.${s}`;
    assert.deepEqual(verifyLabAccessToken(tampered, { jwks, audiences: ['https://graph.microsoft.com'], clock }), { ok: false, reason: 'bad-signature', message: 'signature does not verify' });
    const later = fixedClock(clock.now() + 2 * 3_600_000);
    assert.equal((verifyLabAccessToken(accessToken, { jwks, audiences: ['https://graph.microsoft.com'], clock: later }) as { reason: string }).reason, 'expired');
  });

  it('refuses replayed, misaddressed, foreign and badly timed assertions with the AADSTS codes Entra uses', async () => {
    const once = assertion();
    assert.equal((await token(withAssertion(once))).status, 200);
    assert.equal(code((await token(withAssertion(once))).body), 50013);
    assert.equal(code((await token(withAssertion(assertion({ audience: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' })))).body), 700212);
    assert.equal(code((await token(withAssertion(assertion({ clientId: 'someone-else' })))).body), 700021);
    assert.equal(code((await token(withAssertion(assertion({}, ca.issueClientCert('stranger'))))).body), 700027);
    assert.equal(code((await token(withAssertion(assertion({ clockMs: clock.now() + 10 * 60_000 })))).body), 700024);
    assert.equal((await token(withAssertion(assertion({ clockMs: clock.now() + 4 * 60_000 })))).status, 200);
    // The audience may name the tenant by a verified domain.
    assert.equal((await token(withAssertion(assertion({ audience: `${entra.url}/fabrikam.example/oauth2/v2.0/token` })), '/fabrikam.example/oauth2/v2.0/token')).status, 200);
  });

  it('checks secrets, their expiry, grant type, scope form and the v2 resource parameter', async () => {
    const base = { grant_type: 'client_credentials', client_id: APP, scope: 'https://graph.microsoft.com/.default' };
    assert.equal((await token({ ...base, client_secret: 'good' })).status, 200);
    const wrong = await token({ ...base, client_secret: 'bad' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body['error'], 'invalid_client');
    assert.equal(code(wrong.body), 7000215);
    assert.equal(code((await token({ ...base, client_secret: 'old' })).body), 7000222);
    assert.equal(code((await token({ ...base })).body), 7000218);
    assert.equal(code((await token({ ...base, client_secret: 'good', grant_type: 'password' })).body), 70003);
    assert.equal(code((await token({ ...base, client_secret: 'good', scope: 'Mail.Read' })).body), 70011);
    assert.equal(code((await token({ ...base, client_secret: 'good', resource: 'https://graph.microsoft.com' })).body), 901002);
    assert.equal(code((await token({ ...base, client_secret: 'good', scope: 'https://nowhere.example/.default' })).body), 500011);
    assert.equal(code((await token({ ...base, client_secret: 'good', client_id: 'nobody' })).body), 700016);
    assert.equal(code((await token({ ...base, client_secret: 'good' }, '/no-such-tenant/oauth2/v2.0/token')).body), 90002);
  });

  it('serves the OpenID metadata and instance discovery msal-node reads', async () => {
    const dispatcher = agent();
    try {
      const metadata = (await (await request(`${entra.url}/${T}/v2.0/.well-known/openid-configuration`, { dispatcher })).body.json()) as Record<string, unknown>;
      assert.equal(metadata['token_endpoint'], `${entra.url}/${T}/oauth2/v2.0/token`);
      assert.equal(metadata['issuer'], entra.issuer(T));
      const discovery = (await (await request(`${entra.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${entra.url}/${T}/oauth2/v2.0/authorize`)}`, { dispatcher })).body.json()) as Record<string, unknown>;
      assert.equal(discovery['tenant_discovery_endpoint'], `${entra.url}/${T}/v2.0/.well-known/openid-configuration`);
      const missing = await request(`${entra.url}/nope/v2.0/.well-known/openid-configuration`, { dispatcher });
      assert.equal(missing.statusCode, 400);
      assert.deepEqual(((await missing.body.json()) as Record<string, unknown>)['error_codes'], [90002]);
      const malformed = await request(`${entra.url}/%E0%A4%A/v2.0/.well-known/openid-configuration`, { dispatcher });
      assert.equal(malformed.statusCode, 400);
      await malformed.body.dump();
    } finally {
      await dispatcher.close();
    }
  });
});
