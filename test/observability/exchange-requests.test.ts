/**
 * Exchange requests are measured where they are sent: the EWS transport and the Graph client report
 * each request and each throttling answer to the observer they are given, against the lab's EWS
 * (ErrorServerBusy in a 200, the 500 fault, 503, 401 right after an NTLM handshake) and the lab's
 * Graph (429 with Retry-After, alone and inside a $batch).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom, systemClock } from '../../src/clock.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport, type EwsTransport } from '../../src/exchange/ews/transport.ts';
import { GraphClient, graphOperation } from '../../src/exchange/graph/client.ts';
import type { GraphLab } from '../../src/lab/graph/start-graph-lab.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { exchangeRequestMetrics, observeAll, type ExchangeRequest } from '../../src/observability/exchange-requests.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { ALEX } from '../lab/support/lab-fixture.ts';

const recorder = (): { seen: ExchangeRequest[]; observe(r: ExchangeRequest): void } => {
  const seen: ExchangeRequest[] = [];
  return { seen, observe: (r) => void seen.push(r) };
};

async function throttledTotal(metrics: Metrics, provider: string): Promise<number> {
  const metric = await metrics.exchangeThrottled.get();
  return metric.values.find((v) => v.labels['provider'] === provider)?.value ?? 0;
}

async function requestCount(metrics: Metrics, labels: Partial<Record<'provider' | 'operation' | 'outcome', string>>): Promise<number> {
  const metric = await metrics.exchangeRequestSeconds.get();
  return metric.values
    .filter((v) => v.metricName === 'dovetail_exchange_request_seconds_count' && Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof labels] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('EWS transport reports requests and throttling (lab, NTLM)', () => {
  let lab: LabHandle;
  let transport: EwsTransport;
  let driver: EwsDriver;
  let metrics: Metrics;
  const seen = recorder();

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    metrics = createMetrics({ defaultMetrics: false });
    transport = createEwsTransport({
      auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
      trustedCaPem: lab.caCertPem,
      maxConnections: 1,
      clock: systemClock,
      random: seededRandom(21),
      requests: observeAll(seen, exchangeRequestMetrics(metrics)),
    });
    driver = new EwsDriver({ transport, url: lab.ewsUrl, clock: systemClock, random: seededRandom(22), maxConcurrent: 1, timeoutMs: 10_000, impersonation: true, sleep: async () => undefined });
  });
  after(async () => {
    await driver.close();
    await transport.close();
    await lab.close();
  });

  const getFolders = (): ExchangeRequest[] => seen.seen.filter((r) => r.operation === 'GetFolder');

  it('counts an ordinary request as ok, with its operation from SOAPAction', async () => {
    await driver.getFolder(ALEX, 'inbox');
    assert.deepEqual(getFolders().map((r) => [r.provider, r.outcome, r.throttled]), [['ews', 'ok', 0]]);
    assert.ok(getFolders()[0]!.latencyMs >= 0);
    assert.equal(await throttledTotal(metrics, 'ews'), 0);
  });

  it('counts ErrorServerBusy inside an HTTP 200, then the retry that succeeds', async () => {
    seen.seen.length = 0;
    lab.api.inject({ kind: 'serverBusyMessage', backOffMs: 10, operation: 'GetFolder', times: 1 });
    await driver.getFolder(ALEX, 'inbox');
    assert.deepEqual(getFolders().map((r) => [r.outcome, r.throttled]), [['throttled', 1], ['ok', 0]]);
    assert.equal(await throttledTotal(metrics, 'ews'), 1);
  });

  it('counts ErrorServerBusy as a SOAP fault (HTTP 500) and a 503', async () => {
    seen.seen.length = 0;
    lab.api.inject({ kind: 'serverBusy', backOffMs: 10, operation: 'GetFolder', times: 1 });
    lab.api.inject({ kind: 'http503', operation: 'GetFolder', times: 1 });
    await driver.getFolder(ALEX, 'inbox');
    assert.deepEqual(getFolders().map((r) => [r.outcome, r.throttled]), [['throttled', 1], ['throttled', 1], ['ok', 0]]);
    assert.equal(await throttledTotal(metrics, 'ews'), 3);
    assert.equal(await requestCount(metrics, { provider: 'ews', operation: 'GetFolder', outcome: 'throttled' }), 3);
  });

  it('counts 401 right after a fresh NTLM handshake (credentials proven before) as throttling', async () => {
    seen.seen.length = 0;
    // The first 401 arrives on the authenticated connection, the second right after the new handshake.
    lab.api.inject({ kind: 'unauthorized', operation: 'GetFolder', times: 2 });
    await driver.getFolder(ALEX, 'inbox');
    assert.deepEqual(getFolders().map((r) => [r.outcome, r.throttled]), [['throttled', 1], ['ok', 0]]);
    assert.equal(await throttledTotal(metrics, 'ews'), 4);
  });

  it('does not mistake a mailbox item that mentions ErrorServerBusy for throttling', async () => {
    seen.seen.length = 0;
    lab.api.deliverEmail({ to: [ALEX], from: { address: 'ops@fabrikam.example' }, subject: 'ErrorServerBusy', body: '<m:ResponseCode>ErrorServerBusy</m:ResponseCode>' });
    const inbox = await driver.getFolder(ALEX, 'inbox');
    const page = await driver.syncMessages(ALEX, inbox.id, null, 50);
    const ids = page.changes.flatMap((c) => (c.type === 'upsert' ? [c.id] : []));
    const messages = await driver.getMessages(ALEX, ids);
    assert.ok(messages.some((m) => m.ok && m.value.subject === 'ErrorServerBusy'));
    assert.ok(seen.seen.length >= 3);
    assert.ok(seen.seen.every((r) => r.outcome === 'ok' && r.throttled === 0), JSON.stringify(seen.seen));
    assert.equal(await throttledTotal(metrics, 'ews'), 4);
  });
});

describe('Graph client reports requests and throttling (lab Graph)', () => {
  let lab: GraphLab;
  let key: Buffer;
  const mailbox = 'dana@lab.dovetail.test';

  before(async () => {
    ({ lab, key } = await startTestGraphLab());
    lab.addMailbox(mailbox, { displayName: 'Dana' });
  });
  after(async () => lab.close());

  const clientWith = (observer: { observe(r: ExchangeRequest): void }, sleeps: number[]) =>
    new GraphClient({
      root: lab.url,
      trustedCaPem: lab.caCertPem,
      tokens: testTokens(key, 'app-metrics'),
      clock: systemClock,
      random: seededRandom(31),
      sleep: async (ms) => void sleeps.push(ms),
      requests: observer,
    });

  it('counts each 429 with Retry-After, then the answer, under a label without the mailbox', async () => {
    const seen = recorder();
    const metrics = createMetrics({ defaultMetrics: false });
    const sleeps: number[] = [];
    const client = clientWith(observeAll(seen, exchangeRequestMetrics(metrics)), sleeps);
    lab.throttleNext(mailbox, 2, 3);
    const response = await client.request({ method: 'GET', path: `/users/${mailbox}/mailFolders/inbox`, mailbox });
    assert.equal(response.status, 200);
    assert.deepEqual(seen.seen.map((r) => [r.provider, r.operation, r.outcome, r.throttled]), [
      ['graph', 'GET mailFolders/inbox', 'throttled', 1],
      ['graph', 'GET mailFolders/inbox', 'throttled', 1],
      ['graph', 'GET mailFolders/inbox', 'ok', 0],
    ]);
    assert.ok(sleeps.every((ms) => ms >= 3_000), 'the client still honours Retry-After');
    assert.equal(await throttledTotal(metrics, 'graph'), 2);
    assert.equal(await requestCount(metrics, { provider: 'graph', outcome: 'ok' }), 1);
    assert.doesNotMatch(await metrics.registry.metrics(), /dana@/);
    await client.close();
  });

  it('counts each refused part of a $batch', async () => {
    const seen = recorder();
    const client = clientWith(seen, []);
    lab.throttleNext(mailbox, 2, 1);
    const requests = [1, 2, 3].map((id) => ({ id: String(id), method: 'GET', url: `/users/${mailbox}/mailFolders/inbox` }));
    const response = await client.request({ method: 'POST', path: '/$batch', mailbox, body: { requests } });
    const statuses = (response.body as { responses: Array<{ status: number }> }).responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 429, 429]);
    assert.deepEqual(seen.seen.map((r) => [r.operation, r.outcome, r.throttled]), [['POST $batch', 'throttled', 2]]);
    await client.close();
  });
});

describe('graphOperation', () => {
  it('keeps the method and resource names, drops the mailbox and ids', () => {
    const op = (path: string, method = 'GET') => graphOperation(method, new URL(`https://graph.microsoft.com${path}`));
    assert.equal(op('/v1.0/users/dana%40contoso.com/mailFolders/AAMkAGI2TG93AAA%3D/messages/delta'), 'GET mailFolders/messages/delta');
    assert.equal(op('/v1.0/users/7f1c2a9e-1111-4a3c-9f55-0b8f1c2d3e4f/messages/AAMkADk0Mzc1=/attachments', 'POST'), 'POST messages/attachments');
    assert.equal(op('/v1.0/$batch', 'POST'), 'POST $batch');
    assert.equal(op('/v1.0/users/dana@contoso.com/sendMail', 'POST'), 'POST sendMail');
  });
});
