import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { readDeltaPage } from '../../src/exchange/graph/delta.ts';
import { graphError, parseRetryAfter } from '../../src/exchange/graph/error-codes.ts';
import { correlateBatch, maxBatchSize, type BatchWireResponse } from '../../src/exchange/graph/resources/batch.ts';
import { toEmailMessage, messageSelect } from '../../src/exchange/graph/resources/messages.ts';
import { toTask } from '../../src/exchange/graph/resources/todo-tasks.ts';
import { toContact } from '../../src/exchange/graph/resources/contacts.ts';
import { toAppointment } from '../../src/exchange/graph/resources/events.ts';
import { maxOutlookSubscriptionMinutes, readNotifications, validationAnswer } from '../../src/exchange/graph/resources/subscriptions.ts';
import { runBatch } from '../../src/lab/graph/batch-route.ts';
import { defaultRequestBudget } from '../../src/exchange/graph/request-budget.ts';
import { MailboxSemaphore } from '../../src/exchange/graph/mailbox-semaphore.ts';
import { clouds } from '../../src/auth/clouds.ts';

/**
 * The published Microsoft Graph samples of the conformance kit (graph/, archived 2021 docs), read as
 * published and fed to the code that reads Graph's answers.
 */
const text = (name: string): string => readFileSync(conformancePath(`graph/${name}`), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(text(name)) as Record<string, unknown>;

/** An .http response sample: status line, headers, blank line, JSON body. */
function httpResponse(name: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, ...rest] = text(name).split(/\r?\n\r?\n/);
  const lines = head!.split(/\r?\n/);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0]!)?.[1]);
  const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status, headers, body: JSON.parse(rest.join('\n\n')) as Record<string, unknown> };
}

/** Responses in the ```http code blocks of a Markdown page: headers and parsed JSON body. */
function httpBlocks(markdownFile: string): Array<{ headers: string; body: unknown }> {
  return [...text(markdownFile).matchAll(/```http\r?\n(HTTP\/1\.1[\s\S]*?)```/g)].flatMap((m) => {
    const [headers, ...rest] = m[1]!.split(/\r?\n\r?\n/);
    try {
      return [{ headers: headers!, body: JSON.parse(rest.join('\n\n')) as unknown }];
    } catch {
      return [];
    }
  });
}

/** The JSON code blocks of a Markdown page, in order. */
function jsonBlocks(markdownFile: string): unknown[] {
  return [...text(markdownFile).matchAll(/```json\r?\n([\s\S]*?)```/g)].flatMap((m) => {
    try {
      return [JSON.parse(m[1]!)];
    } catch {
      return [];
    }
  });
}

describe('Graph samples as published', { skip: conformanceSkip() }, () => {
  it('pages a message delta round: nextLink, nextLink, deltaLink', () => {
    const first = readDeltaPage(json('delta-query-messages-1-initial-response-nextLink.json'));
    assert.equal(first.more, true);
    assert.match(first.nextCursor, /\$skiptoken=GwcBoTmPuoTQWfcsAbkYM$/);
    assert.deepEqual(first.entries.map((e) => e.id), ['AAMkADNkNAAASq35xAAA=', 'AQMkADNkNAAAVRMKAAAAA==']);
    assert.equal(first.entries[0]?.etag, 'W/"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz"');
    const second = readDeltaPage(json('delta-query-messages-2-second-response-nextLink.json'));
    assert.equal(second.more, true);
    assert.equal(second.entries.length, 2);
    const last = readDeltaPage(json('delta-query-messages-3-final-response-deltaLink.json'));
    assert.equal(last.more, false);
    assert.match(last.nextCursor, /\$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY$/);
    // The next round asks exactly that link again (delta-query-messages-4-next-round-request-deltaLink.http).
    const nextRound = text('delta-query-messages-4-next-round-request-deltaLink.http');
    assert.ok(nextRound.includes('$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY'));
    assert.match(text('delta-query-messages-1-initial-request.http'), /Prefer: odata\.maxpagesize=2/);
  });

  it('reads @removed entries of a tracked round (messages and events pages)', () => {
    const messageRound = jsonBlocks('ms-docs-source-2021-07/delta-query-messages.md').find((b) => JSON.stringify(b).includes('@removed'));
    const page = readDeltaPage(messageRound);
    assert.deepEqual(
      page.entries.map((e) => [e.id, e.removed]),
      [
        ['AAMkADk0MGFkODE3LWE4MmYtNDRhOS0Dh_6qB-pB2Sa2pUum19a6YAAKnLuxoAAA=', true],
        ['AAMkADNkNAAASq35xAAA=', false],
      ],
    );
    const eventRound = httpBlocks('ms-docs-source-2021-07/delta-query-events.md').find((b) => JSON.stringify(b.body).includes('@removed'));
    const events = readDeltaPage(eventRound?.body);
    assert.equal(events.more, false);
    assert.deepEqual(events.entries[0], {
      id: 'AAMkADk0MGFkODE3LWE4MmYtNDRhOS04OGQLkRkXbBznTvAADb6ytyAAA=',
      removed: true,
      resource: { '@odata.type': '#microsoft.graph.event', id: 'AAMkADk0MGFkODE3LWE4MmYtNDRhOS04OGQLkRkXbBznTvAADb6ytyAAA=', '@removed': { reason: 'deleted' } },
    });
    assert.equal(events.entries[1]?.removed, false);
  });

  it('maps the message delta sample and selects only fields the message resource has', () => {
    const response = httpResponse('message-delta-response.http');
    assert.equal(response.status, 200);
    const page = readDeltaPage(response.body);
    const resource = { id: 'x', ...(page.entries[0]?.resource ?? (response.body['value'] as Array<Record<string, unknown>>)[0]) };
    const message = toEmailMessage(resource);
    assert.equal(message.internetMessageId, 'internetMessageId-value');
    assert.equal(message.subject, 'subject-value');
    assert.equal(message.body.content, 'content-value');
    const published = Object.keys(json('message-resource-json-representation.json'));
    for (const field of messageSelect.split(',')) {
      if (field === 'id') continue;
      assert.ok(published.includes(field), `${field} is a property of message`);
    }
  });

  it('maps the To Do, contact and event samples', () => {
    const todo = readDeltaPage(httpResponse('todoTask-delta-response.http').body);
    assert.equal(todo.more, false);
    const task = toTask(todo.entries[0]!.resource);
    assert.equal(task.subject, 'empty task3');
    assert.equal(task.status, 'notStarted');
    assert.equal(task.importance, 'normal');
    assert.equal(todo.entries[0]!.etag, 'W/"4rfRVIPi9EqXgDbc8U7HGwADLLQ9xQ=="');
    const listed = toTask((httpResponse('todoTaskList-list-tasks-response.http').body['value'] as Array<Record<string, unknown>>)[0]!);
    assert.equal(listed.subject, 'Linked entity new task 1');
    assert.equal(listed.importance, 'low');

    const contactBody = httpResponse('contact-delta-response.http').body;
    assert.equal(readDeltaPage(contactBody).more, true);
    const contact = toContact((contactBody['value'] as Array<Record<string, unknown>>)[0]!);
    assert.equal(contact.displayName, 'displayName-value');
    assert.equal(contact.givenName, 'givenName-value');

    const eventBody = httpResponse('event-calendarView-delta-response.http').body;
    const event = toAppointment((eventBody['value'] as Array<Record<string, unknown>>)[0]!);
    assert.equal(event.reminderMinutesBeforeStart, 99);
    assert.equal(event.isReminderOn, true);
    assert.equal(event.iCalUid, 'iCalUId-value');
    assert.match(text('event-calendarView-delta-request.http'), /calendarView\/delta\?startdatetime=/);
  });

  it('correlates batch responses by id, whatever their order, and maps each status', () => {
    const responses = (json('batch-response-body.json')['responses'] as BatchWireResponse[]);
    const byId = correlateBatch(responses);
    assert.deepEqual(['1', '2', '3', '4'].map((id) => byId.get(id)?.status), [302, 200, 401, 204]);
    const failed = byId.get('3')!;
    const error = graphError(Number(failed.status), failed.body, { method: 'GET', path: '/groups/{id}/events' });
    assert.equal(error.kind, 'auth');
    assert.equal(error.providerCode, 'Forbidden');
    assert.equal((json('batch-request-body.json')['requests'] as unknown[]).length <= maxBatchSize, true);
    assert.match(text('ms-docs-source-2021-07/known-issues-batching-excerpt-lines-310-316.md'), new RegExp(`limited to ${maxBatchSize} individual requests`));
  });

  it('runs the published dependsOn batch in the lab: a failed request fails its dependents with 424', async () => {
    let calls = 0;
    const body = json('batch-request-dependsOn.json');
    const result = await runBatch(
      { method: 'POST', path: '/$batch', query: new URLSearchParams(), headers: {}, body, rawBody: Buffer.alloc(0), appId: 'a', roles: [] },
      async () => {
        calls++;
        // Requests 1 and 3 run first (no dependencies); the first of them, request 1, fails.
        return calls === 1 ? { status: 500, body: { error: { code: 'InternalServerError', message: 'x' } } } : { status: 200, body: {} };
      },
    );
    const statuses = Object.fromEntries((result.body as { responses: Array<{ id: string; status: number }> }).responses.map((r) => [r.id, r.status]));
    assert.deepEqual(statuses, { '1': 500, '2': 424, '3': 200, '4': 424 });
    assert.equal(calls, 2, 'requests depending on a failure are not run');
  });

  it('reads the published 429 and 400 errors', () => {
    const sample = httpBlocks('ms-docs-source-2021-07/throttling.md').find((b) => b.headers.startsWith('HTTP/1.1 429'));
    const retryAfter = /Retry-After: ([\d.]+)/.exec(sample?.headers ?? '')?.[1];
    const body = sample?.body;
    const retryAfterMs = parseRetryAfter(retryAfter, 0);
    assert.equal(retryAfterMs, 2128);
    const throttled = graphError(429, body, { method: 'GET', path: '/users/x/messages', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.providerCode, 'TooManyRequests');
    assert.equal(throttled.retryAfterMs, 2128);
    assert.equal(throttled.details['requestId'], '94fb3b52-452a-4535-a601-69e0a90e3aa2');
    const bad = httpResponse('sendMail-response-4-error-400.http');
    const error = graphError(bad.status, bad.body, { method: 'POST', path: '/me/sendMail' });
    assert.equal(error.kind, 'permanent');
    assert.equal(error.providerCode, 'ErrorMimeContentInvalidBase64String');
    assert.equal(error.providerMessage, 'Invalid base64 string for MIME content.');
  });

  it('answers the validation request and keeps only notifications with our clientState', () => {
    const request = text('webhooks-validationToken-request.http');
    assert.match(request, /validationToken=/);
    const answer = validationAnswer(new URLSearchParams('validationToken=Validation%3A%20Testing%20client%20application%20reachability'));
    assert.deepEqual(answer, { status: 200, contentType: 'text/plain', body: 'Validation: Testing client application reachability' });
    const notification = json('webhooks-change-notification-clientState.json');
    const ours = readNotifications(notification, (id) => (id === '{subscription_guid}' ? 'secretClientValue' : undefined));
    assert.deepEqual(ours, [
      { subscriptionId: '{subscription_guid}', changeType: 'created', resource: 'users/{user_guid}@{tenant_guid}/messages/{long_id_string}', clientState: 'secretClientValue', itemId: '{long_id_string}' },
    ]);
    assert.deepEqual(readNotifications(notification, () => 'another secret'), []);
    const lifecycle = readNotifications(json('lifecycle-reauthorizationRequired-notification.json'), () => '{secret client state}');
    assert.equal(lifecycle[0]?.changeType, 'reauthorizationRequired');
  });

  it('keeps the published limits: 4 concurrent, under 10,000 requests per 10 minutes, 4230-minute subscriptions', () => {
    const throttling = text('ms-docs-source-2021-07/throttling.md');
    assert.match(throttling, /10,000 API requests in a 10 minute period/);
    assert.match(throttling, /\| 4 concurrent requests/);
    assert.equal(new MailboxSemaphore().limit, 4);
    const perTenMinutes = defaultRequestBudget.burst + (defaultRequestBudget.refill * 600_000) / defaultRequestBudget.perMs;
    assert.ok(perTenMinutes < 10_000 * 0.7, `${perTenMinutes} requests per 10 minutes`);
    assert.match(text('ms-docs-source-2021-07/subscription.md'), new RegExp(String(maxOutlookSubscriptionMinutes)));
  });

  it('talks to the national-cloud Graph roots the deployments page names', () => {
    const deployments = text('ms-docs-source-2021-07/deployments.md');
    for (const cloud of Object.values(clouds)) assert.ok(deployments.includes(cloud.graphEndpoint), cloud.graphEndpoint);
  });
});
