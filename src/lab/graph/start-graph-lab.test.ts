import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { systemClock } from '../../clock.ts';
import { startLabHttpsServer, type LabHttpsServer } from '../tls/lab-ca.ts';
import { labCa, startTestGraphLab, testTokens } from '../../../test/contract/graph-lab-fixture.ts';
import type { GraphLab } from './start-graph-lab.ts';

/** The lab's Graph answers as Exchange Online does, over its wire. */
describe('lab Graph', () => {
  let lab: GraphLab;
  let key: Buffer;
  let agent: Agent;
  let token: string;
  const mailbox = 'gina@lab.dovetail.test';

  before(async () => {
    const ca = await labCa();
    ({ lab, key } = await startTestGraphLab({ notificationCaPem: ca.caCertPem }));
    lab.addMailbox(mailbox);
    agent = new Agent({ connect: { ca: lab.caCertPem } });
    token = (await testTokens(key, 'app-lab').getToken()).token;
  });
  after(async () => {
    await agent.close();
    await lab.close();
  });

  const call = async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {}) => {
    const url = path.startsWith('https://') ? path : `${lab.url}/v1.0${path}`;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.auth !== null) headers['authorization'] = `Bearer ${options.auth ?? token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(url, {
      method: method as 'GET',
      headers,
      dispatcher: agent,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
  };
  const deliver = (subject: string) =>
    lab.deliver(mailbox, { from: { address: 'x@external.test' }, to: [mailbox], subject, body: subject, internetMessageId: `<${subject}@external.test>` });

  it('shapes errors as Graph does and refuses a missing or foreign token', async () => {
    const missing = await call('GET', `/users/${mailbox}/mailFolders/inbox`, { auth: null, headers: { 'client-request-id': 'c-1' } });
    assert.equal(missing.status, 401);
    assert.equal(missing.body?.['error'].code, 'InvalidAuthenticationToken');
    const inner = missing.body?.['error'].innerError;
    assert.equal(inner['client-request-id'], 'c-1');
    assert.match(inner['request-id'], /^[0-9a-f-]{36}$/);
    assert.match(inner.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const forged = await call('GET', `/users/${mailbox}/mailFolders/inbox`, { auth: `${token}x` });
    assert.equal(forged.status, 401);
    const noUser = await call('GET', '/users/nobody@lab.dovetail.test/mailFolders/inbox');
    assert.equal(noUser.status, 404);
    assert.equal(noUser.body?.['error'].code, 'ErrorInvalidUser');
  });

  it('keeps delta tokens honest: replay answers the same, a forged token answers 410 syncStateNotFound', async () => {
    const path = `/users/${mailbox}/mailFolders/inbox/messages/delta`;
    const first = await call('GET', path, { headers: { prefer: 'odata.maxpagesize=2' } });
    const deltaLink = first.body?.['@odata.deltaLink'] as string;
    assert.ok(deltaLink);
    deliver('delta-a');
    deliver('delta-b');
    deliver('delta-c');
    const page = await call('GET', deltaLink, { headers: { prefer: 'odata.maxpagesize=2' } });
    assert.equal(page.body?.['value'].length, 2);
    assert.ok(page.body?.['@odata.nextLink'], 'more than a page: a nextLink');
    const replay = await call('GET', deltaLink, { headers: { prefer: 'odata.maxpagesize=2' } });
    assert.deepEqual(replay.body?.['value'].map((m: { id: string }) => m.id), page.body?.['value'].map((m: { id: string }) => m.id));
    const forged = await call('GET', deltaLink.replace(/\$deltatoken=([^.]+)\.(.)/, (_m, p: string, c: string) => `$deltatoken=${p}.${c === 'A' ? 'B' : 'A'}`));
    assert.equal(forged.status, 410);
    assert.equal(forged.body?.['error'].code, 'syncStateNotFound');
    assert.match(String(forged.headers['location']), /messages\/delta$/);
    const message = page.body?.['value'][0];
    assert.equal(message.internetMessageHeaders, undefined, 'headers only when $select asks');
    const selected = await call('GET', `/users/${mailbox}/messages/${message.id}?$select=internetMessageHeaders`);
    assert.ok(Array.isArray(selected.body?.['internetMessageHeaders']));
  });

  it('refuses a batch of more than 20 and non-custom headers on a new message', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${mailbox}/mailFolders/inbox` }));
    const batch = await call('POST', '/$batch', { body: { requests } });
    assert.equal(batch.status, 400);
    const draft = await call('POST', `/users/${mailbox}/messages`, { body: { subject: 'x', internetMessageHeaders: [{ name: 'In-Reply-To', value: '<a@b>' }] } });
    assert.equal(draft.status, 400);
    assert.equal(draft.body?.['error'].code, 'InvalidInternetMessageHeader');
  });

  it('sends with sendMail as published, and lets the owner create items in Outlook', async () => {
    lab.addMailbox('hal@lab.dovetail.test');
    const sent = await call('POST', `/users/${mailbox}/sendMail`, {
      body: {
        message: {
          subject: 'Meet for lunch?',
          body: { contentType: 'Text', content: 'The new cafeteria is open.' },
          toRecipients: [{ emailAddress: { address: 'hal@lab.dovetail.test' } }],
        },
        saveToSentItems: 'false',
      },
    });
    assert.equal(sent.status, 202);
    assert.equal(lab.messagesIn('hal@lab.dovetail.test', 'inbox').filter((m) => m.data['subject'] === 'Meet for lunch?').length, 1);
    assert.equal(lab.messagesIn(mailbox, 'sentitems').filter((m) => m.data['subject'] === 'Meet for lunch?').length, 0);
    assert.equal(lab.sends.at(-1)?.subject, 'Meet for lunch?');

    const start = new Date(systemClock.now() + 86_400_000).toISOString().slice(0, 19);
    const end = new Date(systemClock.now() + 90_000_000).toISOString().slice(0, 19);
    const id = lab.createItem(mailbox, 'event', { subject: 'Planned in Outlook', start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' } });
    const window = `startDateTime=${new Date(systemClock.now()).toISOString()}&endDateTime=${new Date(systemClock.now() + 7 * 86_400_000).toISOString()}`;
    const delta = await call('GET', `/users/${mailbox}/calendarView/delta?${window}`);
    const event = delta.body?.['value'].find((e: { id: string }) => e.id === id);
    assert.equal(event?.subject, 'Planned in Outlook');
    assert.equal(event?.type, 'singleInstance');
    const missingWindow = await call('GET', `/users/${mailbox}/calendarView/delta`);
    assert.equal(missingWindow.status, 400);
  });

  it('validates a subscription endpoint and then notifies it with the clientState', async () => {
    const ca = await labCa();
    const received: Array<Record<string, any>> = [];
    let echoWrong = false;
    const endpoint: LabHttpsServer = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const token = new URL(req.url ?? '/', 'https://x').searchParams.get('validationToken');
        if (token !== null) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(echoWrong ? 'wrong' : token);
          return;
        }
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
        res.writeHead(202);
        res.end();
      });
    });
    try {
      const expirationDateTime = new Date(systemClock.now() + 60 * 60_000).toISOString();
      const created = await call('POST', '/subscriptions', {
        body: { changeType: 'created', notificationUrl: `${endpoint.url}/notify`, resource: `users/${mailbox}/mailFolders('inbox')/messages`, expirationDateTime, clientState: 'secret-state' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body?.['clientState'], 'secret-state');
      const id = deliver('notify-me');
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const notification = received[0]?.['value'][0];
      assert.equal(notification.clientState, 'secret-state');
      assert.equal(notification.changeType, 'created');
      assert.equal(notification.resourceData.id, id);

      const tooLong = await call('POST', '/subscriptions', {
        body: { changeType: 'created', notificationUrl: `${endpoint.url}/notify`, resource: `users/${mailbox}/messages`, expirationDateTime: '2999-01-01T00:00:00Z' },
      });
      assert.equal(tooLong.status, 400);
      echoWrong = true;
      const refused = await call('POST', '/subscriptions', {
        body: { changeType: 'created', notificationUrl: `${endpoint.url}/notify`, resource: `users/${mailbox}/messages`, expirationDateTime },
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body?.['error'].code, 'ValidationError');
      const removed = await call('DELETE', `/subscriptions/${created.body?.['id']}`);
      assert.equal(removed.status, 204);
    } finally {
      await endpoint.close();
    }
  });
});
