/**
 * Dovetail's Autodiscover client against the Exchange lab's Autodiscover (an independent
 * implementation of the server side), over NTLMv2 with Extended Protection required.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom, systemClock } from '../../src/clock.ts';
import { type AutodiscoverOptions, createAutodiscover } from '../../src/exchange/ews/autodiscover/autodiscover.ts';
import { createEwsTransport, type EwsTransport } from '../../src/exchange/ews/transport.ts';
import { loopbackLookup } from '../../src/exchange/ews/transport-test-pki.ts';
import { type LabHandle, startLab } from '../../src/lab/lab.ts';

describe('Autodiscover against the lab (NTLM, Extended Protection required)', () => {
  let lab: LabHandle;
  let transport: EwsTransport;
  let port: number;
  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'], extendedProtection: 'require' });
    port = Number(new URL(lab.baseUrl).port);
    transport = createEwsTransport({
      auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
      trustedCaPem: lab.caCertPem,
      maxConnections: 2,
      lookup: loopbackLookup,
      clock: systemClock,
      random: seededRandom(21),
    });
  });
  after(async () => {
    await transport.close();
    await lab.close();
  });
  const autodiscover = (overrides: Partial<AutodiscoverOptions> = {}) =>
    createAutodiscover({ transport, clock: systemClock, random: seededRandom(22), allowLoopback: true, port, lookup: loopbackLookup, resolveSrv: async () => [], timeoutMs: 10_000, ...overrides });

  it('finds the EWS URL through the derived autodiscover.<domain> endpoint', async () => {
    const user = lab.users[0]!;
    const result = await autodiscover().discover(user.smtp);
    assert.equal(result.format, 'soap');
    assert.equal(new URL(result.autodiscoverUrl).hostname, `autodiscover.${lab.domain}`);
    assert.match(result.ewsUrl, /\/EWS\/Exchange\.asmx$/i);
    assert.equal(result.userDisplayName, user.displayName);
    // https://<domain> is tried first and refused by TLS: the lab certificate does not name the bare domain.
    assert.match(result.attempts[0]!.detail, /^tls_failed/);
  });

  it('follows the lab\'s RedirectAddress from legacy.<domain> to the parent <domain> only when the profile allows it', async () => {
    const user = lab.users[1]!;
    const legacy = user.smtp.replace(`@${lab.domain}`, `@legacy.${lab.domain}`);
    // The parent domain is another domain: following it unasked is how "autodiscover.<tld>" leaks start.
    await assert.rejects(autodiscover({ configuredUrls: [lab.autodiscoverUrl] }).discover(legacy), /found no EWS URL/);
    const result = await autodiscover({ configuredUrls: [lab.autodiscoverUrl], allowedRedirectDomains: [lab.domain] }).discover(legacy);
    assert.equal(result.emailAddress.toLowerCase(), user.smtp.toLowerCase());
    assert.ok(result.attempts.some((a) => a.method === 'redirect' && a.outcome === 'followed'));
  });
});
