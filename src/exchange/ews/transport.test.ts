import assert from 'node:assert/strict';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AccessToken, TokenSource } from '../../auth/token-source.ts';
import { fixedClock, seededRandom } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { createEwsTransport, type EwsTransport, type EwsTransportOptions, type HttpResponse } from './transport.ts';
import { offeredSchemes } from './transport-errors.ts';
import { createTestPki, loopbackLookup, type TestCertificate } from './transport-test-pki.ts';

const NOW = Date.now();
const day = 86_400_000;

async function text(response: HttpResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected AppError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  return assert.fail(`expected ${code}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const echo: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-auth': req.headers.authorization ?? '' });
    res.end(Buffer.concat(chunks));
  });
};

describe('EWS transport', () => {
  const transports: EwsTransport[] = [];
  const servers: Server[] = [];
  const transport = (overrides: Partial<EwsTransportOptions> = {}): EwsTransport => {
    const t = createEwsTransport({
      auth: { type: 'basic', username: 'alice@contoso.test', password: 's3cret!' },
      maxConnections: 2,
      lookup: loopbackLookup,
      clock: fixedClock(NOW),
      random: seededRandom(1),
      ...overrides,
    });
    transports.push(t);
    return t;
  };
  const https = async (cert: TestCertificate, listener: RequestListener = echo): Promise<number> => {
    const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, listener);
    servers.push(server);
    return listen(server);
  };
  const http = async (listener: RequestListener): Promise<number> => {
    const server = createHttpServer(listener);
    servers.push(server);
    return listen(server);
  };
  let pki: ReturnType<typeof createTestPki>;

  before(() => {
    pki = createTestPki(new Date(NOW));
  });
  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all(servers.map(stop));
  });

  describe('TLS', () => {
    it('trusts a server certificate issued by trustedCaPem, and streams the body', async () => {
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }));
      const response = await transport({ trustedCaPem: pki.caPem }).send({ url: `https://mail.contoso.test:${port}/EWS/Exchange.asmx`, headers: {}, body: 'hello', timeoutMs: 5_000 });
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'text/plain');
      assert.equal(await text(response), 'hello');
    });

    it('refuses the same server without the CA: tls_failed naming the issuer problem and the subject', async () => {
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }));
      const error = await rejectsWith(transport().send({ url: `https://mail.contoso.test:${port}/EWS/Exchange.asmx`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /CN=mail\.contoso\.test/);
      assert.match(error.message, /issuer not trusted/);
    });

    it('self-signed certificate without a trusted CA -> tls_failed naming the subject and "self-signed"', async () => {
      const port = await https(pki.selfSigned({ commonName: 'selfsigned.contoso.test' }));
      const error = await rejectsWith(transport().send({ url: `https://selfsigned.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /certificate "CN=selfsigned\.contoso\.test, O=Dovetail Tests"/);
      assert.match(error.message, /self-signed/);
      assert.equal(error.details['subject'], 'CN=selfsigned.contoso.test, O=Dovetail Tests');
    });

    it('a self-signed certificate given as trustedCaPem is trusted', async () => {
      const cert = pki.selfSigned({ commonName: 'pinned.contoso.test' });
      const port = await https(cert);
      const response = await transport({ trustedCaPem: cert.certPem }).send({ url: `https://pinned.contoso.test:${port}/x`, headers: {}, body: 'ok', timeoutMs: 5_000 });
      assert.equal(await text(response), 'ok');
    });

    it('expired certificate -> tls_failed "certificate expired on <date>"', async () => {
      const port = await https(pki.issue({ commonName: 'old.contoso.test' }, { notBefore: new Date(NOW - 30 * day), notAfter: new Date(NOW - day) }));
      const error = await rejectsWith(transport({ trustedCaPem: pki.caPem }).send({ url: `https://old.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /CN=old\.contoso\.test/);
      assert.match(error.message, /certificate expired on .*GMT/);
    });

    it('hostname mismatch -> tls_failed naming the host, the certificate subject and its names', async () => {
      const port = await https(pki.issue({ commonName: 'other.contoso.test' }));
      const error = await rejectsWith(transport({ trustedCaPem: pki.caPem }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /CN=other\.contoso\.test/);
      assert.match(error.message, /hostname mismatch: mail\.contoso\.test is not in the certificate's names \(DNS:other\.contoso\.test\)/);
    });

    it('a server limited to TLS 1.1 -> tls_failed "does not offer TLS 1.2 or later"', async () => {
      const cert = pki.issue({ commonName: 'old.contoso.test' });
      const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, echo);
      servers.push(server);
      const port = await listen(server);
      const error = await rejectsWith(transport({ trustedCaPem: pki.caPem }).send({ url: `https://old.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /does not offer TLS 1\.2 or later/);
    });

    it('TLS spoken to a plain HTTP port -> tls_failed naming the likely cause', async () => {
      const port = await http(echo);
      const error = await rejectsWith(transport().send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'tls_failed');
      assert.match(error.message, /did not answer with TLS/);
    });

    it('plain http is refused unless allowInsecureHttp', async () => {
      const port = await http(echo);
      const error = await rejectsWith(transport().send({ url: `http://127.0.0.1:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'insecure_url_refused');
      assert.equal(error.kind, 'invalid-input');
      const response = await transport({ allowInsecureHttp: true }).send({ url: `http://127.0.0.1:${port}/x`, headers: {}, body: 'lab', timeoutMs: 5_000 });
      assert.equal(await text(response), 'lab');
    });
  });

  describe('network failures', () => {
    it('a name under .invalid -> dns_failed naming the host', async () => {
      const t = createEwsTransport({ auth: { type: 'basic', username: 'u', password: 'p' }, maxConnections: 1, clock: fixedClock(NOW), random: seededRandom(1) });
      transports.push(t);
      const error = await rejectsWith(t.send({ url: 'https://mail.contoso.invalid/EWS/Exchange.asmx', headers: {}, body: '', timeoutMs: 5_000 }), 'dns_failed');
      assert.match(error.message, /mail\.contoso\.invalid/);
      assert.equal(error.details['host'], 'mail.contoso.invalid');
    });

    it('nobody listening -> connect_failed', async () => {
      const server = createHttpServer(echo);
      const port = await listen(server);
      await stop(server);
      const error = await rejectsWith(transport().send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'connect_failed');
      assert.match(error.message, /ECONNREFUSED/);
    });

    it('no answer in time -> timeout (transient)', async () => {
      const port = await https(pki.issue({ commonName: 'slow.contoso.test' }), () => undefined);
      const error = await rejectsWith(transport({ trustedCaPem: pki.caPem }).send({ url: `https://slow.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 200 }), 'timeout');
      assert.equal(error.kind, 'transient');
    });

    it('a body that stalls mid-way -> timeout while reading it', async () => {
      const port = await https(pki.issue({ commonName: 'stall.contoso.test' }), (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.write('<partial>');
      });
      const response = await transport({ trustedCaPem: pki.caPem }).send({ url: `https://stall.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 1_500 });
      assert.equal(response.status, 200);
      const error = await rejectsWith(text(response), 'timeout');
      assert.equal(error.kind, 'transient');
    });

    it("the caller's AbortSignal cancels a request -> aborted", async () => {
      const port = await https(pki.issue({ commonName: 'slow.contoso.test' }), () => undefined);
      const controller = new AbortController();
      const pending = transport({ trustedCaPem: pki.caPem }).send({ url: `https://slow.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 10_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await rejectsWith(pending, 'aborted');
    });

    it("the caller's AbortSignal also cancels while the body streams -> aborted", async () => {
      const port = await https(pki.issue({ commonName: 'stall.contoso.test' }), (req, res) => {
        req.resume();
        res.writeHead(200);
        res.write('<partial>');
      });
      const controller = new AbortController();
      const response = await transport({ trustedCaPem: pki.caPem }).send({ url: `https://stall.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 10_000, signal: controller.signal });
      const reading = text(response);
      setTimeout(() => controller.abort(), 50);
      await rejectsWith(reading, 'aborted');
    });

    it('an invalid URL -> invalid_url', async () => {
      await rejectsWith(transport().send({ url: 'not a url', headers: {}, body: '', timeoutMs: 1_000 }), 'invalid_url');
    });

    it('never opens more than maxConnections connections; callers queue for a free one', async () => {
      const sockets = new Set<unknown>();
      let open = 0;
      let peak = 0;
      const cert = pki.issue({ commonName: 'pool.contoso.test' });
      const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
        req.resume();
        setTimeout(() => {
          res.writeHead(200);
          res.end('ok');
        }, 20);
      });
      server.on('secureConnection', (socket) => {
        sockets.add(socket);
        open += 1;
        peak = Math.max(peak, open);
        socket.on('close', () => (open -= 1));
      });
      servers.push(server);
      const port = await listen(server);
      const t = transport({ trustedCaPem: pki.caPem, maxConnections: 2 });
      const bodies = await Promise.all(Array.from({ length: 6 }, async () => text(await t.send({ url: `https://pool.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }))));
      assert.deepEqual(bodies, Array(6).fill('ok'));
      assert.equal(sockets.size, 2);
      assert.equal(peak, 2);
    });

    it('non-401 statuses are returned to the caller (SOAP faults, 503)', async () => {
      const port = await https(pki.issue({ commonName: 'busy.contoso.test' }), (req, res) => {
        req.resume();
        res.writeHead(req.url === '/fault' ? 500 : 503, { 'retry-after': '7' });
        res.end('<fault/>');
      });
      const t = transport({ trustedCaPem: pki.caPem });
      const fault = await t.send({ url: `https://busy.contoso.test:${port}/fault`, headers: {}, body: '', timeoutMs: 5_000 });
      assert.equal(fault.status, 500);
      assert.equal(await text(fault), '<fault/>');
      const busy = await t.send({ url: `https://busy.contoso.test:${port}/busy`, headers: {}, body: '', timeoutMs: 5_000 });
      assert.equal(busy.status, 503);
      assert.equal(busy.headers['retry-after'], '7');
      await text(busy);
    });
  });

  it('joins repeated headers with ", " and Set-Cookie values with a newline', async () => {
    const port = await https(pki.issue({ commonName: 'mail.contoso.test' }), (req, res) => {
      req.resume();
      res.setHeader('set-cookie', ['X-BackEndCookie=a; expires=Wed, 21-Oct-2026 07:28:00 GMT; path=/EWS', 'exchangecookie=b; path=/']);
      res.setHeader('x-repeated', ['one', 'two']);
      res.writeHead(200);
      res.end();
    });
    const response = await transport({ trustedCaPem: pki.caPem }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 });
    await text(response);
    assert.deepEqual(response.headers['set-cookie']?.split('\n'), ['X-BackEndCookie=a; expires=Wed, 21-Oct-2026 07:28:00 GMT; path=/EWS', 'exchangecookie=b; path=/']);
    assert.equal(response.headers['x-repeated'], 'one, two');
  });

  describe('Basic', () => {
    it('sends Authorization: Basic base64(user:password) over TLS', async () => {
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }));
      const response = await transport({ trustedCaPem: pki.caPem }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 });
      assert.equal(response.headers['x-auth'], `Basic ${Buffer.from('alice@contoso.test:s3cret!').toString('base64')}`);
      await text(response);
    });

    it('401 -> auth_failed: "server offers Negotiate, NTLM; Basic is disabled", without the password', async () => {
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }), (req, res) => {
        req.resume();
        res.writeHead(401, { 'www-authenticate': ['Negotiate', 'NTLM'] });
        res.end();
      });
      const error = await rejectsWith(transport({ trustedCaPem: pki.caPem }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }), 'auth_failed');
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /server offers Negotiate, NTLM; Basic is disabled/);
      assert.doesNotMatch(JSON.stringify(error.toJSON()) + error.message, /s3cret/);
    });
  });

  describe('Bearer', () => {
    const tokens = (): TokenSource & { calls: Array<boolean> } => {
      const calls: boolean[] = [];
      let n = 0;
      return {
        calls,
        async getToken(options): Promise<AccessToken> {
          calls.push(options?.forceRefresh === true);
          n += 1;
          return { token: `token-${n}`, expiresAt: NOW + 3_600_000 };
        },
      };
    };
    const bearerServer = (accepted: string): RequestListener => (req, res) => {
      req.resume();
      if (req.headers.authorization === `Bearer ${accepted}`) {
        res.writeHead(200);
        res.end('ok');
      } else {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="", error="invalid_token"' });
        res.end();
      }
    };

    it('sends the token; on 401 refreshes once (forceRefresh) and retries', async () => {
      const source = tokens();
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }), bearerServer('token-2'));
      const response = await transport({ trustedCaPem: pki.caPem, auth: { type: 'bearer', tokens: source } }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 });
      assert.equal(await text(response), 'ok');
      assert.deepEqual(source.calls, [false, true]);
    });

    it('a refreshed token refused again -> auth_failed, no third attempt', async () => {
      const source = tokens();
      const port = await https(pki.issue({ commonName: 'mail.contoso.test' }), bearerServer('never'));
      const error = await rejectsWith(
        transport({ trustedCaPem: pki.caPem, auth: { type: 'bearer', tokens: source } }).send({ url: `https://mail.contoso.test:${port}/x`, headers: {}, body: '', timeoutMs: 5_000 }),
        'auth_failed',
      );
      assert.match(error.message, /server offers Bearer\)/);
      assert.deepEqual(source.calls, [false, true]);
    });
  });

  it('offeredSchemes reads scheme names, skipping parameters and quoted commas', () => {
    assert.deepEqual(offeredSchemes(['Negotiate', 'NTLM']), ['Negotiate', 'NTLM']);
    assert.deepEqual(offeredSchemes('Basic realm="a, b", Negotiate, NTLM'), ['Basic', 'Negotiate', 'NTLM']);
    assert.deepEqual(offeredSchemes('Bearer authorization_uri="https://x", error="invalid_token"'), ['Bearer']);
    assert.deepEqual(offeredSchemes(undefined), []);
  });
});
