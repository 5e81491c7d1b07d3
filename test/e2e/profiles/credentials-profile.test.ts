/**
 * Credentials profiles (NTLM with ApplicationImpersonation) end to end against the Exchange lab:
 * created through the admin API, Test Connection over the API (manual URL) and through the use case
 * with Autodiscover, one real sync call through openDriver, and the failures an administrator meets
 * (wrong password, impersonation denied, untrusted certificate), with no secret in any step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, systemRandom } from '../../../src/clock.ts';
import { testProfileConnection } from '../../../src/diagnostics/test-connection/test-profile-connection.ts';
import type { TestConnectionResult } from '../../../src/diagnostics/test-connection/test-connection.ts';
import { openDriver } from '../../../src/exchange/index.ts';
import { loopbackLookup } from '../../../src/exchange/ews/transport-test-pki.ts';
import { startLab, type LabHandle } from '../../../src/lab/lab.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { bearer, openApiHarness, type ApiHarness } from '../../foundation/api-harness.ts';
import { assertNoSecrets, stepOf } from './profile-e2e.ts';

const SERVICE_PASSWORD = 'Lab-Service-2026!';
const LIMITED_PASSWORD = 'Lab-Limited-2026!';
const WRONG_PASSWORD = 'Not-The-Password-42';

describe('credentials profiles against the Exchange lab (NTLM, impersonation)', () => {
  let lab: LabHandle;
  let h: ApiHarness;
  let ctx: UseCaseContext;
  const alex = () => lab.users[0]!.smtp;
  const megan = () => lab.users[1]!.smtp;

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    h = await openApiHarness();
    // Lab certificates and NTLM timestamps are judged by real time.
    ctx = { store: h.store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'e2e' } } };
  });
  after(async () => {
    await h.close();
    await lab.close();
  });

  const createProfile = async (name: string, fields: Record<string, unknown>): Promise<string> => {
    const r = await h.api.inject({ method: 'POST', url: '/api/profiles', headers: bearer(h.adminToken), payload: { name, serverType: 'exchange-server', ...fields } });
    assert.equal(r.statusCode, 201, r.body);
    return (r.json() as { id: string }).id;
  };
  const manual = (userName: string, password: string, trust = true) => ({
    auth: { type: 'credentials', protocol: 'ntlm', userName, password },
    autodiscover: false,
    incomingServerUrl: lab.ewsUrl,
    outgoingServerUrl: lab.ewsUrl,
    ...(trust ? { trustedCaBundle: lab.caCertPem } : {}),
  });
  const testOverApi = async (id: string, mailbox: string): Promise<TestConnectionResult> => {
    const r = await h.api.inject({ method: 'POST', url: `/api/profiles/${id}/test-connection`, headers: bearer(h.adminToken), payload: { mailbox } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as TestConnectionResult;
  };

  it('manual EWS URL: every step passes over the API, and the driver from openDriver syncs the inbox', async () => {
    const id = await createProfile('NTLM manual', manual('CONTOSO\\svc-dovetail', SERVICE_PASSWORD));
    const result = await testOverApi(id, alex());
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.deepEqual(result.steps.map((s) => s.step), ['configuration', 'autodiscover', 'tls', 'authentication', 'impersonation', 'mailbox-access', 'permissions']);
    assert.equal(stepOf(result, 'autodiscover').skipped, true);
    assert.match(stepOf(result, 'tls').detail, /trusted certificate/);
    assert.equal(result.mailbox, alex());
    assertNoSecrets(result, [SERVICE_PASSWORD]);

    const profile = await h.store.profiles.require(id);
    const driver = openDriver(profile, await h.store.profiles.getSecrets(id), { clock: systemClock, random: systemRandom });
    try {
      const inbox = await driver.getFolder(alex(), 'inbox');
      const page = await driver.syncMessages(alex(), inbox.id, null, 10);
      assert.ok(page.nextCursor.length > 0);
    } finally {
      await driver.close();
    }
  });

  it('Autodiscover: the EWS URL is found per mailbox (attempts in the trace), Test Connection passes and openDriver syncs', async () => {
    const id = await createProfile('NTLM autodiscover', { auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail', password: SERVICE_PASSWORD }, autodiscover: true, trustedCaBundle: lab.caCertPem });
    const env = { lab: { allowLoopback: true as const, lookup: loopbackLookup, autodiscoverPort: Number(new URL(lab.baseUrl).port), resolveSrv: async () => [] } };
    const result = await testProfileConnection(ctx, id, { mailbox: megan() }, env);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    const autodiscover = stepOf(result, 'autodiscover');
    assert.equal(autodiscover.skipped, false);
    assert.ok(autodiscover.detail.includes(lab.ewsUrl), autodiscover.detail);
    assert.match(autodiscover.trace ?? '', /SOAP https:\/\/autodiscover\.contoso\.lab:\d+\/autodiscover\/autodiscover\.svc -> settings/);
    assertNoSecrets(result, [SERVICE_PASSWORD]);

    // Without the lab flag, Autodiscover refuses to reach loopback addresses.
    const refused = await testProfileConnection(ctx, id, { mailbox: megan() }, { lab: { ...env.lab, allowLoopback: false as unknown as true } });
    assert.equal(stepOf(refused, 'autodiscover').ok, false);
    assert.match(stepOf(refused, 'autodiscover').trace ?? '', /loopback/);

    // A wrong password fails at the Autodiscover endpoints already: the authentication step says so.
    const wrongId = await createProfile('NTLM autodiscover wrong', { auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail', password: WRONG_PASSWORD }, autodiscover: true, trustedCaBundle: lab.caCertPem });
    const wrong = await testProfileConnection(ctx, wrongId, { mailbox: megan() }, env);
    assert.equal(stepOf(wrong, 'autodiscover').ok, false);
    assert.match(stepOf(wrong, 'autodiscover').trace ?? '', /auth_failed/);
    assert.equal(stepOf(wrong, 'authentication').ok, false);
    assert.match(stepOf(wrong, 'authentication').detail, /NTLM/);
    assertNoSecrets(wrong, [WRONG_PASSWORD]);

    const profile = await h.store.profiles.require(id);
    const driver = openDriver(profile, await h.store.profiles.getSecrets(id), { clock: systemClock, random: systemRandom, ...env });
    try {
      const inbox = await driver.getFolder(megan(), 'inbox');
      const page = await driver.syncMessages(megan(), inbox.id, null, 10);
      assert.ok(page.nextCursor.length > 0);
      assert.equal((await driver.getMailboxInfo(megan())).smtpAddress, megan());
    } finally {
      await driver.close();
    }
  });

  it('wrong password: the authentication step fails and names NTLM; later steps are skipped; exit status over the API is still 200', async () => {
    const id = await createProfile('NTLM wrong password', manual('CONTOSO\\svc-dovetail', WRONG_PASSWORD));
    const result = await testOverApi(id, alex());
    assert.equal(result.ok, false);
    assert.equal(stepOf(result, 'tls').ok, true);
    const auth = stepOf(result, 'authentication');
    assert.equal(auth.ok, false);
    assert.match(auth.detail, /NTLM/);
    assert.ok(auth.remedy !== undefined && auth.remedy.length > 0);
    for (const later of ['impersonation', 'mailbox-access', 'permissions'] as const) {
      assert.equal(stepOf(result, later).skipped, true);
      assert.equal(stepOf(result, later).ok, false);
    }
    assertNoSecrets(result, [WRONG_PASSWORD]);
  });

  it('impersonation denied: the impersonation step fails for the mailbox outside the account scope', async () => {
    const id = await createProfile('NTLM limited', manual('CONTOSO\\svc-limited', LIMITED_PASSWORD));
    const allowed = await testOverApi(id, alex());
    assert.equal(allowed.ok, true, JSON.stringify(allowed, null, 2));
    const result = await testOverApi(id, megan());
    assert.equal(result.ok, false);
    assert.equal(stepOf(result, 'authentication').ok, true, JSON.stringify(result, null, 2));
    const step = stepOf(result, 'impersonation');
    assert.equal(step.ok, false, JSON.stringify(result, null, 2));
    assert.match(step.detail, /Impersonat/i);
    assert.match(step.remedy ?? '', /ApplicationImpersonation/);
    assertNoSecrets(result, [LIMITED_PASSWORD]);
  });

  it('untrusted certificate: the tls step fails naming the certificate subject, before any credential is sent', async () => {
    const id = await createProfile('NTLM untrusted', manual('CONTOSO\\svc-dovetail', SERVICE_PASSWORD, false));
    const before = lab.api.requests(alex()).length;
    const result = await testOverApi(id, alex());
    const tls = stepOf(result, 'tls');
    assert.equal(tls.ok, false);
    assert.match(tls.detail, /certificate "[^"]*CN=[^"]+"/);
    assert.match(tls.detail, /trusted CA bundle/);
    assert.equal(stepOf(result, 'authentication').skipped, true);
    assert.equal(lab.api.requests(alex()).length, before);
  });

  it('is for administrators only, documented in OpenAPI, and names the profile when it does not exist', async () => {
    const id = await createProfile('NTLM roles', manual('CONTOSO\\svc-dovetail', SERVICE_PASSWORD));
    const token = await h.api.inject({ method: 'POST', url: '/api/tokens', headers: bearer(h.adminToken), payload: { name: 'viewer', role: 'read-only' } });
    assert.equal(token.statusCode, 201, token.body);
    const readOnly = (token.json() as { token: string }).token;
    const denied = await h.api.inject({ method: 'POST', url: `/api/profiles/${id}/test-connection`, headers: bearer(readOnly), payload: {} });
    assert.equal(denied.statusCode, 403);
    const missing = await h.api.inject({ method: 'POST', url: '/api/profiles/00000000-0000-4000-8000-000000000000/test-connection', headers: bearer(h.adminToken) });
    assert.equal(missing.statusCode, 404);
    // Without a body the profile's first mailbox is used; this profile has none, which configuration says.
    const bare = await h.api.inject({ method: 'POST', url: `/api/profiles/${id}/test-connection`, headers: bearer(h.adminToken) });
    assert.equal(bare.statusCode, 200, bare.body);
    const noMailbox = bare.json() as TestConnectionResult;
    assert.equal(noMailbox.ok, false);
    assert.equal(noMailbox.mailbox, null);
    assert.match(stepOf(noMailbox, 'configuration').detail, /no mailboxes/);
    const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/api/profiles/{id}/test-connection']?.['post'], Object.keys(doc.paths).join(', '));
  });
});
