import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/clock.ts';
import { isAppError, type AppError } from '../../src/errors.ts';
import { clouds } from '../../src/auth/clouds.ts';
import { ExchangeOnlineTokenSource, type ExchangeOnlineAuthSettings } from '../../src/auth/entra/exchange-online-token-source.ts';
import type { EntraEnvironment } from '../../src/auth/entra/hma-token-source.ts';
import { toPfx } from '../../src/lab/tls/to-pfx.ts';
import type { IssuedCert } from '../../src/lab/tls/lab-ca.ts';
import { CERT_NAME, EXO_APP, KV_APP, KV_SECRET, TENANT, leaks, startModernAuthLab, type ModernAuthLab } from './modern-auth-lab.ts';

const DAY = 86_400_000;

describe('Exchange Online app-only: certificate -> Graph token, against the lab over HTTPS', () => {
  let lab: ModernAuthLab;
  let exoCert: IssuedCert;
  const sources: ExchangeOnlineTokenSource[] = [];
  const errors: AppError[] = [];

  before(async () => {
    lab = await startModernAuthLab();
    exoCert = lab.ca.issueClientCert('EXO-App');
    lab.entra.directory.addResource(TENANT, { name: 'Microsoft Graph (US Government)', identifierUris: ['https://graph.microsoft.us'] });
    lab.entra.directory.addApp(TENANT, { clientId: EXO_APP, certificates: [exoCert.certPem, lab.hmaCert.certPem], grants: { 'https://graph.microsoft.com': ['Mail.ReadWrite', 'Calendars.ReadWrite'] } });
  });
  after(async () => {
    for (const source of sources) await source.close();
    await lab.close();
  });

  const pem = (cert: IssuedCert): ExchangeOnlineAuthSettings['certificate'] => ({ source: 'profile', input: { format: 'pem', pem: cert.keyPem + cert.certPem } });
  const source = (overrides: Partial<ExchangeOnlineAuthSettings> = {}, env: Partial<EntraEnvironment> = {}, defaultTenantId?: string) => {
    const created = new ExchangeOnlineTokenSource({ tenantId: TENANT, appId: EXO_APP, certificate: pem(exoCert), ...overrides }, { ...lab.env(), ...env }, defaultTenantId);
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

  it('gets a Graph token with the PEM certificate of the profile', async () => {
    const token = await source().getToken();
    const check = lab.entra.verifyAccessToken(token.token, ['https://graph.microsoft.com']);
    assert.ok(check.ok);
    assert.deepEqual(check.claims.roles, ['Mail.ReadWrite', 'Calendars.ReadWrite']);
    assert.equal(check.claims.appid, EXO_APP);
  });

  it('gets a Graph token with a password-protected PFX of the profile', async () => {
    const token = await source({ certificate: { source: 'profile', input: { format: 'pfx', pfx: toPfx(exoCert, 'pfx-pass'), password: 'pfx-pass' } } }).getToken();
    assert.ok(lab.entra.verifyAccessToken(token.token, ['https://graph.microsoft.com']).ok);
  });

  it('gets the certificate from Key Vault when the profile says so', async () => {
    const exo = source({ certificate: { source: 'keyvault', vaultUri: lab.vault.vaultUri, keyName: CERT_NAME, appId: KV_APP, clientSecret: KV_SECRET } });
    await exo.getToken();
    assert.equal((await exo.currentCertificate()).certPem.trim(), lab.hmaCert.certPem.trim());
  });

  it("uses the org's default tenant id when the profile says so, and refuses when there is none", async () => {
    const exo = source({ useDefaultTenantId: true, tenantId: 'ignored' }, {}, TENANT);
    assert.equal(exo.tenantId, TENANT);
    assert.ok((await exo.getToken()).token);
    assert.throws(() => source({ useDefaultTenantId: true }), (e) => isAppError(e, 'exo_tenant_missing') && e.kind === 'invalid-input');
  });

  it("asks for the cloud's own Graph scope (US Government: graph.microsoft.us)", async () => {
    const token = await source({}, { cloud: clouds['us-government'] }).getToken();
    const check = lab.entra.verifyAccessToken(token.token, ['https://graph.microsoft.us']);
    assert.ok(check.ok);
    assert.equal(check.claims.aud, 'https://graph.microsoft.us');
  });

  it('sends x5c for an app that trusts subject name + issuer, and Entra accepts the unregistered certificate', async () => {
    const sni = lab.ca.issueClientCert('sni.dovetail.lab');
    lab.entra.directory.addApp(TENANT, { clientId: 'eeeeeeee-0000-4000-8000-00000000000e', subjectIssuerTrust: [{ subject: 'sni.dovetail.lab', issuerCertPem: lab.ca.caCertPem }], grants: { 'https://graph.microsoft.com': ['Mail.Read'] } });
    const withChain = { source: 'profile' as const, input: { format: 'pem' as const, pem: sni.keyPem + sni.certPem + lab.ca.caCertPem } };
    const refused = await failure(source({ appId: 'eeeeeeee-0000-4000-8000-00000000000e', certificate: withChain }).getToken());
    assert.equal(refused.code, 'entra_certificate_rejected');
    const token = await source({ appId: 'eeeeeeee-0000-4000-8000-00000000000e', certificate: withChain, sendX5c: true }).getToken();
    assert.ok(lab.entra.verifyAccessToken(token.token, ['https://graph.microsoft.com']).ok);
    const x5c = lab.entra.assertions.at(-1)!.header['x5c'] as string[];
    assert.equal(x5c.length, 2);
    assert.equal(Buffer.from(x5c[0]!, 'base64').equals(Buffer.from(sni.certPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')), true);
  });

  it('uses a certificate 10 days from its end, and warns in the log once a day that its successor is due', async () => {
    const now = lab.clock.now();
    const ending = lab.ca.issueClientCert('EXO-App ending', { notBefore: new Date(now - 300 * DAY), notAfter: new Date(now + 10 * DAY) });
    const appId = 'eeeeeeee-0000-4000-8000-00000000001a';
    lab.entra.directory.addApp(TENANT, { clientId: appId, certificates: [ending.certPem], grants: { 'https://graph.microsoft.com': ['Mail.Read'] } });
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) };
    const s = source({ appId, certificate: pem(ending) }, { log });
    const token = await s.getToken();
    assert.ok(lab.entra.verifyAccessToken(token.token, ['https://graph.microsoft.com']).ok, 'the certificate still signs');
    const expiring = () => warnings.filter((w) => w.fields['event'] === 'entra.certificate_expiring');
    assert.equal(expiring().length, 1);
    assert.match(expiring()[0]!.message, /expires on \d{4}-\d\d-\d\d.*in (9|10) days.*register its successor/);
    await s.getToken({ forceRefresh: true });
    assert.equal(expiring().length, 1, 'not again within the day');
    lab.clock.advance(DAY + 60_000);
    await s.getToken({ forceRefresh: true });
    assert.equal(expiring().length, 2, 'again the next day');
    assert.ok(!JSON.stringify(warnings).includes(ending.keyPem.split('\n')[1]!), 'no key material in the log');
  });

  it('refuses an expired or not-yet-valid certificate before sending anything, naming the dates', async () => {
    const now = lab.clock.now();
    const expired = lab.ca.issueClientCert('expired', { notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - DAY) });
    const future = lab.ca.issueClientCert('future', { notBefore: new Date(now + 2 * DAY), notAfter: new Date(now + 400 * DAY) });
    const requests = lab.entra.tokenRequests;
    const e1 = await failure(source({ certificate: pem(expired) }).getToken());
    assert.equal(e1.code, 'certificate_unusable');
    assert.equal(e1.kind, 'auth');
    assert.match(e1.message, /expired on \d{4}-\d\d-\d\d/);
    const e2 = await failure(source({ certificate: pem(future) }).getToken());
    assert.match(e2.message, /not valid yet/);
    assert.equal(lab.entra.tokenRequests, requests);
  });

  it('tolerates client clock skew within 5 minutes and names the clock beyond that (AADSTS700024)', async () => {
    const ahead = fixedClock(lab.clock.now() + 3 * 60_000);
    assert.ok((await source({}, { clock: ahead }).getToken()).token);
    const behind = fixedClock(lab.clock.now() - 4 * 60_000);
    assert.ok((await source({}, { clock: behind }).getToken()).token);
    const far = fixedClock(lab.clock.now() + 20 * 60_000);
    const skewed = await failure(source({}, { clock: far }).getToken());
    assert.equal(skewed.code, 'entra_assertion_time_invalid');
    assert.equal(skewed.providerCode, 'AADSTS700024');
    assert.match(skewed.message, /clock/);
  });

  it('reports a certificate the app does not know (AADSTS700027) and a wrong tenant (AADSTS90002)', async () => {
    const stranger = lab.ca.issueClientCert('not registered');
    const rejected = await failure(source({ certificate: pem(stranger) }).getToken());
    assert.equal(rejected.code, 'entra_certificate_rejected');
    assert.equal(rejected.providerCode, 'AADSTS700027');
    assert.equal(rejected.kind, 'auth');
    const tenant = await failure(source({ tenantId: 'fabrikam.example' }).getToken());
    assert.equal(tenant.code, 'entra_tenant_not_found');
  });

  it('reads a slow or failing Entra as transient, and recovers without a new token source', async () => {
    // Generous against a loaded machine: the recovery below uses the same short timeout.
    const exo = source({}, { timeoutMs: 2_000 });
    lab.entra.setFault({ kind: 'slow', delayMs: 10_000, only: 'token' });
    const slow = await failure(exo.getToken());
    assert.equal(slow.code, 'entra_unreachable');
    assert.equal(slow.kind, 'transient');
    lab.entra.setFault({ kind: 'status', status: 500, only: 'token' });
    const broken = await failure(exo.getToken());
    assert.equal(broken.code, 'entra_unavailable');
    assert.equal(broken.kind, 'transient');
    lab.entra.setFault(undefined);
    assert.ok((await exo.getToken()).token);
  });

  it('never writes the key, a token or an assertion to a log line or an error', () => {
    assert.ok(errors.length >= 5);
    const texts = [...lab.log.lines, ...errors.map((e) => `${e.message} ${JSON.stringify(e.toJSON())}`)];
    for (const text of texts) assert.deepEqual(leaks(text, [KV_SECRET, 'pfx-pass', exoCert.keyPem]), [], text);
  });
});
