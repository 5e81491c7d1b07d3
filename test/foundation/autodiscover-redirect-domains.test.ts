/**
 * The profile's autodiscoverAllowedRedirectDomains reaches Autodiscover through openDriver: the
 * lab answers a mailbox @legacy.<domain> with a redirect to @<domain>, which Dovetail follows
 * only when the profile names <domain>. Also through the API: stored, returned and validated.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom, systemClock } from '../../src/clock.ts';
import { profileDefaults, type EmailServerProfile } from '../../src/domain/profile.ts';
import type { ProfileAuth } from '../../src/domain/profile-auth.ts';
import { autodiscoverRedirectDomains, openDriver, type OpenDriverDeps } from '../../src/exchange/index.ts';
import { AutodiscoverEwsDriver } from '../../src/exchange/open-autodiscover.ts';
import { loopbackLookup } from '../../src/exchange/ews/transport-test-pki.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { bearer, openApiHarness, type ApiHarness } from './api-harness.ts';

const auth: ProfileAuth = { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail' };

describe('autodiscoverRedirectDomains', () => {
  const deps: OpenDriverDeps = { clock: systemClock, random: seededRandom(1) };
  it("adds the profile's domains to the caller's, once each", () => {
    assert.deepEqual(autodiscoverRedirectDomains({ autodiscoverAllowedRedirectDomains: [] }, deps), []);
    assert.deepEqual(autodiscoverRedirectDomains({ autodiscoverAllowedRedirectDomains: ['Fabrikam.com', 'contoso.net'] }, { ...deps, allowedRedirectDomains: ['fabrikam.com'] }), [
      'fabrikam.com', 'contoso.net',
    ]);
  });
});

describe('Autodiscover follows a redirect only to the domains the profile allows (Exchange lab)', () => {
  let lab: LabHandle;
  let deps: OpenDriverDeps;
  before(async () => {
    lab = await startLab();
    const port = Number(new URL(lab.baseUrl).port);
    deps = {
      clock: systemClock,
      random: seededRandom(5),
      lab: {
        allowLoopback: true,
        lookup: loopbackLookup,
        autodiscoverPort: port,
        // The legacy domain's SRV record points at the parent domain's Autodiscover host.
        resolveSrv: async (name) => (name === `_autodiscover._tcp.legacy.${lab.domain}` ? [{ name: `autodiscover.${lab.domain}`, port, priority: 0, weight: 0 }] : []),
      },
    };
  });
  after(async () => lab?.close());

  const profile = (domains: string[]): EmailServerProfile => ({
    ...profileDefaults(auth), id: 'p1', name: 'Lab', serverType: 'exchange-server', auth, secretsSet: ['password'], autodiscover: true,
    autodiscoverAllowedRedirectDomains: domains, trustedCaBundle: lab.caCertPem, connectionTimeoutSeconds: 10,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const discover = async (domains: string[]) => {
    const driver = openDriver(profile(domains), { password: 'Lab-Service-2026!' }, deps);
    assert.ok(driver instanceof AutodiscoverEwsDriver);
    const user = lab.users[1]!;
    try {
      return { user, result: await driver.autodiscover.discover(user.smtp.replace(`@${lab.domain}`, `@legacy.${lab.domain}`)) };
    } finally {
      await driver.close();
    }
  };

  it('refuses the redirect to another domain when the profile allows none', async () => {
    await assert.rejects(discover([]), /found no EWS URL/);
  });

  it("follows it when the profile names the other domain, and ends at the mailbox's EWS URL", async () => {
    const { user, result } = await discover([lab.domain]);
    assert.equal(result.emailAddress.toLowerCase(), user.smtp.toLowerCase());
    assert.match(result.ewsUrl, /\/EWS\/Exchange\.asmx$/i);
    assert.ok(result.attempts.some((a) => a.method === 'redirect' && a.outcome === 'followed'), JSON.stringify(result.attempts));
  });

  it('does not follow it for a domain that is not the one redirected to', async () => {
    await assert.rejects(discover(['fabrikam.com']), /found no EWS URL/);
  });
});

describe('autodiscoverAllowedRedirectDomains in the API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await openApiHarness();
  });
  after(() => h?.close());
  const F = 'autodiscoverAllowedRedirectDomains';
  const body = { name: 'On-premises', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc', password: 'pw' } };

  it('defaults to an empty list, stores what is given, and documents the field', async () => {
    const created = await h.api.inject({ method: 'POST', url: '/api/profiles', headers: bearer(h.adminToken), payload: body });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json()[F], []);
    const id = created.json().id as string;
    const changed = await h.api.inject({ method: 'PATCH', url: `/api/profiles/${id}`, headers: bearer(h.adminToken), payload: { [F]: ['fabrikam.com', 'contoso.net'] } });
    assert.equal(changed.statusCode, 200, changed.body);
    const read = await h.api.inject({ method: 'GET', url: `/api/profiles/${id}`, headers: bearer(h.adminToken) });
    assert.deepEqual(read.json()[F], ['fabrikam.com', 'contoso.net']);
    assert.deepEqual((await h.store.profiles.require(id))[F], ['fabrikam.com', 'contoso.net']);
    const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.ok(F in doc.paths['/api/profiles'].post.requestBody.content['application/json'].schema.properties);
  });

  it('refuses what is not a domain name, and the field without Autodiscover, naming the field', async () => {
    const bad = await h.api.inject({ method: 'POST', url: '/api/profiles', headers: bearer(h.adminToken), payload: { ...body, name: 'Bad', [F]: ['https://fabrikam.com/'] } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual(bad.json().details.issues.map((i: { field: string; rule: string }) => [i.field, i.rule]), [[F, 'domain']]);
    const manual = await h.api.inject({
      method: 'POST', url: '/api/profiles', headers: bearer(h.adminToken),
      payload: { ...body, name: 'Manual', autodiscover: false, incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', [F]: ['fabrikam.com'] },
    });
    assert.equal(manual.statusCode, 400, manual.body);
    assert.deepEqual(manual.json().details.issues.map((i: { field: string; rule: string }) => [i.field, i.rule]), [[F, 'autodiscover-on']]);
  });
});
