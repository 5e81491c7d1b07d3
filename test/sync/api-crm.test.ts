import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { bearer, openApiHarness, type ApiHarness } from '../foundation/api-harness.ts';
import { deliverDueWebhooks } from '../../src/sync/webhook-delivery.ts';
import { enqueueEvent } from '../../src/sync/webhook-events.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { seededRandom } from '../../src/clock.ts';

describe('CRM and sync routes of the API', () => {
  let h: ApiHarness;
  let auth: { authorization: string };
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const r = await h.api.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: r.statusCode, body: r.body === '' ? null : r.json() };
  };
  before(async () => {
    h = await openApiHarness();
    auth = bearer(h.adminToken);
  });
  after(async () => h?.close());

  it('creates contacts, accounts and leads and finds them by email address', async () => {
    const c = await call('POST', '/api/contacts', { firstName: 'Pat', lastName: 'Customer', emailAddresses: ['Pat@Customer.example'] });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.fullName, 'Pat Customer');
    const found = await call('GET', '/api/contacts?email=pat@customer.example');
    assert.deepEqual(found.body.map((x: { id: string }) => x.id), [c.body.id]);
    const patched = await call('PATCH', `/api/contacts/${c.body.id}`, { jobTitle: 'Buyer' });
    assert.equal(patched.body.jobTitle, 'Buyer');
    const bad = await call('POST', '/api/contacts', { lastName: 'X', emailAddresses: ['not-an-address'] });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /emailAddresses\[0\]/);

    const a = await call('POST', '/api/accounts', { name: 'Customer Inc', emailAddress: 'info@customer.example' });
    assert.equal(a.status, 201);
    assert.equal((await call('PATCH', `/api/accounts/${a.body.id}`, { website: 'https://customer.example' })).body.website, 'https://customer.example');
    assert.equal((await call('GET', '/api/accounts?email=INFO@customer.example')).body.length, 1);
    const l = await call('POST', '/api/leads', { fullName: 'Lee Prospect', emailAddress: 'lee@prospect.example' });
    assert.equal((await call('PATCH', `/api/leads/${l.body.id}`, { status: 'qualified' })).body.status, 'qualified');
    assert.equal((await call('GET', '/api/leads?email=lee@prospect.example')).body[0].id, l.body.id);
  });

  it('writes a draft, sends it to Pending Send, shows it, and lists by filters', async () => {
    const user = await call('POST', '/api/users', { fullName: 'Sam Seller', emailAddress: 'sam@us.example' });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const mailboxId = user.body.mailboxId as string;
    const draft = await call('POST', '/api/emails', {
      mailboxId, to: [{ address: 'pat@customer.example', name: 'Pat' }], subject: 'Quote', body: '<p>hi</p>',
      attachments: [{ name: 'q.txt', contentType: 'text/plain', contentBase64: Buffer.from('quote').toString('base64') }],
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    assert.equal(draft.body.status, 'draft');
    assert.equal(draft.body.attachments[0].size, 5);
    const to = draft.body.parties.find((p: { role: string }) => p.role === 'to');
    assert.equal(to.partyType, 'contact', 'the recipient resolved to the contact');
    const sent = await call('POST', `/api/emails/${draft.body.id}/send`);
    assert.equal(sent.body.status, 'pending-send');
    assert.equal((await call('POST', `/api/emails/${draft.body.id}/send`)).status, 409);
    assert.equal((await call('GET', `/api/emails?mailboxId=${mailboxId}&status=pending-send`)).body.length, 1);
    assert.equal((await call('GET', `/api/emails?party=pat@customer.example`)).body.length, 1);
    assert.equal((await call('GET', `/api/emails?party=${to.partyId}`)).body.length, 1);
    assert.equal((await call('GET', `/api/emails?direction=incoming`)).body.length, 0);

    const schedule = await call('GET', `/api/mailboxes/${mailboxId}/schedule`);
    assert.equal(schedule.status, 200);
    const outgoing = schedule.body.pipelines.find((p: { pipeline: string }) => p.pipeline === 'outgoing');
    assert.ok(outgoing.nextRunAt !== null, 'the outbox made the mailbox due');

    const job = await call('POST', '/api/sync/jobs', { kind: 'test-and-enable', mailboxIds: [mailboxId] });
    assert.equal(job.status, 202, JSON.stringify(job.body));
    // This mailbox has no server profile (the org has no default): no worker could test it, so its
    // item fails at once with what to do instead of leaving the job running.
    assert.equal(job.body.progress, 100);
    assert.equal(job.body.status, 'completed-with-errors');
    const item = (await call('GET', `/api/sync/jobs/${job.body.id}`)).body.items[0];
    assert.equal(item.status, 'failed');
    assert.match(item.result.error, /no email server profile/);
    assert.equal((await call('POST', '/api/sync/jobs', { kind: 'approve-email' })).status, 400);
  });

  it('keeps appointments and tasks', async () => {
    const a = await call('POST', '/api/appointments', { subject: 'Visit', startAt: '2026-02-01T10:00:00.000Z', endAt: '2026-02-01T11:00:00.000Z' });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal((await call('PATCH', `/api/appointments/${a.body.id}`, { location: 'Office' })).body.location, 'Office');
    assert.equal((await call('PATCH', `/api/appointments/${a.body.id}`, { endAt: '2026-01-01T00:00:00.000Z' })).status, 400);
    assert.equal((await call('DELETE', `/api/appointments/${a.body.id}`)).status, 204);
    const t = await call('POST', '/api/tasks', { subject: 'Call back', priority: 'high' });
    assert.equal(t.status, 201);
    assert.equal((await call('PATCH', `/api/tasks/${t.body.id}`, { percentComplete: 50, status: 'in-progress' })).body.percentComplete, 50);
    assert.equal((await call('GET', '/api/tasks')).body.length, 1);
  });

  it('signs webhook deliveries, never returns the secret, and retries a failing receiver', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let fail = true;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(fail ? 500 : 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const secret = 'a-secret-of-enough-length';
      const created = await call('POST', '/api/webhooks', { url, events: ['email.tracked'], secret });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(!JSON.stringify(created.body).includes(secret));
      assert.ok(!JSON.stringify((await call('GET', '/api/webhooks')).body).includes(secret));
      assert.equal((await call('POST', '/api/webhooks', { url: 'http://example.com/x', events: ['email.sent'], secret })).status, 400);

      const deps = { store: h.store, clock: h.clock, random: seededRandom(5), workerId: 'w', log: { info: () => undefined, warn: () => undefined, error: () => undefined } };
      await enqueueEvent(syncDb(h.store.kysely), deps, 'email.tracked', { emailId: 'e1' });
      await enqueueEvent(syncDb(h.store.kysely), deps, 'email.sent', { emailId: 'e2' });
      assert.equal(await deliverDueWebhooks(deps), 1, 'only the subscribed event is delivered');
      let deliveries = (await call('GET', `/api/webhooks/${created.body.id}/deliveries`)).body;
      assert.equal(deliveries[0].status, 'pending');
      assert.equal(deliveries[0].lastStatusCode, 500);
      assert.ok(Date.parse(deliveries[0].nextAttemptAt) > h.clock.now());
      assert.equal(await deliverDueWebhooks(deps), 0, 'not before its back-off');
      fail = false;
      h.clock.advance(60_000);
      assert.equal(await deliverDueWebhooks(deps), 1);
      deliveries = (await call('GET', `/api/webhooks/${created.body.id}/deliveries`)).body;
      assert.equal(deliveries[0].status, 'delivered');
      assert.equal(deliveries[0].attempts, 2);
      const last = received.at(-1)!;
      const sig = String(last.headers['dovetail-signature']);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig)!;
      assert.equal(v1, createHmac('sha256', secret).update(`${t}.${last.body}`).digest('hex'));
      assert.equal(JSON.parse(last.body).data.emailId, 'e1');
    } finally {
      server.close();
    }
  });
});
