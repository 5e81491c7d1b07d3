/**
 * The transport's NTLM against a small NTLM-checking server: the server checks every AUTHENTICATE
 * with Dovetail's own server-side functions (NTProofStr from a known password, and the MIC), counts
 * handshakes per TCP connection, and can drop connections or answer 401 on demand.
 */
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AvId, encodeChallenge, fileTime, NtlmFlags, tlsChannelBindings, verifyAuthenticate } from '../../src/auth/ntlm/index.ts';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { AppError } from '../../src/errors.ts';
import { createEwsTransport, type EwsTransport, type EwsTransportOptions, type HttpResponse } from '../../src/exchange/ews/transport.ts';
import { createTestPki, loopbackLookup } from '../../src/exchange/ews/transport-test-pki.ts';

const PASSWORD = 'correct horse battery staple';
const NOW = Date.UTC(2026, 10, 22, 3, 0, 0);

type SocketState = { id: number; negotiate?: Buffer; challenge?: Buffer; authenticated: boolean; handshakes: number; served: number };

class NtlmServer {
  readonly server: Server;
  readonly sockets = new Map<Socket, SocketState>();
  /** Reasons the server refused an AUTHENTICATE message. */
  readonly refusals: string[] = [];
  /** Answer this many authenticated requests (or AUTHENTICATE messages) with 401 anyway. */
  throttleNext = 0;
  /** Destroy the socket when the next request arrives on an authenticated connection, without answering. */
  dropNextAuthenticated = false;
  offer = ['Negotiate', 'NTLM'];
  /** Extended Protection: the MsvAvChannelBindings every AUTHENTICATE must carry. */
  channelBindings: Buffer | undefined;
  /** MsvAvTargetName of the last accepted AUTHENTICATE. */
  lastTargetName: string | undefined;
  private nextId = 1;

  constructor(tls?: { certPem: string; keyPem: string }) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.server = tls ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 10_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  handshakesPerConnection(): number[] {
    return [...this.sockets.values()].filter((s) => s.served > 0 || s.handshakes > 0).map((s) => s.handshakes);
  }

  destroyIdleConnections(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  private state(socket: Socket): SocketState {
    let state = this.sockets.get(socket);
    if (!state) {
      state = { id: this.nextId++, authenticated: false, handshakes: 0, served: 0 };
      this.sockets.set(socket, state);
    }
    return state;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const state = this.state(req.socket);
    const header = req.headers.authorization ?? '';
    const unauthorized = (extra?: string): void => {
      res.writeHead(401, { 'www-authenticate': extra ? [extra] : this.offer, 'content-type': 'text/plain' });
      res.end('401 - Unauthorized');
    };
    if (header.startsWith('NTLM ')) {
      const message = Buffer.from(header.slice(5), 'base64');
      const type = message.readUInt32LE(8);
      if (type === 1) {
        state.authenticated = false;
        state.negotiate = message;
        state.challenge = encodeChallenge({
          flags: (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.REQUEST_TARGET | NtlmFlags.NEGOTIATE_NTLM | NtlmFlags.NEGOTIATE_ALWAYS_SIGN |
            NtlmFlags.TARGET_TYPE_DOMAIN | NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY | NtlmFlags.NEGOTIATE_TARGET_INFO |
            NtlmFlags.NEGOTIATE_VERSION | NtlmFlags.NEGOTIATE_128 | NtlmFlags.NEGOTIATE_KEY_EXCH | NtlmFlags.NEGOTIATE_56) >>> 0,
          serverChallenge: randomBytes(8),
          targetName: 'LAB',
          targetInfo: [
            { id: AvId.MsvAvNbDomainName, value: Buffer.from('LAB', 'utf16le') },
            { id: AvId.MsvAvNbComputerName, value: Buffer.from('EXCH01', 'utf16le') },
            { id: AvId.MsvAvDnsDomainName, value: Buffer.from('lab.test', 'utf16le') },
            { id: AvId.MsvAvTimestamp, value: fileTime(NOW) },
          ],
          version: { major: 10, minor: 0, build: 17763, revision: 15 },
        });
        return unauthorized(`NTLM ${state.challenge.toString('base64')}`);
      }
      if (type === 3 && state.challenge && state.negotiate) {
        const result = verifyAuthenticate({
          negotiateMessage: state.negotiate,
          challengeMessage: state.challenge,
          authenticateMessage: message,
          password: (user, domain) => (user.toUpperCase() === 'ALICE' && domain === 'LAB' ? PASSWORD : undefined),
          ...(this.channelBindings ? { channelBindings: this.channelBindings } : {}),
        });
        delete state.challenge;
        if (!result.ok) {
          this.refusals.push(result.reason);
          return unauthorized();
        }
        if (!result.clientAvPairs.some((p) => p.id === AvId.MsvAvFlags)) this.refusals.push('no MIC announced');
        this.lastTargetName = result.clientAvPairs.find((p) => p.id === AvId.MsvAvTargetName)?.value.toString('utf16le');
        if (this.throttleNext > 0) {
          this.throttleNext -= 1;
          return unauthorized();
        }
        state.authenticated = true;
        state.handshakes += 1;
        return this.serve(state, res, body);
      }
      return unauthorized();
    }
    if (!state.authenticated) return unauthorized();
    if (this.dropNextAuthenticated) {
      this.dropNextAuthenticated = false;
      req.socket.destroy();
      return;
    }
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      return unauthorized();
    }
    return this.serve(state, res, body);
  }

  private serve(state: SocketState, res: ServerResponse, body: string): void {
    state.served += 1;
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'x-connection-id': String(state.id) });
    res.end(`<echo>${body}</echo>`);
  }
}

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

describe('NTLM handshake over HTTP against an NTLM-checking server', () => {
  let server: NtlmServer;
  let base: string;
  const transports: EwsTransport[] = [];
  const transport = (overrides: Partial<EwsTransportOptions> = {}): EwsTransport => {
    const t = createEwsTransport({
      auth: { type: 'ntlm', username: 'alice', password: PASSWORD, domain: 'LAB', workstation: 'DOVETAIL' },
      maxConnections: 1,
      allowInsecureHttp: true,
      clock: fixedClock(NOW),
      random: seededRandom(7),
      ...overrides,
    });
    transports.push(t);
    return t;
  };
  const post = (t: EwsTransport, body: string) => t.send({ url: `${base}/EWS/Exchange.asmx`, headers: { 'content-type': 'text/xml; charset=utf-8' }, body, timeoutMs: 5_000 });

  before(async () => {
    server = new NtlmServer();
    base = `http://127.0.0.1:${await server.listen()}`;
  });
  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await server.close();
  });

  it('completes the handshake (server verifies NTProofStr and MIC) and reuses it on the keep-alive connection', async () => {
    server.sockets.clear();
    const t = transport();
    for (let i = 0; i < 5; i++) {
      const response = await post(t, `<n>${i}</n>`);
      assert.equal(response.status, 200);
      assert.equal(await text(response), `<echo><n>${i}</n></echo>`);
    }
    assert.deepEqual(server.refusals, []);
    assert.deepEqual(server.handshakesPerConnection(), [1]);
    assert.equal([...server.sockets.values()][0]?.served, 5);
  });

  it('keeps one handshake per connection with concurrent requests over a pool of two', async () => {
    server.sockets.clear();
    const t = transport({ maxConnections: 2 });
    for (let round = 0; round < 3; round++) {
      // Each caller reads its body, which hands the connection to the next waiting request.
      const bodies = await Promise.all(['a', 'b', 'c', 'd'].map(async (b) => text(await post(t, b))));
      assert.deepEqual(bodies, ['<echo>a</echo>', '<echo>b</echo>', '<echo>c</echo>', '<echo>d</echo>']);
    }
    assert.deepEqual(server.handshakesPerConnection(), [1, 1]);
  });

  it('redoes the handshake transparently when the server closed the idle connection', async () => {
    server.sockets.clear();
    const t = transport();
    await text(await post(t, 'first'));
    server.destroyIdleConnections();
    const response = await post(t, 'second');
    assert.equal(await text(response), '<echo>second</echo>');
    assert.deepEqual(server.handshakesPerConnection(), [1, 1]);
  });

  it('redoes the handshake once when the server drops the connection under an in-flight request', async () => {
    server.sockets.clear();
    const t = transport();
    await text(await post(t, 'first'));
    server.dropNextAuthenticated = true;
    const response = await post(t, 'second');
    assert.equal(await text(response), '<echo>second</echo>');
    assert.equal(server.dropNextAuthenticated, false);
    assert.deepEqual(server.handshakesPerConnection(), [1, 1]);
  });

  it('redoes the handshake once when an authenticated connection gets a 401', async () => {
    server.sockets.clear();
    const t = transport();
    await text(await post(t, 'first'));
    server.throttleNext = 1;
    assert.equal(await text(await post(t, 'second')), '<echo>second</echo>');
    assert.deepEqual(server.handshakesPerConnection(), [2]);
  });

  it('reports a 401 right after a fresh handshake with proven credentials as ews_401_after_handshake (throttled)', async () => {
    const t = transport();
    await text(await post(t, 'first'));
    server.throttleNext = 2;
    const error = await rejectsWith(post(t, 'second'), 'ews_401_after_handshake');
    assert.equal(error.kind, 'throttled');
    assert.equal(server.throttleNext, 0);
    assert.equal(await text(await post(t, 'third')), '<echo>third</echo>');
  });

  it('wrong password -> auth_failed (kind auth) naming the offered schemes, no secret in the message', async () => {
    const t = transport({ auth: { type: 'ntlm', username: 'alice', password: 'wrong', domain: 'LAB' } });
    const error = await rejectsWith(post(t, 'x'), 'auth_failed');
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /server offers Negotiate, NTLM\)/);
    assert.match(error.message, /LAB\\alice/);
    assert.doesNotMatch(JSON.stringify(error.toJSON()), /wrong/);
    assert.equal(server.refusals.at(-1), 'wrong_password');
  });

  it('a server that closes the connection after its CHALLENGE -> ntlm_connection_not_kept', async () => {
    const challenge = encodeChallenge({ flags: NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_NTLM, serverChallenge: randomBytes(8), targetName: '', targetInfo: [] });
    const closing = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const type1 = (req.headers.authorization ?? '').startsWith('NTLM ');
        res.writeHead(401, { 'www-authenticate': type1 ? `NTLM ${challenge.toString('base64')}` : 'NTLM', connection: 'close' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    try {
      const port = (closing.address() as AddressInfo).port;
      const error = await rejectsWith(transport().send({ url: `http://127.0.0.1:${port}/EWS/Exchange.asmx`, headers: {}, body: 'x', timeoutMs: 5_000 }), 'ntlm_connection_not_kept');
      assert.equal(error.kind, 'transient');
    } finally {
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it('a server that does not offer NTLM -> auth_failed "NTLM is disabled"', async () => {
    // NEGOTIATE is answered with a bare 401 when the server has NTLM turned off.
    const negotiateOnly = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(401, { 'www-authenticate': 'Negotiate' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => negotiateOnly.listen(0, '127.0.0.1', resolve));
    try {
      const port = (negotiateOnly.address() as AddressInfo).port;
      const error = await rejectsWith(transport().send({ url: `http://127.0.0.1:${port}/EWS/Exchange.asmx`, headers: {}, body: 'x', timeoutMs: 5_000 }), 'auth_failed');
      assert.match(error.message, /server offers Negotiate; NTLM is disabled/);
    } finally {
      negotiateOnly.closeAllConnections();
      await new Promise((resolve) => negotiateOnly.close(resolve));
    }
  });
});

describe('NTLM handshake over HTTPS with Extended Protection', () => {
  const pki = createTestPki(new Date());
  const certificate = pki.issue({ commonName: 'mail.lab.test' });
  const run = async (expectedBindings: Buffer) => {
    const server = new NtlmServer(certificate);
    server.channelBindings = expectedBindings;
    const port = await server.listen();
    const t = createEwsTransport({
      auth: { type: 'ntlm', username: 'Alice', password: PASSWORD, domain: 'LAB' },
      maxConnections: 1,
      trustedCaPem: pki.caPem,
      lookup: loopbackLookup,
      clock: fixedClock(NOW),
      random: seededRandom(3),
    });
    const send = (n: number) => t.send({ url: `https://mail.lab.test:${port}/EWS/Exchange.asmx`, headers: {}, body: `<n>${n}</n>`, timeoutMs: 5_000 });
    return { server, send, close: async () => Promise.all([t.close(), server.close()]) };
  };

  it('binds the handshake to the TLS connection (channel bindings of the server certificate) and names the SPN', async () => {
    const { server, send, close } = await run(tlsChannelBindings(new X509Certificate(certificate.certPem).raw));
    try {
      for (const n of [1, 2]) assert.equal(await text(await send(n)), `<echo><n>${n}</n></echo>`);
      assert.deepEqual(server.refusals, []);
      assert.deepEqual(server.handshakesPerConnection(), [1]);
      assert.equal(server.lastTargetName, 'HTTP/mail.lab.test');
    } finally {
      await close();
    }
  });

  it('binds again on a new connection after the old one closed (no TLS session resumption hiding the certificate)', async () => {
    const { server, send, close } = await run(tlsChannelBindings(new X509Certificate(certificate.certPem).raw));
    try {
      assert.equal(await text(await send(1)), '<echo><n>1</n></echo>');
      server.destroyIdleConnections();
      assert.equal(await text(await send(2)), '<echo><n>2</n></echo>');
      assert.deepEqual(server.refusals, []);
      assert.deepEqual(server.handshakesPerConnection(), [1, 1]);
    } finally {
      await close();
    }
  });

  it('a server expecting another certificate binding (a relaying proxy) refuses: auth_failed', async () => {
    const other = pki.issue({ commonName: 'proxy.lab.test' });
    const { server, send, close } = await run(tlsChannelBindings(new X509Certificate(other.certPem).raw));
    try {
      await rejectsWith(send(1), 'auth_failed');
      assert.deepEqual(server.refusals, ['channel_binding_mismatch']);
    } finally {
      await close();
    }
  });
});
