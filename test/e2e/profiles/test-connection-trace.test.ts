/**
 * Test Connection traces against the labs: every step that talks to Exchange, Entra or Graph carries
 * its last request and response (method, URL, status, headers, body), and no credential reaches the
 * result: not the password, not its Basic or NTLM form, not a token the labs saw, not an
 * Authorization value. EWS over NTLM (manual URL and Autodiscover) and Basic, HMA and Exchange Online.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, systemRandom } from '../../../src/clock.ts';
import { testProfileConnection, type TestEnvironment } from '../../../src/diagnostics/test-connection/test-profile-connection.ts';
import type { TestConnectionResult, TestStepName } from '../../../src/diagnostics/test-connection/test-connection.ts';
import type { ProfileInput } from '../../../src/domain/profile.ts';
import { loopbackLookup } from '../../../src/exchange/ews/transport-test-pki.ts';
import { startGraphLab, type GraphLab } from '../../../src/lab/graph/start-graph-lab.ts';
import { labEntraBearer } from '../../../src/lab/http/lab-entra-bearer.ts';
import { startLab, type LabHandle } from '../../../src/lab/lab.ts';
import { createProfile } from '../../../src/use-cases/profiles.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { openTestStore, type TestStore } from '../../foundation/test-store.ts';
import { CERT_NAME, EWS_HOST, EXO_APP, HMA_APP, KV_APP, KV_SECRET, TENANT, startModernAuthLab, type ModernAuthLab } from '../../auth/modern-auth-lab.ts';
import { assertNoSecrets, stepOf } from './profile-e2e.ts';

const PASSWORD = 'Lab-Service-2026!';
const WRONG = 'Not-The-Password-42';
const ALEX = 'alex.wilber@contoso.lab';
const EXO_MAILBOX = 'alex@contoso.com';
/** Every NTLM message starts with "NTLMSSP\0", which is this in base64. */
const NTLM_BLOB = 'TlRMTVNTUA';

/** The credential forms that must never show, and a check that none does. */
function assertNoCredentials(result: TestConnectionResult, extra: string[] = []): void {
  const text = JSON.stringify(result);
  assertNoSecrets(result, [PASSWORD, WRONG, encodeURIComponent(PASSWORD), ...extra]);
  for (const password of [PASSWORD, WRONG]) {
    for (const user of ['CONTOSO\\svc-dovetail', 'svc-dovetail']) {
      const basic = Buffer.from(`${user}:${password}`).toString('base64');
      assert.ok(!text.includes(basic), 'a Basic Authorization value reached the result');
    }
  }
  assert.ok(!text.includes(NTLM_BLOB), 'an NTLM message reached the result');
  assert.doesNotMatch(text, /Authorization: (?!\[redacted\])/i, 'an Authorization header with a value reached the result');
}

/** The trace of a step that made one EWS request: request line, credentials masked, SOAP body, and the answer. */
function assertEwsTrace(result: TestConnectionResult, step: TestStepName, ewsUrl: string, answer: RegExp): void {
  const trace = stepOf(result, step).trace ?? '';
  assert.ok(trace.startsWith(`> POST ${ewsUrl}`), `${step}: ${trace}`);
  assert.match(trace, /^> Authorization: \[redacted\]$/m);
  assert.match(trace, /^> soapaction: "http:\/\/schemas\.microsoft\.com\/exchange\/services\/2006\/messages\/GetFolder"$/m);
  assert.match(trace, /^> x-anchormailbox: alex\.wilber@contoso\.lab$/m);
  assert.match(trace, /ExchangeImpersonation/);
  assert.match(trace, answer, `${step}: ${trace}`);
}

describe('Test Connection traces: EWS over NTLM and Basic', () => {
  let ntlm: LabHandle;
  let basic: LabHandle;
  let t: TestStore;
  let ctx: UseCaseContext;

  before(async () => {
    ntlm = await startLab({ authSchemes: ['NTLM'] });
    basic = await startLab({ authSchemes: ['Basic'] });
    t = await openTestStore('pglite');
    ctx = { store: t.store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'e2e' } } };
  });
  after(async () => {
    await t.dispose();
    await basic.close();
    await ntlm.close();
  });

  const credentials = (lab: LabHandle, name: string, protocol: 'ntlm' | 'basic', password: string): ProfileInput => ({
    name,
    serverType: 'exchange-server',
    autodiscover: false,
    incomingServerUrl: lab.ewsUrl,
    outgoingServerUrl: lab.ewsUrl,
    trustedCaBundle: lab.caCertPem,
    auth: { type: 'credentials', protocol, userName: 'CONTOSO\\svc-dovetail', password },
  });

  for (const protocol of ['ntlm', 'basic'] as const) {
    it(`${protocol.toUpperCase()}: tls, authentication, impersonation, mailbox access and permissions each show their exchange`, async () => {
      const lab = protocol === 'ntlm' ? ntlm : basic;
      const profile = await createProfile(ctx, credentials(lab, `${protocol} trace`, protocol, PASSWORD));
      const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX });
      assert.equal(result.ok, true, JSON.stringify(result, null, 2));

      const tls = stepOf(result, 'tls').trace ?? '';
      assert.match(tls, /^> TLS ClientHello to 127\.0\.0\.1:\d+/);
      assert.match(tls, /^< TLSv1\.[23], cipher /m);
      assert.match(tls, /^< SHA-256 fingerprint: [0-9A-F:]{95}$/m);

      // One GetFolder on the inbox proved sign-in, impersonation and access: each shows it, with the answer.
      for (const step of ['authentication', 'impersonation', 'mailbox-access'] as const) {
        assertEwsTrace(result, step, lab.ewsUrl, /^< 200\n(< .*\n)*< content-type: text\/xml[^\n]*\n(< .*\n)*<\n< .*ResponseClass="Success"/m);
      }
      assert.match(stepOf(result, 'authentication').trace ?? '', /DistinguishedFolderId Id="inbox"/);
      const permissions = stepOf(result, 'permissions').trace ?? '';
      assertEwsTrace(result, 'permissions', lab.ewsUrl, /^< 200$/m);
      for (const folder of ['sentitems', 'drafts', 'calendar', 'contacts', 'tasks']) assert.match(permissions, new RegExp(`DistinguishedFolderId Id="${folder}"`));
      assertNoCredentials(result);
    });

    it(`${protocol.toUpperCase()}, wrong password: the authentication step shows the refused request and why, without the password`, async () => {
      const lab = protocol === 'ntlm' ? ntlm : basic;
      const profile = await createProfile(ctx, credentials(lab, `${protocol} trace wrong`, protocol, WRONG));
      const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX });
      const auth = stepOf(result, 'authentication');
      assert.equal(auth.ok, false);
      const trace = auth.trace ?? '';
      assert.ok(trace.startsWith(`> POST ${lab.ewsUrl}`), trace);
      assert.match(trace, /^! auth_failed: Authentication to 127\.0\.0\.1:\d+ failed: the server refused/m);
      assert.match(trace, protocol === 'ntlm' ? /server offers NTLM/ : /the Basic credentials of CONTOSO\\\\?svc-dovetail/);
      assertNoCredentials(result);
    });
  }

  it('Autodiscover: the step shows the attempts and the last Autodiscover request with its answer', async () => {
    const profile = await createProfile(ctx, { ...credentials(ntlm, 'ntlm autodiscover trace', 'ntlm', PASSWORD), autodiscover: true, incomingServerUrl: null, outgoingServerUrl: null });
    const env: TestEnvironment = { lab: { allowLoopback: true, lookup: loopbackLookup, autodiscoverPort: Number(new URL(ntlm.baseUrl).port), resolveSrv: async () => [] } };
    const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    const trace = stepOf(result, 'autodiscover').trace ?? '';
    assert.match(trace, /^SOAP https:\/\/autodiscover\.contoso\.lab:\d+\/autodiscover\/autodiscover\.svc -> settings/m);
    assert.match(trace, /^> POST https:\/\/autodiscover\.contoso\.lab:\d+\/autodiscover\/autodiscover\.svc$/m);
    assert.match(trace, /^> Authorization: \[redacted\]$/m);
    assert.match(trace, /GetUserSettingsRequestMessage/);
    assert.match(trace, /^< 200$/m);
    assert.match(trace, /ExternalEwsUrl|InternalEwsUrl/);
    assertNoCredentials(result);
  });
});

describe('Test Connection traces: Hybrid Modern Auth and Exchange Online (Graph lab)', () => {
  let auth: ModernAuthLab;
  let ews: LabHandle;
  let graph: GraphLab;
  let t: TestStore;
  let ctx: UseCaseContext;
  let env: TestEnvironment;
  /** Every access token the EWS and Graph labs were sent: none may appear in a result. */
  const seenTokens: string[] = [];
  const secrets: string[] = [KV_SECRET];

  before(async () => {
    auth = await startModernAuthLab();
    const verify = labEntraBearer(auth.entra, [`https://${EWS_HOST}`]);
    ews = await startLab({ authSchemes: ['Bearer'], verifyBearer: (token) => (seenTokens.push(token), verify(token)) });
    graph = await startGraphLab({
      ca: auth.ca,
      verifyToken: (token) => {
        seenTokens.push(token);
        const check = auth.entra.verifyAccessToken(token, ['https://graph.microsoft.com']);
        return check.ok ? { appId: check.claims.appid, roles: check.claims.roles } : null;
      },
    });
    graph.addMailbox(EXO_MAILBOX, { displayName: 'Alex' });
    t = await openTestStore('pglite');
    await t.store.settings.save({ ...(await t.store.settings.get()), defaultExchangeOnlineTenantId: TENANT });
    ctx = { store: t.store, clock: auth.clock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'e2e' } } };
    env = { authLog: auth.log, lab: { allowLoopback: true, entraAuthorityOrigin: auth.entra.url, graphRoot: graph.url, trustedCaPems: [auth.ca.caCertPem] } };
  });
  after(async () => {
    await t.dispose();
    await graph.close();
    await ews.close();
    await auth.close();
  });

  const assertNoTokens = (result: TestConnectionResult): void => {
    assert.ok(seenTokens.length > 0, 'the labs saw no token');
    assertNoSecrets(result, [...secrets, ...seenTokens]);
    assert.doesNotMatch(JSON.stringify(result), /Bearer (?!\[redacted\])\S/);
    assert.doesNotMatch(JSON.stringify(result), /Authorization: (?!\[redacted\])/i);
  };

  it('Hybrid Modern Auth: authentication shows the token claims (never the token) and the EWS exchange made with it', async () => {
    const profile = await createProfile(ctx, {
      name: 'HMA trace',
      serverType: 'exchange-server',
      autodiscover: false,
      trustedCaBundle: `${ews.caCertPem}\n${auth.ca.caCertPem}`,
      auth: {
        type: 'hybrid-modern-auth', ewsUrl: ews.ewsUrl, aadResourceId: `https://${EWS_HOST}`, tenantId: TENANT, hmaApplicationId: HMA_APP,
        keyVaultUri: auth.vault.vaultUri, keyVaultKeyName: CERT_NAME, keyVaultApplicationId: KV_APP, keyVaultClientSecret: KV_SECRET,
      },
    });
    const result = await testProfileConnection(ctx, profile.id, { mailbox: ALEX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    const trace = stepOf(result, 'authentication').trace ?? '';
    assert.match(trace, /^< access token \[redacted\], valid until \d{4}-/m);
    assert.match(trace, new RegExp(`^< aud: https://${EWS_HOST.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(trace, new RegExp(`^< appid: ${HMA_APP}$`, 'm'));
    assert.match(trace, /^< roles: .*full_access_as_app/m);
    assert.match(trace, new RegExp(`^> POST ${ews.ewsUrl.replace(/[.?]/g, '\\$&')}$`, 'm'));
    assert.match(trace, /^< 200$/m);
    for (const step of ['impersonation', 'mailbox-access', 'permissions'] as const) assert.match(stepOf(result, step).trace ?? '', /^< 200$/m, step);
    assertNoTokens(result);
  });

  it('Exchange Online: every Graph step shows its request and Graph answer; the permissions step shows the roles it read', async () => {
    const cert = auth.ca.issueClientCert(EXO_APP);
    auth.entra.directory.addApp(TENANT, { clientId: EXO_APP, certificates: [cert.certPem], grants: { 'https://graph.microsoft.com': ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'Tasks.ReadWrite.All', 'User.Read.All'] } });
    secrets.push(cert.keyPem.split('\n').slice(1, 3).join('\n'));
    const profile = await createProfile(ctx, {
      name: 'EXO trace',
      serverType: 'exchange-online',
      auth: { type: 'app-certificate', useDefaultTenantId: true, applicationId: EXO_APP, cloud: 'global', certificateSource: 'pem', certificate: cert.keyPem + cert.certPem },
    });
    const result = await testProfileConnection(ctx, profile.id, { mailbox: EXO_MAILBOX }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.match(stepOf(result, 'tls').trace ?? '', /^< certificate subject: /m);
    const authentication = stepOf(result, 'authentication').trace ?? '';
    assert.match(authentication, /^< aud: https:\/\/graph\.microsoft\.com/m);
    assert.match(stepOf(result, 'permissions').trace ?? '', /^< roles: .*Mail\.Send/m);

    // mailbox-access gathers the directory, inbox, calendar, contacts and To Do steps: each exchange is there.
    const access = stepOf(result, 'mailbox-access').trace ?? '';
    const root = graph.url.replace(/\/$/, '');
    for (const path of ['/users/alex%40contoso.com?%24select=id%2CdisplayName', '/users/alex%40contoso.com/mailFolders/inbox?%24select=id', '/users/alex%40contoso.com/calendarView/delta', '/users/alex%40contoso.com/contactFolders/contacts/contacts/delta', '/users/alex%40contoso.com/todo/lists']) {
      assert.ok(access.includes(`> GET ${root}/v1.0${path}`), `${path} not in ${access}`);
    }
    assert.match(access, /^> Authorization: \[redacted\]$/m);
    assert.match(access, /^> prefer: odata\.maxpagesize=1$/m);
    assert.match(access, /^< 200$/m);
    assert.match(access, /"displayName":"Alex"/);
    assertNoTokens(result);
  });

  it('Exchange Online, unknown mailbox: the failed step shows the request and Graph’s error answer', async () => {
    const profile = (await t.store.profiles.list()).find((p) => p.name === 'EXO trace');
    assert.ok(profile, 'the previous test creates the profile');
    const result = await testProfileConnection(ctx, profile.id, { mailbox: 'nobody@contoso.com' }, env);
    const step = stepOf(result, 'mailbox-access');
    assert.equal(step.ok, false);
    const trace = step.trace ?? '';
    assert.ok(trace.includes(`> GET ${graph.url.replace(/\/$/, '')}/v1.0/users/nobody%40contoso.com`), trace);
    assert.match(trace, /^< 404$/m);
    assert.match(trace, /^! graph_\w+ \[(Request_ResourceNotFound|ErrorInvalidUser)\]: Microsoft Graph answered 404/m);
    assertNoTokens(result);
  });
});
