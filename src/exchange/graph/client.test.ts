import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fixedClock, seededRandom } from '../../clock.ts';
import { createLabCa, startLabHttpsServer, type LabHttpsServer } from '../../lab/tls/lab-ca.ts';
import type { AccessToken, TokenSource } from '../../auth/token-source.ts';
import { GraphClient } from './client.ts';
import { sendBatch } from './resources/batch.ts';

type Script = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('GraphClient', () => {
  let server: LabHttpsServer;
  let caPem: string;
  let script: Script = (_req, _body, res) => res.end();
  const seen: Array<{ method: string; url: string; auth: string | undefined }> = [];

  before(async () => {
    const ca = await createLabCa();
    caPem = ca.caCertPem;
    server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
        script(req, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
  });
  after(async () => server.close());

  const tokens = (): TokenSource & { calls: Array<boolean> } => {
    const calls: boolean[] = [];
    let n = 0;
    return {
      calls,
      getToken: async (options) => {
        calls.push(options?.forceRefresh === true);
        n++;
        const token: AccessToken = { token: `token-${n}`, expiresAt: 10_000_000 };
        return token;
      },
    };
  };
  const make = (extra: { tokens?: TokenSource; sleeps?: number[]; timeoutMs?: number; maxRetries?: number } = {}) =>
    new GraphClient({
      root: server.url,
      tokens: extra.tokens ?? tokens(),
      clock: fixedClock(1_700_000_000_000),
      random: seededRandom(7),
      trustedCaPem: caPem,
      ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
      retry: { maxRetries: extra.maxRetries ?? 4, baseDelayMs: 10, maxDelayMs: 100 },
      sleep: async (ms) => {
        extra.sleeps?.push(ms);
      },
    });
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  it('waits at least Retry-After on 429 and then succeeds', async () => {
    let calls = 0;
    script = (_req, _body, res) => {
      calls++;
      if (calls <= 2) json(res, 429, { error: { code: 'ApplicationThrottled', message: 'over limit' } }, { 'retry-after': '1.5' });
      else json(res, 200, { id: 'me' });
    };
    const sleeps: number[] = [];
    const client = make({ sleeps });
    const response = await client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' });
    assert.deepEqual(response.body, { id: 'me' });
    assert.equal(sleeps.length, 2);
    for (const ms of sleeps) assert.ok(ms >= 1_500, `waited ${ms}`);
    await client.close();
  });

  it('paces uploads under 15 MB per 30 seconds per mailbox', async () => {
    script = (_req, _body, res) => json(res, 200, {});
    const clock = fixedClock(0);
    const sleeps: number[] = [];
    const client = new GraphClient({
      root: server.url,
      tokens: tokens(),
      clock,
      random: seededRandom(1),
      trustedCaPem: caPem,
      uploadBudget: { burst: 6 * 1024 * 1024, refill: 6 * 1024 * 1024, perMs: 30_000 },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    });
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < 3; i++) await client.request({ method: 'PUT', path: `${server.url}/upload/s?authtoken=t`, mailbox: 'a@x', anonymous: true, body: chunk });
    // 12 MB against 6 MB per 30 s: the second and third ranges waited for the refill.
    assert.equal(sleeps.length, 2);
    assert.equal(Math.round(sleeps.reduce((a, b) => a + b, 0) / 1000), 30);
    await client.close();
  });

  it('gives up after the retry bound with kind throttled and the server hint', async () => {
    script = (_req, _body, res) => json(res, 429, { error: { code: 'TooManyRequests', message: 'later' } }, { 'retry-after': '3' });
    const client = make({ maxRetries: 2 });
    await assert.rejects(client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' }), (error: any) => {
      assert.equal(error.kind, 'throttled');
      assert.equal(error.retryAfterMs, 3_000);
      return true;
    });
    await client.close();
  });

  it('refreshes the token once after a 401, and lets a second 401 stand', async () => {
    seen.length = 0;
    let calls = 0;
    script = (_req, _body, res) => {
      calls++;
      if (calls === 1) json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } });
      else json(res, 200, {});
    };
    const source = tokens();
    const client = make({ tokens: source });
    await client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' });
    assert.deepEqual(source.calls, [false, true]);
    assert.equal(seen[0]?.auth, 'Bearer token-1');
    assert.equal(seen[1]?.auth, 'Bearer token-2');

    script = (_req, _body, res) => json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'no' } });
    await assert.rejects(client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' }), { kind: 'auth' });
    await client.close();
  });

  it('does not repeat a POST that failed with a 500', async () => {
    let calls = 0;
    script = (_req, _body, res) => {
      calls++;
      json(res, 500, { error: { code: 'ErrorInternalServerError', message: 'boom' } });
    };
    const client = make();
    await assert.rejects(client.request({ method: 'POST', path: '/users/a@x/messages', mailbox: 'a@x', body: {} }), { kind: 'transient' });
    assert.equal(calls, 1);
    await client.close();
  });

  it('never sends the token to another host', async () => {
    const client = make();
    await assert.rejects(client.request({ method: 'GET', path: 'https://example.invalid/v1.0/users', mailbox: 'a@x' }), {
      code: 'graph_foreign_url',
    });
    await client.close();
  });

  it('validates the certificate: a server outside the trusted CA is refused, not retried', async () => {
    script = (_req, _body, res) => json(res, 200, {});
    const client = new GraphClient({ root: server.url, tokens: tokens(), clock: fixedClock(0), random: seededRandom(2), sleep: async () => undefined });
    await assert.rejects(client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' }), { code: 'graph_tls_untrusted', kind: 'permanent' });
    await client.close();
  });

  it('times out a call that never answers', async () => {
    script = () => undefined;
    const client = make({ timeoutMs: 200, maxRetries: 0 });
    await assert.rejects(client.request({ method: 'GET', path: '/users/a@x', mailbox: 'a@x' }), { code: 'graph_timeout', kind: 'transient' });
    await client.close();
  });

  it('returns $batch results in input order and retries only the throttled items', async () => {
    const rounds: string[][] = [];
    script = (_req, body, res) => {
      const requests = (JSON.parse(body) as { requests: Array<{ id: string; url: string }> }).requests;
      rounds.push(requests.map((r) => r.id));
      const first = rounds.length === 1;
      const responses = requests
        .map((r) => {
          if (r.url.endsWith('/missing')) return { id: r.id, status: 404, body: { error: { code: 'ErrorItemNotFound', message: 'gone' } } };
          if (first && r.id === '1') return { id: r.id, status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 'TooManyRequests', message: 'x' } } };
          return { id: r.id, status: 200, body: { url: r.url } };
        })
        .reverse();
      json(res, 200, { responses });
    };
    const sleeps: number[] = [];
    const client = make({ sleeps });
    const results = await sendBatch(client, 'a@x', [
      { method: 'GET', url: '/a' },
      { method: 'GET', url: '/b' },
      { method: 'GET', url: '/missing' },
      { method: 'GET', url: '/d' },
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? (r.value.body as { url: string }).url : r.error.kind)),
      ['/a', '/b', 'not-found', '/d'],
    );
    assert.deepEqual(rounds, [['0', '1', '2', '3'], ['1']]);
    assert.ok(sleeps.some((ms) => ms >= 2_000));
    await client.close();
  });

  it('sends dependsOn and retries a throttled item together with its failed dependent', async () => {
    const rounds: Array<Array<{ id: string; dependsOn?: string[] }>> = [];
    script = (_req, body, res) => {
      const requests = (JSON.parse(body) as { requests: Array<{ id: string; dependsOn?: string[] }> }).requests;
      rounds.push(requests.map((r) => ({ id: r.id, ...(r.dependsOn === undefined ? {} : { dependsOn: r.dependsOn }) })));
      const first = rounds.length === 1;
      json(res, 200, {
        responses: requests.map((r) =>
          first && r.id === '0'
            ? { id: r.id, status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'x' } } }
            : first && r.id === '1'
              ? { id: r.id, status: 424, body: { error: { code: 'FailedDependency', message: 'x' } } }
              : { id: r.id, status: 201, body: { id: `created-${r.id}` } },
        ),
      });
    };
    const client = make();
    const results = await sendBatch(client, 'a@x', [
      { method: 'POST', url: '/a', body: {} },
      { method: 'POST', url: '/b', body: {}, dependsOn: [0] },
    ]);
    assert.deepEqual(rounds, [
      [{ id: '0' }, { id: '1', dependsOn: ['0'] }],
      [{ id: '0' }, { id: '1', dependsOn: ['0'] }],
    ]);
    assert.deepEqual(results.map((r) => r.ok && (r.value.body as { id: string }).id), ['created-0', 'created-1']);
    await assert.rejects(
      sendBatch(client, 'a@x', [...Array.from({ length: 20 }, () => ({ method: 'GET' as const, url: '/x' })), { method: 'GET', url: '/y', dependsOn: [0] }]),
      { kind: 'invalid-input' },
    );
    await client.close();
  });

  it('splits more than 20 items into several batches', async () => {
    const sizes: number[] = [];
    script = (_req, body, res) => {
      const requests = (JSON.parse(body) as { requests: Array<{ id: string }> }).requests;
      sizes.push(requests.length);
      json(res, 200, { responses: requests.map((r) => ({ id: r.id, status: 204, body: null })) });
    };
    const client = make();
    const results = await sendBatch(client, 'a@x', Array.from({ length: 45 }, (_, i) => ({ method: 'DELETE' as const, url: `/x/${i}` })));
    assert.deepEqual(sizes, [20, 20, 5]);
    assert.equal(results.filter((r) => r.ok).length, 45);
    await client.close();
  });
});
