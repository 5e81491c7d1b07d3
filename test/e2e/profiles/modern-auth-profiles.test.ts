/**
 * Modern-auth profiles end to end against the labs, all under lab CAs trusted only through the
 * profile's CA bundle or the lab flag:
 *  - Hybrid Modern Auth: lab Key Vault (certificate) + lab Entra (app-only token) + the EWS lab
 *    accepting Bearer tokens for the on-premises resource, with impersonation;
 *  - Exchange Online app-only: lab Entra + the Graph lab, with the org's default tenant id.
 * Each profile is created through the use cases, passes Test Connection, and makes one real sync
 * call through openDriver; Key Vault access denied and a missing Graph permission fail with details.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemRandom } from '../../../src/clock.ts';
import { testProfileConnection, type TestEnvironment } from '../../../src/diagnostics/test-connection/test-profile-connection.ts';
import { openDriver } from '../../../src/exchange/index.ts';
import { labEntraBearer } from '../../../src/lab/http/lab-entra-bearer.ts';
import { startLab, type LabHandle } from '../../../src/lab/lab.ts';
import { startGraphLab, type GraphLab } from '../../../src/lab/graph/start-graph-lab.ts';
import type { ProfileInput } from '../../../src/domain/profile.ts';
import { createProfile } from '../../../src/use-cases/profiles.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { openTestStore, type TestStore } from '../../foundation/test-store.ts';
import { CERT_NAME, EWS_HOST, EXO_APP, HMA_APP, KV_APP, KV_SECRET, TENANT, startModernAuthLab, type ModernAuthLab } from '../../auth/modern-auth-lab.ts';
import { assertNoSecrets, stepOf } from './profile-e2e.ts';

const ALEX = 'alex.wilber@contoso.lab';
const EXO_MAILBOX = 'alex@contoso.com';
const GRAPH_ROLES = ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'Tasks.ReadWrite.All', 'User.Read.All'];
const OTHER_KV_APP = 'eeeeeeee-0000-4000-8000-00000000000e';
const OTHER_KV_SECRET = 'kv~Other.Secret_1a2b3c4d5e';
const NO_SEND_APP = 'dddddddd-0000-4000-8000-0000000000d1';

describe('modern-auth profiles against the lab Entra, Key Vault, EWS and Graph', () => {
  let auth: ModernAuthLab;
  let ews: LabHandle;
  let graph: GraphLab;
  let t: TestStore;
  let ctx: UseCaseContext;
  let env: TestEnvironment;
  const secrets: string[] = [KV_SECRET, OTHER_KV_SECRET];

  before(async () => {
    auth = await startModernAuthLab();
    ews = await startLab({ authSchemes: ['NTLM', 'Bearer'], verifyBearer: labEntraBearer(auth.entra, [`https://${EWS_HOST}`]) });
    graph = await startGraphLab({
      ca: auth.ca,
      verifyToken: (token) => {
        const check = auth.entra.verifyAccessToken(token, ['https://graph.microsoft.com']);
        return check.ok ? { appId: check.claims.appid, roles: check.claims.roles } : null;
      },
    });
    graph.addMailbox(EXO_MAILBOX, { displayName: 'Alex' });
    auth.entra.directory.addApp(TENANT, { clientId: OTHER_KV_APP, secrets: [OTHER_KV_SECRET] });
    t = await openTestStore('pglite');
    await t.store.settings.save({ ...(await t.store.settings.get()), defaultExchangeOnlineTenantId: TENANT });
    // The labs judge tokens and assertions by the modern-auth lab's clock.
    ctx = { store: t.store, clock: auth.clock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'e2e' } } };
    env = { authLog: auth.log, lab: { allowLoopback: true, entraAuthorityOrigin: auth.entra.url, graphRoot: graph.url, trustedCaPems: [auth.ca.caCertPem] } };
  });
  after(async () => {
    await t.dispose();
    await graph.close();
    await ews.close();
    await auth.close();
  });

  const hmaInput = (name: string, overrides: Record<string, unknown> = {}): ProfileInput => ({
    name,
    serverType: 'exchange-server',
    autodiscover: false,
    // One bundle for both lab CAs: the EWS lab's and the one behind Entra and Key Vault.
    trustedCaBundle: `${ews.caCertPem}\n${auth.ca.caCertPem}`,
    auth: {
      type: 'hybrid-modern-auth',
      ewsUrl: ews.ewsUrl,
      aadResourceId: `https://${EWS_HOST}`,
      tenantId: TENANT,
      hmaApplicationId: HMA_APP,
      keyVaultUri: auth.vault.vaultUri,
      keyVaultKeyName: CERT_NAME,
      keyVaultApplicationId: KV_APP,
      keyVaultClientSecret: KV_SECRET,
      ...overrides,
    },
  });

  const exoInput = (name: string, appId: string, pem: string): ProfileInput => ({
    name,
    serverType: 'exchange-online',
    auth: { type: 'app-certificate', useDefaultTenantId: true, applicationId: appId, cloud: 'global', certificateSource: 'pem', certificate: pem },
  });

  const exoApp = (clientId: string, roles: string[]): string => {
    const cert = auth.ca.issueClientCert(clientId);
    auth.entra.directory.addApp(TENANT, { clientId, certificates: [cert.certPem], grants: { 'https://graph.microsoft.com': roles } });
    secrets.push(cert.keyPem.split('\n').slice(1, 3).join('\n'));
    return cert.keyPem + cert.certPem;
  };

  it('Hybrid Modern Auth: Test Connection passes every step and openDriver syncs with a Bearer token and impersonation', async () => {
    const profile = await createProfile(ctx, hmaInput('HMA'));
    const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.match(stepOf(result, 'authentication').detail, /Certificate .*HMA-App.* from Key Vault is usable.*app-only access token/);
    assert.equal(stepOf(result, 'autodiscover').skipped, true);
    assertNoSecrets(result, secrets);

    const driver = openDriver(profile, await t.store.profiles.getSecrets(profile.id), { clock: auth.clock, random: systemRandom, ...env });
    try {
      const inbox = await driver.getFolder(ALEX, 'inbox');
      const page = await driver.syncMessages(ALEX, inbox.id, null, 10);
      assert.ok(page.nextCursor.length > 0);
      const last = ews.api.requests(ALEX).at(-1);
      assert.equal(last?.principal, HMA_APP);
      assert.equal(last?.mailbox, ALEX);
      assert.equal(last?.anchorMailbox, ALEX);
    } finally {
      await driver.close();
    }
    assert.deepEqual(auth.log.lines.filter((l) => secrets.some((s) => l.includes(s))), []);
  });

  it("Hybrid Modern Auth: the profile's CA bundle vouches for the on-premises server only, never for Entra or Key Vault", async () => {
    // The profile's bundle holds the CA behind the (stand-in) Entra and Key Vault too, but the
    // environment no longer trusts it: the cloud endpoints must then fail TLS.
    const profile = await createProfile(ctx, hmaInput('HMA bundle only'));
    const { trustedCaPems: _lab, ...labWithoutCa } = env.lab!;
    const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX }, { ...env, lab: labWithoutCa });
    assert.equal(result.ok, false);
    const step = stepOf(result, 'authentication');
    assert.equal(step.ok, false);
    assert.match(step.detail, /Key Vault .* could not be reached \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/, step.detail);
    assertNoSecrets(result, secrets);
  });

  it('Hybrid Modern Auth with Key Vault access denied: authentication fails naming Key Vault and the missing permission', async () => {
    const profile = await createProfile(ctx, hmaInput('HMA no vault access', { keyVaultApplicationId: OTHER_KV_APP, keyVaultClientSecret: OTHER_KV_SECRET }));
    const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX }, env);
    assert.equal(result.ok, false);
    assert.equal(stepOf(result, 'tls').ok, true);
    const step = stepOf(result, 'authentication');
    assert.equal(step.ok, false);
    assert.match(step.detail, /Key Vault/i);
    assert.match(step.detail, /certificates/);
    assert.match(step.remedy ?? '', /access policy/);
    assert.equal(stepOf(result, 'mailbox-access').skipped, true);
    assertNoSecrets(result, secrets);
  });

  it('Exchange Online app-only: with the org default tenant id, Test Connection passes and openDriver syncs through Graph', async () => {
    const profile = await createProfile(ctx, exoInput('EXO', EXO_APP, exoApp(EXO_APP, GRAPH_ROLES)));
    const result = await testProfileConnection(ctx, profile.id, { mailbox: EXO_MAILBOX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.match(stepOf(result, 'configuration').detail, /Certificate .* from the profile is usable/);
    assert.match(stepOf(result, 'permissions').detail, /Mail\.ReadWrite/);
    assert.equal(stepOf(result, 'impersonation').skipped, true);
    assertNoSecrets(result, secrets);

    graph.deliver(EXO_MAILBOX, { from: { address: 'ana@fabrikam.example' }, to: [EXO_MAILBOX], subject: 'Hello', body: 'hi', internetMessageId: '<e2e-1@fabrikam.example>' });
    const driver = openDriver(profile, await t.store.profiles.getSecrets(profile.id), { clock: auth.clock, random: systemRandom, defaultTenantId: TENANT, ...env });
    try {
      assert.equal(driver.provider, 'graph');
      const inbox = await driver.getFolder(EXO_MAILBOX, 'inbox');
      const page = await driver.syncMessages(EXO_MAILBOX, inbox.id, null, 10);
      assert.equal(page.changes.filter((c) => c.type === 'upsert').length, 1);
    } finally {
      await driver.close();
    }
  });

  it('Exchange Online app that trusts subject name + issuer: works once the profile sends the certificate chain', async () => {
    const clientId = 'eeeeeeee-0000-4000-8000-0000000005a1';
    const cert = auth.ca.issueClientCert('sni.exo.dovetail.lab');
    auth.entra.directory.addApp(TENANT, { clientId, subjectIssuerTrust: [{ subject: 'sni.exo.dovetail.lab', issuerCertPem: auth.ca.caCertPem }], grants: { 'https://graph.microsoft.com': GRAPH_ROLES } });
    secrets.push(cert.keyPem.split('\n').slice(1, 3).join('\n'));
    const withChain = cert.keyPem + cert.certPem + auth.ca.caCertPem;

    const plain = await createProfile(ctx, exoInput('EXO SN+I without chain', clientId, withChain));
    const refused = await testProfileConnection(ctx, plain.id, { mailbox: EXO_MAILBOX }, env);
    assert.equal(stepOf(refused, 'authentication').ok, false, 'Entra cannot match an unregistered key without the chain');

    const input = exoInput('EXO SN+I', clientId, withChain);
    const profile = await createProfile(ctx, { ...input, auth: { ...input.auth, sendCertificateChain: true } });
    assert.equal((profile.auth as { sendCertificateChain?: boolean }).sendCertificateChain, true);
    const result = await testProfileConnection(ctx, profile.id, { mailbox: EXO_MAILBOX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    const x5c = auth.entra.assertions.at(-1)!.header['x5c'] as string[];
    assert.equal(x5c.length, 2, 'the leaf and its issuer');
    assertNoSecrets(result, secrets);
  });

  it('Exchange Online with a missing Graph permission: the permissions step names it', async () => {
    const profile = await createProfile(ctx, exoInput('EXO no send', NO_SEND_APP, exoApp(NO_SEND_APP, GRAPH_ROLES.filter((r) => r !== 'Mail.Send'))));
    const result = await testProfileConnection(ctx, profile.id, { mailbox: EXO_MAILBOX }, env);
    assert.equal(result.ok, false);
    assert.equal(stepOf(result, 'authentication').ok, true);
    const step = stepOf(result, 'permissions');
    assert.equal(step.ok, false);
    assert.match(step.detail, /Mail\.Send/);
    assert.doesNotMatch(step.detail, /Mail\.ReadWrite/);
    assert.match(step.remedy ?? '', /admin consent/);
    assertNoSecrets(result, secrets);
  });
});
