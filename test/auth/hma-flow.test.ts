import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError, type AppError } from '../../src/errors.ts';
import { HmaTokenSource, type HmaAuthSettings } from '../../src/auth/entra/hma-token-source.ts';
import { missingConsent } from '../../src/auth/entra/missing-consent.ts';
import { CERT_NAME, EWS_HOST, HMA_APP, KV_APP, KV_SECRET, TENANT, leaks, startModernAuthLab, type ModernAuthLab } from './modern-auth-lab.ts';

describe('Hybrid Modern Auth: Key Vault app -> certificate -> HMA token, against the lab over HTTPS', () => {
  let lab: ModernAuthLab;
  const sources: HmaTokenSource[] = [];
  const errors: AppError[] = [];

  before(async () => {
    lab = await startModernAuthLab();
  });
  after(async () => {
    for (const source of sources) await source.close();
    await lab.close();
  });

  const settings = (overrides: Partial<HmaAuthSettings> = {}): HmaAuthSettings => ({
    tenantId: TENANT,
    hmaAppId: HMA_APP,
    aadResourceId: EWS_HOST,
    keyVaultUri: lab.vault.vaultUri,
    keyVaultKeyName: CERT_NAME,
    keyVaultAppId: KV_APP,
    keyVaultClientSecret: KV_SECRET,
    ...overrides,
  });
  const source = (overrides: Partial<HmaAuthSettings> = {}, certificateRefreshMs?: number) => {
    const created = new HmaTokenSource(settings(overrides), { ...lab.env(), ...(certificateRefreshMs === undefined ? {} : { certificateRefreshMs }) });
    sources.push(created);
    return created;
  };
  const failure = async (promise: Promise<unknown>): Promise<AppError> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
      errors.push(error);
      return error;
    }
    assert.fail('expected the token request to fail');
  };

  it('gets an app-only token for the EWS host with full_access_as_app, signed by the certificate from Key Vault', async () => {
    const hma = source();
    const token = await hma.getToken();
    const check = lab.entra.verifyAccessToken(token.token, [`https://${EWS_HOST}`]);
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.claims.appid, HMA_APP);
    assert.equal(check.claims.appidacr, '2');
    assert.deepEqual(check.claims.roles, ['full_access_as_app']);
    assert.equal(check.claims.tid, TENANT);
    assert.equal(token.expiresAt, lab.clock.now() + 3599 * 1000);
    const assertion = lab.entra.assertions.at(-1)!;
    assert.equal(assertion.header['alg'], 'PS256');
    assert.equal(assertion.header['x5t#S256'], (await hma.currentCertificate()).x5tS256);
    assert.equal(assertion.header['x5c'], undefined);
    assert.equal(assertion.payload['iss'], HMA_APP);
    assert.equal(assertion.payload['aud'], `${lab.entra.url}/${TENANT}/oauth2/v2.0/token`);
  });

  it('names missing consent for full_access_as_app from the token Entra issued without roles', async () => {
    const expected = { anyOf: ['full_access_as_app'], clientId: HMA_APP, tenantId: TENANT, resource: `https://${EWS_HOST}` };
    assert.equal(missingConsent((await source().getToken()).token, expected), undefined);
    const unconsented = 'dddddddd-1111-4000-8000-00000000000d';
    const cert = lab.ca.issueClientCert('unconsented');
    lab.entra.directory.addApp(TENANT, { clientId: unconsented, certificates: [cert.certPem] });
    lab.vault.importCertificate('Unconsented-Cert', cert);
    const token = await source({ hmaAppId: unconsented, keyVaultKeyName: 'Unconsented-Cert' }).getToken();
    const problem = missingConsent(token.token, { ...expected, clientId: unconsented });
    assert.equal(problem?.code, 'entra_consent_missing');
    assert.equal(problem?.kind, 'auth');
    assert.match(problem?.message ?? '', /full_access_as_app.*Grant admin consent/);
  });

  it('accepts the AAD resource id as a bare host, an origin or the full EWS URL', async () => {
    for (const aadResourceId of [`https://${EWS_HOST}/`, `https://${EWS_HOST.toUpperCase()}/EWS/Exchange.asmx`]) {
      const token = await source({ aadResourceId }).getToken();
      assert.ok(lab.entra.verifyAccessToken(token.token, [`https://${EWS_HOST}`]).ok);
    }
  });

  it('reads PEM certificates (application/x-pem-file) as well as PFX', async () => {
    const pemCert = lab.ca.issueClientCert('HMA-App PEM');
    lab.entra.directory.registerCertificate(TENANT, HMA_APP, pemCert.certPem);
    lab.vault.importCertificate('HMA-Cert-PEM', pemCert, { contentType: 'application/x-pem-file' });
    const hma = source({ keyVaultKeyName: 'HMA-Cert-PEM' });
    await hma.getToken();
    assert.equal((await hma.currentCertificate()).certPem.trim(), pemCert.certPem.trim());
  });

  it('keeps the token until 5 minutes before it expires, by the injected clock', async () => {
    const hma = source();
    const first = await hma.getToken();
    const requests = lab.entra.tokenRequests;
    lab.clock.advance(50 * 60_000);
    assert.equal((await hma.getToken()).token, first.token);
    assert.equal(lab.entra.tokenRequests, requests);
    lab.clock.advance(6 * 60_000);
    const renewed = await hma.getToken();
    assert.notEqual(renewed.token, first.token);
    // Only the HMA token: the certificate read 56 minutes ago is still within its hourly refresh,
    // so Key Vault (and a Key Vault token) is not needed.
    assert.equal(lab.entra.tokenRequests, requests + 1);
    assert.equal(lab.entra.assertions.at(-1)!.payload['iss'], HMA_APP);
  });

  it('picks up a rotated certificate without a restart when Entra rejects the old key (AADSTS700027)', async () => {
    const hma = source();
    await hma.getToken();
    const before = await hma.currentCertificate();
    const rotated = lab.ca.issueClientCert('HMA-App rotated');
    lab.vault.importCertificate('HMA-Cert', rotated);
    lab.entra.directory.registerCertificate(TENANT, HMA_APP, rotated.certPem);
    lab.entra.directory.unregisterCertificate(TENANT, HMA_APP, lab.hmaCert.certPem);
    const token = await hma.getToken({ forceRefresh: true });
    assert.ok(lab.entra.verifyAccessToken(token.token, [`https://${EWS_HOST}`]).ok);
    const after = await hma.currentCertificate();
    assert.notEqual(after.thumbprintSha256, before.thumbprintSha256);
    assert.equal(lab.entra.assertions.at(-1)!.header['x5t#S256'], after.x5tS256);
    assert.ok(lab.log.lines.some((line) => line.includes('keyvault.certificate_rotated')));
  });

  it('re-reads the certificate from Key Vault on schedule, before Entra has to reject anything', async () => {
    const hma = source({}, 60 * 60_000);
    await hma.getToken();
    const next = lab.ca.issueClientCert('HMA-App scheduled');
    lab.vault.importCertificate('HMA-Cert', next);
    lab.entra.directory.registerCertificate(TENANT, HMA_APP, next.certPem);
    lab.clock.advance(61 * 60_000);
    await hma.getToken({ forceRefresh: true });
    assert.equal((await hma.currentCertificate()).certPem.trim(), next.certPem.trim());
  });

  it('reads Key Vault again at once when the certificate in hand has expired', async () => {
    const now = lab.clock.now();
    const short = lab.ca.issueClientCert('HMA-App short', { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
    lab.vault.importCertificate('Short-Cert', short);
    lab.entra.directory.registerCertificate(TENANT, HMA_APP, short.certPem);
    const hma = source({ keyVaultKeyName: 'Short-Cert' }, 30 * 86_400_000);
    await hma.getToken();
    const renewed = lab.ca.issueClientCert('HMA-App renewed');
    lab.vault.importCertificate('Short-Cert', renewed);
    lab.entra.directory.registerCertificate(TENANT, HMA_APP, renewed.certPem);
    lab.clock.advance(2 * 86_400_000);
    await hma.getToken();
    assert.equal((await hma.currentCertificate()).certPem.trim(), renewed.certPem.trim());
  });

  it('says which Key Vault permission is missing (Get on secrets, Get on certificates)', async () => {
    lab.vault.setAccessPolicy(KV_APP, { certificates: ['get'] });
    const noSecrets = await failure(source().getToken());
    assert.equal(noSecrets.code, 'keyvault_access_denied');
    assert.equal(noSecrets.kind, 'auth');
    assert.match(noSecrets.message, /Secret permissions and Certificate permissions \(the Secret permission/);
    lab.vault.setAccessPolicy(KV_APP, { secrets: ['get'] });
    const noCertificates = await failure(source().getToken());
    assert.match(noCertificates.message, /the Certificate permission is the one missing/);
    lab.vault.setAccessPolicy(KV_APP, { secrets: ['get'], certificates: ['get'] });
  });

  it('reports an unknown certificate name and a disabled certificate as configuration errors', async () => {
    const missing = await failure(source({ keyVaultKeyName: 'No-Such-Cert' }).getToken());
    assert.equal(missing.code, 'keyvault_certificate_not_found');
    assert.equal(missing.kind, 'auth');
    assert.equal(missing.providerCode, 'CertificateNotFound');
    lab.vault.importCertificate('Disabled-Cert', lab.ca.issueClientCert('disabled'));
    lab.vault.setEnabled('Disabled-Cert', false);
    const disabled = await failure(source({ keyVaultKeyName: 'Disabled-Cert' }).getToken());
    assert.equal(disabled.code, 'keyvault_certificate_disabled');
  });

  it('maps a wrong Key Vault secret, a wrong tenant and an unregistered EWS resource to actionable auth errors', async () => {
    const secret = await failure(source({ keyVaultClientSecret: 'not-the-secret' }).getToken());
    assert.equal(secret.code, 'entra_invalid_client_secret');
    assert.equal(secret.providerCode, 'AADSTS7000215');
    assert.equal(secret.kind, 'auth');

    const tenant = await failure(source({ tenantId: '99999999-9999-4999-8999-999999999999' }).getToken());
    assert.equal(tenant.code, 'entra_tenant_not_found');
    assert.equal(tenant.providerCode, 'AADSTS90002');

    const resource = await failure(source({ aadResourceId: 'owa.contoso.com' }).getToken());
    assert.equal(resource.code, 'entra_resource_not_registered');
    assert.equal(resource.providerCode, 'AADSTS500011');
    assert.match(resource.message, /dovetail hma check/);

    const app = await failure(source({ hmaAppId: 'dddddddd-0000-4000-8000-00000000000d' }).getToken());
    assert.equal(app.code, 'entra_app_not_found');
    assert.equal(app.providerCode, 'AADSTS700016');
  });

  it('treats Key Vault down, Key Vault 503 and Entra 429 as transient, never as a bad credential', async () => {
    lab.vault.setFault({ kind: 'down' });
    const down = await failure(source().getToken());
    assert.equal(down.code, 'keyvault_unreachable');
    assert.equal(down.kind, 'transient');
    lab.vault.setFault({ kind: 'status', status: 503, retryAfterSeconds: 30 });
    const unavailable = await failure(source().getToken());
    assert.equal(unavailable.code, 'keyvault_unavailable');
    assert.equal(unavailable.kind, 'transient');
    assert.equal(unavailable.retryAfterMs, 30_000);
    lab.vault.setFault(undefined);

    lab.entra.setFault({ kind: 'status', status: 429, retryAfterSeconds: 12, only: 'token' });
    const throttled = await failure(source().getToken());
    assert.equal(throttled.code, 'entra_throttled');
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.retryAfterMs, 12_000);
    lab.entra.setFault(undefined);
  });

  it('keeps using the certificate already read while Key Vault is down, and recovers after an Entra outage', async () => {
    const hma = source({}, 60 * 60_000);
    await hma.getToken();
    lab.vault.setFault({ kind: 'down' });
    lab.clock.advance(61 * 60_000);
    const during = await hma.getToken({ forceRefresh: true });
    assert.ok(lab.entra.verifyAccessToken(during.token, [`https://${EWS_HOST}`]).ok);
    lab.vault.setFault(undefined);

    lab.entra.setFault({ kind: 'down' });
    const outage = await failure(hma.getToken({ forceRefresh: true }));
    assert.equal(outage.code, 'entra_unreachable');
    assert.equal(outage.kind, 'transient');
    lab.entra.setFault(undefined);
    assert.ok((await hma.getToken()).token.length > 0);
  });

  it('never writes a secret, token, assertion or key to a log line or an error', () => {
    assert.ok(lab.log.lines.length > 10, 'the suite should have logged');
    assert.ok(errors.length > 5, 'the suite should have collected errors');
    const texts = [...lab.log.lines, ...errors.map((e) => `${e.message} ${JSON.stringify(e.toJSON())}`)];
    for (const text of texts) assert.deepEqual(leaks(text, [KV_SECRET, 'not-the-secret', lab.hmaCert.keyPem]), [], text);
  });
});
