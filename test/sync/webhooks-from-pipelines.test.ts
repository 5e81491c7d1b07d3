/**
 * The pipelines themselves announce what happened to email, through signed webhooks delivered by
 * the worker: email.tracked when an incoming email becomes an activity, email.sent when the
 * outbox sent one, email.failed when the server refused one. Each event reaches the receiver
 * once, with the activity's id, and a signature made with the webhook's secret.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDraft, listEmails, sendEmail } from '../../src/crm/email-activities.ts';
import { AppError } from '../../src/errors.ts';
import { createWebhook } from '../../src/sync/sync-admin.ts';
import { openHarness, type Harness } from './engine-harness.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';

type Received = { event: string; signature: string; body: string; payload: { id: string; event: string; data: Record<string, unknown> } };
const SECRET = 'pipeline-webhook-secret-0c4f';

describe('webhooks raised by the pipelines (engine on PGlite, fake Exchange, local receiver)', () => {
  let h: Harness;
  let server: Server;
  const received: Received[] = [];
  let sam: Awaited<ReturnType<typeof createReadyMailbox>>;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ event: String(req.headers['dovetail-event']), signature: String(req.headers['dovetail-signature']), body, payload: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    h = await openHarness();
    await h.store.settings.save({ ...(await h.store.settings.get()), trackEmails: 'all' });
    const profile = await createProfile(h.store);
    sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dovetail`;
    await createWebhook(h.useCases, { url, events: ['email.tracked', 'email.sent', 'email.failed'], secret: SECRET });
    await h.worker.runUntilIdle();
  });
  after(async () => {
    await h?.dispose();
    server?.close();
  });

  const signedBy = (r: Received, secret: string) => {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
    return m !== null && createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex') === m[2];
  };
  const eventsFor = (event: string, emailId: string) => received.filter((r) => r.event === event && r.payload.data['emailId'] === emailId);

  it('announces a tracked incoming email once, signed', async () => {
    const msg = h.fake.deliver('sam@us.example', { subject: 'Quote request', from: { address: 'pat@customer.example' } });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    await h.worker.runUntilIdle(); // deliveries go out in the worker's housekeeping
    const activity = (await listEmails(h.useCases, { limit: 100 })).find((e) => e.messageId === msg.internetMessageId);
    assert.ok(activity, 'the email was tracked');
    const events = eventsFor('email.tracked', activity.id);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.payload.data['mailboxId'], sam.id);
    assert.equal(events[0]!.payload.data['messageId'], msg.internetMessageId);
    assert.ok(signedBy(events[0]!, SECRET));
    assert.ok(!signedBy(events[0]!, 'another-secret'));
  });

  it('announces a sent email and a refused one, each once', async () => {
    const ok = await createDraft(h.useCases, { mailboxId: sam.id, to: [{ address: 'pat@customer.example' }], subject: 'Your quote', body: 'x', bodyType: 'text' });
    await sendEmail(h.useCases, ok.id);
    await h.worker.runUntilIdle();
    const bad = await createDraft(h.useCases, { mailboxId: sam.id, to: [{ address: 'nobody@nowhere.example' }], subject: 'Bounce', body: 'x', bodyType: 'text' });
    await sendEmail(h.useCases, bad.id);
    h.fake.failNext('sendMessage', new AppError('send_refused', 'One or more recipients are invalid.', { kind: 'permanent', providerCode: 'ErrorInvalidRecipients' }));
    await h.worker.runUntilIdle();
    await h.worker.runUntilIdle();

    assert.equal(eventsFor('email.sent', ok.id).length, 1);
    assert.equal(eventsFor('email.sent', bad.id).length, 0);
    const failed = eventsFor('email.failed', bad.id);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.payload.data['errorCode'], 'ErrorInvalidRecipients');
    assert.ok(received.every((r) => signedBy(r, SECRET)), 'every delivery is signed');
    assert.equal(new Set(received.map((r) => r.payload.id)).size, received.length, 'no delivery twice');
  });
});
