import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../src/clock.ts';
import type { EmailMessage, OutgoingEmail, RemoteFolderId } from '../../src/exchange/driver.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { pageSizePreference } from '../../src/exchange/graph/delta.ts';
import { sendBatch } from '../../src/exchange/graph/resources/batch.ts';
import { contactsDeltaPath } from '../../src/exchange/graph/resources/contacts.ts';
import { calendarViewDeltaPath } from '../../src/exchange/graph/resources/events.ts';
import { toEmailMessage } from '../../src/exchange/graph/resources/messages.ts';
import { createSubscription, deleteSubscription, readNotifications, renewSubscription } from '../../src/exchange/graph/resources/subscriptions.ts';
import { tasksPath } from '../../src/exchange/graph/resources/todo-tasks.ts';
import { sendMessage } from '../../src/exchange/graph/send-message.ts';
import { conformanceSkip } from '../support/env.ts';
import { jsonAnswer, requestSample, responseSample, sampleText, startReplay, templatePattern, type Replay, type ReplayAnswer, type SeenRequest } from './graph-replay.ts';

/**
 * The Graph samples of the conformance kit that graph-samples.test.ts does not read: request samples
 * are compared with the request Dovetail builds for the same operation (recorded by a replay server
 * over HTTPS), response samples are replayed to Dovetail's client and read by its own code.
 *
 * Not read here, because Dovetail has no code for them: sendMail-request-4-MIME-base64.http (Dovetail
 * never sends MIME) and lifecycle-reauthorize-action.http (Dovetail never calls /reauthorize).
 */
const mailbox = 'alex@contoso.test';
const graphRoot = 'https://graph.microsoft.com';
/** The path templates of an -http-syntax sample, without their query strings. */
const pathTemplates = (name: string): RegExp[] =>
  sampleText(name).trim().split(/\r?\n/).map((l) => templatePattern(l.replace(/^\w+\s+/, '').replace(/\?.*$/, '').trim()));
const matchesOne = (patterns: RegExp[], path: string): boolean => patterns.some((p) => p.test(path));
const v1 = (path: string): string => path.replace(/^\/v1\.0/, '');
/** Two timestamps name the same millisecond (Graph writes 7 fractional digits, Dovetail 3). */
function sameInstant(actual: unknown, expected: unknown): void {
  const [a, b] = [Date.parse(String(actual)), Date.parse(String(expected))];
  assert.ok(Number.isFinite(a) && Number.isFinite(b), `${String(actual)} and ${String(expected)} are dates`);
  assert.equal(a, b);
}

/** Answer the published response sample as published, except Content-Length: the server counts the bytes it sends. */
function replayed(name: string): ReplayAnswer {
  const sample = responseSample(name);
  const headers = Object.fromEntries(Object.entries(sample.headers).filter(([k]) => k !== 'content-length'));
  return { status: sample.status, reason: sample.reason, headers, body: sample.body };
}

describe('More Graph samples as published', { skip: conformanceSkip() }, () => {
  describe('sendMail samples against the draft Dovetail sends', () => {
    let replay: Replay;
    let accepted: ReplayAnswer;
    before(async () => {
      replay = await startReplay((seen) => {
        if (seen.method === 'GET' && seen.path.includes('/mailFolders/sentitems/')) {
          // Before the send nothing is in Sent Items; right after it, the copy is.
          const justSent = replay.seen.at(-2)?.path.endsWith('/send') === true;
          return jsonAnswer(200, { value: justSent ? [{ id: 'sent-1' }] : [] });
        }
        if (seen.method === 'GET') return jsonAnswer(200, { value: [] });
        if (seen.path.endsWith('/messages')) return jsonAnswer(201, { id: 'draft-1' });
        if (seen.path.endsWith('/send')) return accepted;
        return jsonAnswer(400, { error: { code: 'BadRequest', message: `unexpected ${seen.method} ${seen.path}` } });
      });
    });
    after(() => replay.close());

    /** Sends the sample's message with Dovetail's send path; answers its /send with the 202 sample. */
    async function sendLikeSample(requestName: string, responseName: string) {
      const sample = requestSample(requestName);
      assert.equal(sample.method, 'POST');
      assert.ok(matchesOne(pathTemplates('sendMail-http-syntax.http'), sample.url.pathname.replace(/^\/v1\.0/, '')));
      const message = sample.json!['message'] as Record<string, unknown>;
      // The sample's message is a message resource: Dovetail's mapper reads it.
      const read: EmailMessage = toEmailMessage({ id: 'sample', ...message });
      const attachments = ((message['attachments'] as Array<Record<string, string>> | undefined) ?? []).map((a) => ({
        name: a['name']!,
        contentType: a['contentType']!,
        content: Buffer.from(a['contentBytes']!, 'base64'),
      }));
      const email: OutgoingEmail = {
        internetMessageId: `<${requestName}@dovetail.test>`,
        from: { address: mailbox },
        to: read.to,
        cc: read.cc,
        bcc: read.bcc,
        subject: read.subject,
        body: read.body,
        attachments,
        stamp: { orgId: 'org-1', activityId: 'activity-1' },
      };
      accepted = replayed(responseName);
      const start = replay.seen.length;
      const sent = await sendMessage(replay.client, mailbox, email);
      const requests = replay.seen.slice(start);
      const draft = requests.find((r) => r.method === 'POST' && r.path.endsWith('/messages'))!;
      return { message, read, sent, requests, draft: draft.json as Record<string, unknown>, draftRequest: draft };
    }

    const addresses = (list: unknown): string[] => (list as Array<{ emailAddress: { address: string } }>).map((r) => r.emailAddress.address);

    it('sendMail-request-1: the draft carries the same subject, body, To and Cc; a 202 without a body is a send', async () => {
      const { message, read, sent, requests, draft, draftRequest } = await sendLikeSample('sendMail-request-1.http', 'sendMail-response-1-202.http');
      assert.equal(read.subject, 'Meet for lunch?');
      assert.deepEqual(read.body, { type: 'text', content: 'The new cafeteria is open.' });
      assert.deepEqual(read.to, [{ address: 'fannyd@contoso.onmicrosoft.com' }]);
      assert.deepEqual(read.cc, [{ address: 'danas@contoso.onmicrosoft.com' }]);
      for (const field of Object.keys(message)) assert.ok(field in draft, `the draft has ${field}`);
      assert.equal(draft['subject'], message['subject']);
      assert.deepEqual(draft['body'], message['body'], 'contentType "Text" as the sample writes it');
      assert.deepEqual(addresses(draft['toRecipients']), addresses(message['toRecipients']));
      assert.deepEqual(addresses(draft['ccRecipients']), addresses(message['ccRecipients']));
      assert.equal(draft['internetMessageId'], '<sendMail-request-1.http@dovetail.test>');
      // App-only tokens have no /me: Dovetail names the mailbox, as the second syntax line does.
      assert.ok(draftRequest.path.startsWith(`/v1.0/users/${encodeURIComponent(mailbox)}/`));
      // saveToSentItems "false" is the sample's choice; Dovetail never calls sendMail, and its
      // draft-then-send keeps the copy in Sent Items, where it looks the Message-ID up before any resend.
      assert.ok(requests.every((r) => !r.path.endsWith('/sendMail')));
      assert.equal(requests.at(-1)?.method, 'GET');
      assert.match(requests.at(-1)!.url.searchParams.get('$filter') ?? '', /^internetMessageId eq '<sendMail-request-1\.http@dovetail\.test>'$/);
      assert.deepEqual(sent, { id: 'sent-1', internetMessageId: '<sendMail-request-1.http@dovetail.test>' });
    });

    it('sendMail-request-2 (published with the x- internetMessageHeaders): Dovetail reads them, and never writes headers into a draft', async () => {
      const { message, read, draft } = await sendLikeSample('sendMail-request-2-with-attachment.http', 'sendMail-response-4-202.http');
      assert.equal(read.subject, '9/9/2018: concert');
      assert.deepEqual(read.body, { type: 'html', content: 'The group represents Nevada.' });
      assert.deepEqual(read.to, [{ address: 'AlexW@contoso.OnMicrosoft.com' }]);
      assert.deepEqual(draft['body'], message['body'], 'contentType "HTML" as the sample writes it');
      assert.deepEqual(addresses(draft['toRecipients']), ['AlexW@contoso.OnMicrosoft.com']);
      // Graph takes only x- headers here (every published one is); Dovetail's threading headers are not,
      // so it writes In-Reply-To and References as MAPI properties and leaves internetMessageHeaders out.
      const headers = message['internetMessageHeaders'] as Array<{ name: string; value: string }>;
      assert.deepEqual(headers.map((h) => h.name), ['x-custom-header-group-name', 'x-custom-header-group-id']);
      assert.ok(headers.every((h) => h.name.toLowerCase().startsWith('x-')));
      assert.equal('internetMessageHeaders' in draft, false);
      assert.ok(Array.isArray(draft['singleValueExtendedProperties']));
    });

    it('sendMail-request-3 (published with the file attachment): the draft attachment has exactly the sample\'s shape', async () => {
      const { message, read, draft } = await sendLikeSample('sendMail-request-3-with-internetMessageHeaders.http', 'sendMail-response-1-202.http');
      assert.deepEqual(read.to, [{ address: 'meganb@contoso.onmicrosoft.com' }]);
      assert.deepEqual(draft['attachments'], message['attachments']);
      assert.deepEqual((draft['attachments'] as Array<Record<string, unknown>>)[0], {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'attachment.txt',
        contentType: 'text/plain',
        contentBytes: 'SGVsbG8gV29ybGQh',
      });
    });

    it('both published 202 answers are the bare status line Dovetail takes as accepted', () => {
      for (const name of ['sendMail-response-1-202.http', 'sendMail-response-4-202.http']) {
        const sample = responseSample(name);
        assert.deepEqual([sample.status, sample.reason, sample.body], [202, 'Accepted', '']);
      }
    });
  });

  describe('subscription samples against Dovetail\'s subscriptions resource', () => {
    let replay: Replay;
    const created = responseSample('subscription-create-response.http');
    before(async () => {
      replay = await startReplay((seen) => {
        if (seen.method === 'POST') return replayed('subscription-create-response.http');
        // PATCH answers the subscription resource (200); the create sample is its published representation.
        if (seen.method === 'PATCH') return { ...replayed('subscription-create-response.http'), status: 200, reason: 'OK' };
        return { status: 204, reason: 'No Content' };
      });
    });
    after(() => replay.close());
    const last = (): SeenRequest => replay.seen.at(-1)!;
    const subscribeLike = async (name: string) => {
      const sample = requestSample(name);
      const json = sample.json!;
      const subscription = await createSubscription(replay.client, {
        mailbox,
        resource: String(json['resource']),
        changeType: String(json['changeType']),
        notificationUrl: String(json['notificationUrl']),
        clientState: String(json['clientState']),
        expiresAt: new Date(String(json['expirationDateTime'])),
      });
      const sent = last();
      assert.equal(sent.method, sample.method);
      assert.equal(sent.path, sample.url.pathname);
      return { sample: json, sent: sent.json as Record<string, unknown>, subscription };
    };

    it('subscription-create request and response: same fields; the 201 is read into id, resource, expiry, clientState', async () => {
      const { sample, sent, subscription } = await subscribeLike('subscription-create-request.http');
      assert.deepEqual(Object.keys(sent).sort(), Object.keys(sample).sort());
      for (const field of ['changeType', 'notificationUrl', 'resource', 'clientState', 'latestSupportedTlsVersion']) assert.equal(sent[field], sample[field], field);
      sameInstant(sent['expirationDateTime'], sample['expirationDateTime']);
      assert.equal(created.status, 201);
      assert.deepEqual(subscription, {
        id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
        resource: "me/mailFolders('Inbox')/messages",
        expirationDateTime: '2016-11-20T18:23:45.9356913Z',
        clientState: 'secretClientValue',
      });
    });

    it('webhooks-subscription-request: every published field is sent, with TLS 1.2 as the floor', async () => {
      const { sample, sent } = await subscribeLike('webhooks-subscription-request.http');
      for (const field of Object.keys(sample)) assert.ok(field in sent, field);
      assert.equal(sent['changeType'], 'created,updated');
      assert.equal(sent['resource'], "/me/mailfolders('inbox')/messages");
      assert.equal(sent['latestSupportedTlsVersion'], 'v1_2');
    });

    it('lifecycle-subscription-request: Dovetail sends all but lifecycleNotificationUrl (it takes no lifecycle notifications)', async () => {
      const { sample, sent } = await subscribeLike('lifecycle-subscription-request-lifecycleNotificationUrl.http');
      assert.deepEqual(Object.keys(sample).filter((field) => !(field in sent)), ['lifecycleNotificationUrl']);
    });

    it('renewal (webhooks and lifecycle samples): PATCH of the subscription with only the new expiry', async () => {
      for (const name of ['webhooks-subscription-renewal.http', 'lifecycle-renew-action.http']) {
        const sample = requestSample(name);
        const id = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
        const renewed = await renewSubscription(replay.client, mailbox, id, new Date(String(sample.json!['expirationDateTime'])));
        assert.equal(renewed.id, id);
        const sent = last();
        assert.equal(sent.method, sample.method);
        // The lifecycle page shows /beta; Dovetail stays on v1.0, where PATCH /subscriptions/{id} is the same call.
        assert.equal(v1(sent.path), sample.path.replace(/^\/(v1\.0|beta)/, '').replace('{id}', id));
        assert.deepEqual(Object.keys(sent.json as object), ['expirationDateTime']);
        sameInstant((sent.json as { expirationDateTime: string }).expirationDateTime, sample.json!['expirationDateTime']);
      }
    });

    it('webhooks-subscription-delete: DELETE of the subscription, no body', async () => {
      const sample = requestSample('webhooks-subscription-delete.http');
      await deleteSubscription(replay.client, mailbox, 'sub-1');
      const sent = last();
      assert.deepEqual([sent.method, sent.path, sent.json], [sample.method, sample.path.replace('{id}', 'sub-1'), undefined]);
    });

    it('lifecycle notifications: handed on with the lifecycle event as the change type, only with our clientState', () => {
      const removed = JSON.parse(sampleText('lifecycle-subscriptionRemoved-notification.json')) as unknown;
      assert.deepEqual(readNotifications(removed, (id) => (id === '<subscription_guid>' ? '<secretClientState>' : undefined)), [
        { subscriptionId: '<subscription_guid>', changeType: 'subscriptionRemoved', resource: '', clientState: '<secretClientState>' },
      ]);
      assert.deepEqual(readNotifications(removed, () => 'another'), []);
      const reauthorize = JSON.parse(sampleText('lifecycle-reauthorizationRequired-notification.json')) as unknown;
      assert.deepEqual(readNotifications(reauthorize, () => '{secret client state}'), [
        { subscriptionId: 'e3898f08-5cd0-4a6a-80fc-6addbfb73b7b', changeType: 'reauthorizationRequired', resource: '', clientState: '{secret client state}' },
      ]);
    });
  });

  describe('delta and batch request samples against the requests the driver sends', () => {
    let replay: Replay;
    const pages = ['delta-query-messages-1-initial-response-nextLink.json', 'delta-query-messages-2-second-response-nextLink.json', 'delta-query-messages-3-final-response-deltaLink.json'];
    before(async () => {
      let page = 0;
      replay = await startReplay((seen) => {
        if (seen.path.endsWith('/$batch')) {
          const requests = (seen.json as { requests: Array<{ id: string }> }).requests;
          const status = responseSample('batch-response-status-line.http');
          return { status: status.status, reason: status.reason, headers: status.headers, body: JSON.stringify({ responses: requests.map((r) => ({ id: r.id, status: 204, body: null })) }) };
        }
        // The driver follows only links of its own Graph root: the published links are rebased onto this server.
        const text = sampleText(pages[page++]!).split(graphRoot).join(replay.url);
        return { status: 200, headers: { 'content-type': 'application/json' }, body: text };
      });
    });
    after(() => replay.close());

    it('message delta: the published path, Prefer odata.maxpagesize on every page, the published skiptokens followed', async () => {
      const driver = openGraphDriver({ root: replay.url, trustedCaPem: replay.caCertPem, tokens: replay.tokens, clock: systemClock, random: seededRandom(3) });
      const folder = 'AQMkADNkNAAAgEMAAAA' as RemoteFolderId;
      try {
        const first = await driver.syncMessages(mailbox, folder, null, 2);
        const second = await driver.syncMessages(mailbox, folder, first.nextCursor, 2);
        const third = await driver.syncMessages(mailbox, folder, second.nextCursor, 2);
        assert.deepEqual([first.more, second.more, third.more], [true, true, false]);
        assert.deepEqual(first.changes, [
          { type: 'upsert', id: 'AAMkADNkNAAASq35xAAA=', version: 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz"' },
          { type: 'upsert', id: 'AQMkADNkNAAAVRMKAAAAA==', version: 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAAEfYB/"' },
        ]);
        assert.deepEqual(third.changes, [{ type: 'upsert', id: 'AAMkADk0MGFkODE3LWEAAA=', version: 'W/"CQAAABYAAAARn2vdzFPjSbaPPxzjlzOTAAAEfYB+"' }]);
        assert.ok(third.nextCursor.endsWith('/messages/delta?$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY'));
      } finally {
        await driver.close();
      }
      const [initial, secondRequest, thirdRequest] = replay.seen;
      assert.ok(matchesOne(pathTemplates('message-delta-http-syntax.http'), v1(initial!.path)), initial!.path);
      assert.equal(initial!.path, `/v1.0/users/${encodeURIComponent(mailbox)}/mailFolders/AQMkADNkNAAAgEMAAAA/messages/delta`);
      // The published initial request selects isRead too; Dovetail reads content later, by id.
      assert.ok(initial!.url.searchParams.get('$select')!.split(',').includes('isRead'));
      const published = [requestSample('message-delta-request.http'), requestSample('delta-query-messages-2-second-request.http'), requestSample('delta-query-messages-3-third-request.http')];
      for (const [i, request] of [initial, secondRequest, thirdRequest].entries()) {
        assert.equal(request!.method, published[i]!.method);
        assert.ok(String(request!.headers['prefer']).split(/,\s*/).includes(published[i]!.headers['prefer']!), `page ${i + 1} asks ${published[i]!.headers['prefer']}`);
      }
      assert.equal(pageSizePreference(2), published[0]!.headers['prefer']);
      for (const [i, request] of [secondRequest, thirdRequest].entries()) {
        assert.equal(request!.url.searchParams.get('$skiptoken'), published[i + 1]!.url.searchParams.get('$skiptoken'));
      }
    });

    it('contact, event and To Do paths match the published syntax; the page-size preference is the published one', () => {
      const mine = (path: string): string => path.replace(encodeURIComponent(mailbox), 'alex');
      assert.ok(matchesOne(pathTemplates('contact-delta-http-syntax.http'), mine(contactsDeltaPath(mailbox))));
      assert.equal(requestSample('contact-delta-request.http').headers['prefer'], pageSizePreference(2));
      assert.ok(matchesOne(pathTemplates('event-calendarView-delta-http-syntax.http'), mine(calendarViewDeltaPath(mailbox))));
      assert.ok(matchesOne(pathTemplates('todoTask-delta-http-syntax.http'), mine(`${tasksPath(mailbox, 'gDbc8U7HGwADDZocJgAAAA==')}/delta`)));
      const todoDelta = requestSample('todoTask-delta-request.http');
      assert.equal(todoDelta.headers['prefer'], pageSizePreference(2));
      assert.equal(v1(todoDelta.url.pathname), `/me/todo/lists/gDbc8U7HGwADDZocJgAAAA==/tasks/delta`);
      assert.ok(matchesOne(pathTemplates('todoTaskList-list-tasks-http-syntax.http'), mine(tasksPath(mailbox, '35e2-35e2-721a-e235-1a72e2351a7'))));
      assert.equal(v1(requestSample('todoTaskList-list-tasks-request.http').url.pathname), '/me/todo/lists/35e2-35e2-721a-e235-1a72e2351a7/tasks');
    });

    it('$batch: POST to the published URL with JSON both ways; the published 200 status line is read as the batch\'s answer', async () => {
      const line = requestSample('batch-request-line.http');
      const results = await sendBatch(replay.client, mailbox, [{ method: 'GET', url: '/me' }, { method: 'GET', url: '/me/planner/tasks' }]);
      assert.deepEqual(results.map((r) => r.ok && r.value.status), [204, 204]);
      const sent = replay.seen.at(-1)!;
      assert.equal(sent.method, line.method);
      assert.equal(sent.path, line.url.pathname);
      assert.equal(sent.headers['accept'], line.headers['accept']);
      assert.equal(sent.headers['content-type'], line.headers['content-type']);
      assert.deepEqual(Object.keys(sent.json as object), ['requests']);
    });
  });
});
