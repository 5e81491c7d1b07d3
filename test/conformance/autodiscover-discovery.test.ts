/**
 * Autodiscover end to end against a local HTTPS server on 127.0.0.1 that plays every host
 * (contoso.com, autodiscover.contoso.com, mail.contoso.com, …; names resolve to 127.0.0.1 through
 * the injected lookup, so nothing leaves the machine). Answers are the kit's published samples.
 */
import assert from 'node:assert/strict';
import type { SrvRecord } from 'node:dns';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { AppError } from '../../src/errors.ts';
import { type AutodiscoverOptions, createAutodiscover, MAX_REDIRECTS } from '../../src/exchange/ews/autodiscover/autodiscover.ts';
import { createEwsTransport, type EwsTransport } from '../../src/exchange/ews/transport.ts';
import { createTestPki, loopbackLookup } from '../../src/exchange/ews/transport-test-pki.ts';
import { conformancePath, conformanceSkip } from '../support/env.ts';

const skip = conformanceSkip();
const sample = (name: string): string => readFileSync(conformancePath(`autodiscover/${name}`), 'utf8');
const HOSTS = ['contoso.com', 'autodiscover.contoso.com', 'mail.contoso.com', 'autodiscover.mail.contoso.com', 'fabrikam.com', 'autodiscover.fabrikam.com', 'autodiscover.com', 'internal.contoso.com'];
const START = Date.UTC(2026, 10, 22, 3, 0, 0);

type Seen = { host: string; path: string; authorization: string | undefined; body: string };
type Reply = { status: number; headers?: Record<string, string>; body?: string };
type Route = (host: string, path: string, body: string) => Reply;

describe('Autodiscover discovery', { skip }, () => {
  let server: Server;
  let port: number;
  let transport: EwsTransport;
  let caPem: string;
  let route: Route;
  let seen: Seen[];
  const clock = fixedClock(START);
  const notFound: Route = () => ({ status: 404 });

  before(async () => {
    const pki = createTestPki(new Date());
    caPem = pki.caPem;
    const cert = pki.issue({ commonName: 'autodiscover.contoso.com', altNames: HOSTS });
    server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const host = (req.headers.host ?? '').replace(/:\d+$/, '');
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ host, path: req.url ?? '', authorization: req.headers.authorization, body });
        const reply = route(host, req.url ?? '', body);
        res.writeHead(reply.status, { 'content-type': 'text/xml; charset=utf-8', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    transport = createEwsTransport({ auth: { type: 'basic', username: 'CONTOSO\\svc-dovetail', password: 'pw' }, maxConnections: 2, trustedCaPem: caPem, lookup: loopbackLookup, clock, random: seededRandom(5) });
  });
  after(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
    route = notFound;
    clock.set(START);
  });

  const noSrv = async (): Promise<SrvRecord[]> => {
    throw Object.assign(new Error('queryNoData'), { code: 'ENODATA' });
  };
  const autodiscover = (overrides: Partial<AutodiscoverOptions> = {}) =>
    createAutodiscover({ transport, clock, random: seededRandom(9), allowLoopback: true, port, lookup: loopbackLookup, resolveSrv: noSrv, timeoutMs: 5_000, ...overrides });
  const url = (host: string, path: string): string => `https://${host}:${port}${path}`;
  const ewsAnswer = (): Reply => ({ status: 200, body: sample('SOAP-GetUserSettings-EwsUrl-ExternalEwsUrl-response.xml') });
  const failure = async (promise: Promise<unknown>, code: string): Promise<AppError> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      assert.equal(error.code, code, error.message);
      return error;
    }
    return assert.fail(`expected ${code}`);
  };

  it('tries the documented endpoints in order, SOAP then POX, never autodiscover.<tld>, then SRV', async () => {
    const error = await failure(autodiscover({ configuredUrls: [url('scp.contoso.com', '/autodiscover/autodiscover.xml')] }).discover('user@contoso.com'), 'autodiscover_failed');
    const attempts = error.details['attempts'] as Array<{ url: string; method: string; outcome: string }>;
    assert.deepEqual(
      attempts.map((a) => `${a.method} ${a.url} ${a.outcome}`),
      [
        `soap ${url('scp.contoso.com', '/autodiscover/autodiscover.svc')} error`,
        `pox ${url('scp.contoso.com', '/autodiscover/autodiscover.xml')} skipped`,
        `soap ${url('contoso.com', '/autodiscover/autodiscover.svc')} http_error`,
        `pox ${url('contoso.com', '/autodiscover/autodiscover.xml')} http_error`,
        `soap ${url('autodiscover.contoso.com', '/autodiscover/autodiscover.svc')} http_error`,
        `pox ${url('autodiscover.contoso.com', '/autodiscover/autodiscover.xml')} http_error`,
        'redirect http://autodiscover.contoso.com/autodiscover/autodiscover.xml skipped',
        'srv _autodiscover._tcp.contoso.com error',
      ],
    );
    // scp.contoso.com is not in the certificate: a TLS refusal, and the host is not retried for POX.
    assert.match(attempts[0]!.url, /scp/);
    assert.ok(!seen.some((s) => s.host === 'autodiscover.com'));
    assert.deepEqual(seen.map((s) => s.host), ['contoso.com', 'contoso.com', 'autodiscover.contoso.com', 'autodiscover.contoso.com']);
    assert.equal(error.kind, 'transient');
  });

  it('answers from SOAP with the profile credentials, the published response read as published', async () => {
    route = (host, path) => (host === 'autodiscover.contoso.com' && path.endsWith('.svc') ? ewsAnswer() : { status: 404 });
    const result = await autodiscover().discover('User1@contoso.com');
    assert.equal(result.ewsUrl, 'https://server.Contoso.com/ews/exchange.asmx');
    assert.equal(result.serverVersion, '15.0.160.4');
    assert.equal(result.format, 'soap');
    assert.equal(result.autodiscoverUrl, url('autodiscover.contoso.com', '/autodiscover/autodiscover.svc'));
    assert.equal(result.source, 'network');
    assert.equal(result.attempts.at(-1)?.outcome, 'settings');
    const request = seen.at(-1)!;
    assert.equal(request.authorization, `Basic ${Buffer.from('CONTOSO\\svc-dovetail:pw').toString('base64')}`);
    assert.match(request.body, /<a:Mailbox>User1@contoso\.com<\/a:Mailbox>/);
  });

  it('falls back to POX where SOAP is not offered', async () => {
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.xml') ? { status: 200, body: sample('POX-howto-response.xml') } : { status: 404 });
    const result = await autodiscover().discover('mara@contoso.com');
    assert.equal(result.format, 'pox');
    assert.equal(result.ewsUrl, 'https://mail.contoso.com/EWS/Exchange.asmx');
    assert.equal(result.userDisplayName, 'Mara Whitley');
    assert.deepEqual(result.attempts.map((a) => `${a.method} ${a.outcome}`), ['soap http_error', 'pox settings']);
  });

  it('RedirectAddress within the domain restarts with the new address (published sample)', async () => {
    route = (host, path, body) => {
      if (host === 'contoso.com' && path.endsWith('.svc')) return { status: 200, body: sample('SOAP-GetUserSettings-error-response.xml') };
      if (host === 'mail.contoso.com' && body.includes('elvin@mail.contoso.com')) return ewsAnswer();
      return { status: 404 };
    };
    const result = await autodiscover().discover('elvin@contoso.com');
    assert.equal(result.emailAddress, 'elvin@mail.contoso.com');
    assert.equal(result.ewsUrl, 'https://server.Contoso.com/ews/exchange.asmx');
    assert.deepEqual(
      result.attempts.map((a) => `${a.method} ${a.outcome}`),
      ['soap redirect', 'redirect followed', 'soap settings'],
    );
  });

  it('RedirectAddress to the address just sent is not followed', async () => {
    route = (host, path) => (path.endsWith('.svc') ? { status: 200, body: sample('SOAP-GetUserSettings-error-response.xml') } : { status: 404 });
    const error = await failure(autodiscover().discover('elvin@mail.contoso.com'), 'autodiscover_failed');
    const attempts = error.details['attempts'] as Array<{ method: string; outcome: string; detail: string }>;
    assert.ok(attempts.some((a) => a.outcome === 'refused' && /same address/.test(a.detail)));
    assert.ok(!attempts.some((a) => a.outcome === 'followed'));
  });

  it('HTTP 302 within the domain is followed; to another domain only when allowed', async () => {
    const target = url('fabrikam.com', '/autodiscover/autodiscover.svc');
    route = (host) => (host === 'contoso.com' ? { status: 302, headers: { location: target } } : host === 'fabrikam.com' ? ewsAnswer() : { status: 404 });
    const refused = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_failed');
    const attempts = refused.details['attempts'] as Array<{ url: string; method: string; outcome: string; detail: string }>;
    assert.ok(attempts.some((a) => a.url === target && a.outcome === 'refused' && /not in the allowed redirect domains/.test(a.detail)));
    assert.ok(!seen.some((s) => s.host === 'fabrikam.com'));

    seen = [];
    const allowed = await autodiscover({ allowedRedirectDomains: ['fabrikam.com'] }).discover('user@contoso.com');
    assert.equal(allowed.autodiscoverUrl, target);
    assert.deepEqual(allowed.attempts.map((a) => `${a.method} ${a.outcome}`), ['soap redirect', 'redirect followed', 'soap settings']);
  });

  it('RedirectAddress to another domain is refused unless allowed', async () => {
    const redirect = sample('SOAP-GetUserSettings-error-response.xml').replace('elvin@mail.contoso.com', 'elvin@fabrikam.com');
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? { status: 200, body: redirect } : host === 'fabrikam.com' ? ewsAnswer() : { status: 404 });
    const error = await failure(autodiscover().discover('elvin@contoso.com'), 'autodiscover_failed');
    assert.ok((error.details['attempts'] as Array<{ outcome: string; detail: string }>).some((a) => a.outcome === 'refused' && /fabrikam\.com/.test(a.detail)));
    assert.ok(!seen.some((s) => s.host.endsWith('fabrikam.com')));
    const result = await autodiscover({ allowedRedirectDomains: ['fabrikam.com'] }).discover('elvin@contoso.com');
    assert.equal(result.emailAddress, 'elvin@fabrikam.com');

    // An address whose domain is a bare TLD is never followed (it would make autodiscover.<tld> a candidate).
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? { status: 200, body: redirect.replace('elvin@fabrikam.com', 'elvin@com') } : { status: 404 });
    seen = [];
    const bare = await failure(autodiscover({ allowedRedirectDomains: ['com'] }).discover('elvin@contoso.com'), 'autodiscover_failed');
    assert.ok((bare.details['attempts'] as Array<{ outcome: string; detail: string }>).some((a) => a.outcome === 'refused' && /no fully qualified domain/.test(a.detail)));
    assert.ok(!seen.some((s) => s.host === 'autodiscover.com' || s.host === 'com'));
  });

  it('SOAP RedirectUrl is resent to the new URL; an unusable one is refused without a crash', async () => {
    const redirectTo = (target: string): string =>
      sample('SOAP-GetUserSettings-error-response.xml')
        .replace('<ErrorCode>RedirectAddress</ErrorCode>', '<ErrorCode>RedirectUrl</ErrorCode>')
        .replace('elvin@mail.contoso.com', target);
    const target = url('mail.contoso.com', '/autodiscover/autodiscover.svc');
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? { status: 200, body: redirectTo(target) } : host === 'mail.contoso.com' ? ewsAnswer() : { status: 404 });
    const result = await autodiscover().discover('user@contoso.com');
    assert.equal(result.autodiscoverUrl, target);
    assert.deepEqual(result.attempts.map((a) => `${a.method} ${a.outcome}`), ['soap redirect', 'redirect followed', 'soap settings']);

    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? { status: 200, body: redirectTo('not a url') } : { status: 404 });
    const error = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_failed');
    assert.ok((error.details['attempts'] as Array<{ outcome: string; detail: string }>).some((a) => a.outcome === 'refused' && a.detail === 'not a valid URL'));
  });

  it('ServerBusy: the URL is tried again after the others, once', async () => {
    const busy = sample('SOAP-GetUserSettings-error-response.xml')
      .replace('<ErrorCode>RedirectAddress</ErrorCode>', '<ErrorCode>ServerBusy</ErrorCode>')
      .replace('<RedirectTarget>elvin@mail.contoso.com</RedirectTarget>', '<RedirectTarget />');
    let calls = 0;
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? (++calls === 1 ? { status: 200, body: busy } : ewsAnswer()) : { status: 404 });
    const result = await autodiscover().discover('user@contoso.com');
    assert.equal(result.autodiscoverUrl, url('contoso.com', '/autodiscover/autodiscover.svc'));
    assert.deepEqual(result.attempts.map((a) => `${a.method} ${new URL(a.url).hostname} ${a.outcome}`), [
      'soap contoso.com error',
      'pox contoso.com http_error',
      'soap autodiscover.contoso.com http_error',
      'pox autodiscover.contoso.com http_error',
      'soap contoso.com settings',
    ]);

    calls = 0;
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? { status: 200, body: busy } : { status: 404 });
    const error = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_failed');
    assert.equal((error.details['attempts'] as Array<{ detail: string }>).filter((a) => a.detail.startsWith('ServerBusy')).length, 2);
  });

  it('refuses a DOCTYPE (no entity expansion) and an oversized answer, recording why, without crashing', async () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "https://evil.example/EWS/Exchange.asmx">]>${sample('SOAP-GetUserSettings-EwsUrl-ExternalEwsUrl-response.xml').replace('https://server.Contoso.com/ews/exchange.asmx', '&x;')}`;
    const huge = `<Autodiscover>${' '.repeat(2 << 20)}</Autodiscover>`;
    route = (host, path) => (host === 'contoso.com' ? { status: 200, body: path.endsWith('.svc') ? doctype : huge } : { status: 404 });
    const error = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_failed');
    const details = (error.details['attempts'] as Array<{ url: string; detail: string }>).filter((a) => a.url.startsWith(url('contoso.com', '/'))).map((a) => a.detail);
    assert.match(details[0]!, /unreadable response: .*DOCTYPE/);
    assert.match(details[1]!, /unreadable response: .*larger than 1048576 bytes/);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    let n = 0;
    route = (host) => (host === 'contoso.com' ? { status: 302, headers: { location: `/autodiscover/autodiscover.svc?hop=${++n}` } } : { status: 404 });
    const error = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_too_many_redirects');
    const attempts = error.details['attempts'] as Array<{ outcome: string }>;
    assert.equal(attempts.filter((a) => a.outcome === 'followed').length, MAX_REDIRECTS);
    assert.equal(seen.length, MAX_REDIRECTS + 1);
  });

  it('never follows a redirect to plain HTTP, to a private address, or to loopback unless allowed', async () => {
    const privateLookup: LookupFunction = (hostname, options, callback) =>
      hostname === 'internal.contoso.com' ? (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '10.1.2.3', family: 4 }]) : loopbackLookup(hostname, options, callback);
    let hop = 0;
    const targets = ['http://contoso.com/autodiscover/autodiscover.svc', url('internal.contoso.com', '/autodiscover/autodiscover.svc')];
    route = (host) => (host === 'contoso.com' ? { status: 302, headers: { location: targets[hop++ % 2]! } } : { status: 404 });
    const error = await failure(autodiscover({ lookup: privateLookup }).discover('user@contoso.com'), 'autodiscover_failed');
    const refused = (error.details['attempts'] as Array<{ outcome: string; detail: string }>).filter((a) => a.outcome === 'refused').map((a) => a.detail);
    assert.deepEqual(refused, ['not an HTTPS URL', 'internal.contoso.com resolves to private address 10.1.2.3']);

    seen = [];
    const noLoopback = await failure(autodiscover({ allowLoopback: false }).discover('user@contoso.com'), 'autodiscover_failed');
    assert.equal(seen.length, 0);
    assert.ok((noLoopback.details['attempts'] as Array<{ outcome: string; detail: string }>).some((a) => /loopback address 127\.0\.0\.1/.test(a.detail)));
  });

  it('uses the best SRV record on the HTTPS port when the derived endpoints fail', async () => {
    const records: SrvRecord[] = [
      { name: 'mail.contoso.com', port, priority: 0, weight: 10 },
      { name: 'autodiscover.com', port: 80, priority: 0, weight: 100 },
      { name: 'fabrikam.com', port, priority: 5, weight: 100 },
    ];
    route = (host) => (host === 'mail.contoso.com' ? ewsAnswer() : { status: 404 });
    const result = await autodiscover({ resolveSrv: async () => records }).discover('user@contoso.com');
    assert.equal(result.autodiscoverUrl, url('mail.contoso.com', '/autodiscover/autodiscover.svc'));
    assert.ok(result.attempts.some((a) => a.method === 'srv' && a.outcome === 'followed'));
    assert.ok(!seen.some((s) => s.host === 'autodiscover.com' || s.host === 'fabrikam.com'));
  });

  it('caches per domain for 24 hours, refreshes after, on demand and keeps the last answer when a due refresh fails', async () => {
    route = (host, path) => (host === 'contoso.com' && path.endsWith('.svc') ? ewsAnswer() : { status: 404 });
    const ad = autodiscover();
    const first = await ad.discover('a@contoso.com');
    assert.equal(first.source, 'network');
    const requests = seen.length;
    clock.advance(23 * 3600_000);
    const cached = await ad.discover('b@contoso.com');
    assert.equal(cached.source, 'cache');
    assert.equal(cached.ewsUrl, first.ewsUrl);
    assert.equal(seen.length, requests);

    clock.advance(2 * 3600_000);
    assert.equal((await ad.discover('a@contoso.com')).source, 'network');
    assert.equal(seen.length, requests * 2);

    assert.equal((await ad.discover('a@contoso.com', { forceRefresh: true })).source, 'network');
    ad.invalidate('contoso.com');
    assert.equal((await ad.discover('a@contoso.com')).source, 'network');

    route = () => ({ status: 503 });
    clock.advance(25 * 3600_000);
    const stale = await ad.discover('a@contoso.com');
    assert.equal(stale.source, 'stale-cache');
    assert.equal(stale.ewsUrl, first.ewsUrl);
    assert.ok(stale.attempts.some((a) => a.detail === 'HTTP 503'));
    await failure(ad.discover('a@contoso.com', { forceRefresh: true }), 'autodiscover_failed');
  });

  it('refuses an address without a fully qualified domain (no autodiscover.<tld>)', async () => {
    await failure(autodiscover().discover('user@com'), 'autodiscover_invalid_address');
    assert.equal(seen.length, 0);
  });

  it('a server refusing the credentials makes the failure kind auth', async () => {
    route = () => ({ status: 401, headers: { 'www-authenticate': 'Negotiate, NTLM' } });
    const error = await failure(autodiscover().discover('user@contoso.com'), 'autodiscover_failed');
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /4 endpoint\(s\) refused the credentials/);
    assert.ok((error.details['attempts'] as Array<{ detail: string }>).some((a) => /Basic is disabled/.test(a.detail)));
  });
});
