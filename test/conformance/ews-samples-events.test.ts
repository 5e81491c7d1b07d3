/**
 * Published EWS response samples for notifications, subscriptions and SOAP faults, and the
 * affinity exchange (ews-samples/*.http.txt), parsed as published with their fields asserted.
 * Documented defects (ews-schema/VALIDATION.md) are named where they are asserted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSkip } from '../support/env.ts';
import { AppError } from '../../src/errors.ts';
import { seededRandom, fixedClock } from '../../src/clock.ts';
import { EwsClient } from '../../src/exchange/ews/client.ts';
import { faultError, formatBuild } from '../../src/exchange/ews/soap-response.ts';
import { GetEvents } from '../../src/exchange/ews/operations/get-events.ts';
import { GetStreamingEvents } from '../../src/exchange/ews/operations/get-streaming-events.ts';
import { Subscribe } from '../../src/exchange/ews/operations/subscribe.ts';
import { Unsubscribe } from '../../src/exchange/ews/operations/unsubscribe.ts';
import type { WireNotification } from '../../src/exchange/ews/schema/notification.ts';
import { FakeTransport, envelopeOf, parse, readHttpSample, rejects, sampleStream, xmlResponse } from './ews-sample-io.ts';
import { eventSamples } from './ews-sample-coverage.ts';

const asserted = new Set<string>();
const sample = (file: string, fn: () => Promise<void>): void => {
  assert.ok(eventSamples.includes(file), `${file} is listed in ews-sample-coverage.ts`);
  asserted.add(file);
  it(file, fn);
};

describe('published EWS notification, subscription and fault samples parse as published', { skip: conformanceSkip() }, () => {
  sample('FindConversation-error-soapfault-ErrorSchemaValidation-response.xml', async () => {
    const env = await envelopeOf('FindConversation-error-soapfault-ErrorSchemaValidation-response.xml');
    assert.equal(env.fault?.faultcode, 'a:ErrorSchemaValidation');
    assert.equal(env.fault?.responseCode, 'ErrorSchemaValidation');
    assert.equal(env.fault?.line, 14);
    assert.equal(env.fault?.position, 34);
    assert.match(env.fault?.violation ?? '', /The value 'inbox1' is invalid/);
    const e = faultError(env.fault!, 'FindConversation', 500);
    assert.equal(e.kind, 'permanent');
    assert.match(e.message, /request line 14, position 34/);
  });

  sample('GetEvents-error-ErrorSubscriptionAccessDenied-response.xml', async () => {
    await rejects(parse('GetEvents-error-ErrorSubscriptionAccessDenied-response.xml', GetEvents, { subscriptionId: 's', watermark: 'w' }), 'ErrorSubscriptionAccessDenied', 'permanent');
  });

  sample('GetEvents-howto-response.xml', async () => {
    // Documented defect: NOT WELL-FORMED (opens GetEventsResponseType, closes GetEventsResponse). A clear error, no crash.
    await assert.rejects(envelopeOf('GetEvents-howto-response.xml'), (e: unknown) => e instanceof AppError && e.code === 'ews_malformed_response' && /close tag|mismatch|unexpected/i.test(e.message));
  });

  sample('GetEvents-response.xml', async () => {
    const n = await parse('GetEvents-response.xml', GetEvents, { subscriptionId: 's', watermark: 'w' });
    assert.equal(n.SubscriptionId, 'f6bc657d-dde1-4f94-952d-143b95d6483d');
    assert.equal(n.PreviousWatermark, 'AAAAAMAGAAAAAAAAAQ==');
    assert.equal(n.MoreEvents, false);
    assert.deepEqual(n.events, [
      { type: 'NewMailEvent', Watermark: 'AAAAAM4GAAAAAAAAAQ==', TimeStamp: '2006-08-22T00:36:29Z', ItemId: { Id: 'AQApAHR', ChangeKey: 'CQAAAA==' }, ParentFolderId: { Id: 'AQApAH', ChangeKey: 'AQAAAA==' } },
      { type: 'NewMailEvent', Watermark: 'AAAAAOQGAAAAAAAAAQ==', TimeStamp: '2006-08-22T01:00:50Z', ItemId: { Id: 'AQApAHRw', ChangeKey: 'CQAAAA==' }, ParentFolderId: { Id: 'AQApAH', ChangeKey: 'AQAAAA==' } },
    ]);
  });

  const streamed = async (file: string): Promise<{ notifications: WireNotification[]; error?: AppError }> => {
    const transport = new FakeTransport([() => ({ status: 200, headers: {}, body: sampleStream(file) })]);
    const client = new EwsClient({ transport, url: 'https://mail.contoso.com/EWS/Exchange.asmx', clock: fixedClock(0), random: seededRandom(1), maxConcurrent: 2, timeoutMs: 5000, maxRetries: 0 });
    const notifications: WireNotification[] = [];
    try {
      await client.stream(GetStreamingEvents, { subscriptionIds: ['s'], connectionTimeoutMinutes: 1 }, { mailbox: 'alfred@contoso.com' }, (n) => notifications.push(n));
      return { notifications };
    } catch (e) {
      assert.ok(e instanceof AppError);
      return { notifications, error: e };
    }
  };
  const streamedEvents = [
    ['CreatedEvent', 'AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAENAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA='],
    ['NewMailEvent', 'AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAENAADZGACZQpSgSpyNkexYe2b7AAANGFYwAAA='],
    ['ModifiedEvent', undefined],
  ];

  sample('GetStreamingEvents-response.xml', async () => {
    // Published as a Header and a Body with no Envelope: two top-level elements, as a streaming body carries them.
    const r = await streamed('GetStreamingEvents-response.xml');
    assert.equal(r.error, undefined);
    assert.equal(r.notifications.length, 1);
    assert.equal(r.notifications[0]?.SubscriptionId, 'f6bc657d-dde1-4f94-952d-143b95d6483d');
    assert.deepEqual(r.notifications[0]?.events.map((e) => [e.type, e.ItemId?.Id]), streamedEvents);
    assert.equal(r.notifications[0]?.events[2]?.UnreadCount, 1);
  });

  sample('GetStreamingEvents-howto-response.xml', async () => {
    // Documented defect: the published body stops before </s:Envelope>, as a dropped streaming connection does.
    // The notification that arrived is delivered; the truncation is then reported, never a crash.
    const r = await streamed('GetStreamingEvents-howto-response.xml');
    assert.deepEqual(r.notifications[0]?.events.map((e) => [e.type, e.ItemId?.Id]), streamedEvents);
    assert.equal(r.error?.code, 'ews_malformed_response');
  });

  sample('GetUserAvailability-response.xml', async () => {
    // Not an operation Dovetail calls: the envelope and server version still read.
    const env = await envelopeOf('GetUserAvailability-response.xml');
    assert.equal(env.response?.name, 'GetUserAvailabilityResponse');
    assert.equal(formatBuild(env.serverVersion!), '8.0.665.7');
  });

  sample('GetUserOofSettings-error-soapfault-response.xml', async () => {
    const env = await envelopeOf('GetUserOofSettings-error-soapfault-response.xml');
    assert.equal(env.fault?.faultcode, 'soap:Client');
    assert.equal(env.fault?.responseCode, 'Client');
    assert.match(env.fault?.faultstring ?? '', /User is not mailbox owner/);
    assert.equal(faultError(env.fault!, 'GetUserOofSettings').kind, 'permanent');
  });

  sample('Subscribe-error-response.xml', async () => {
    await rejects(parse('Subscribe-error-response.xml', Subscribe, { kind: 'streaming', folders: [], eventTypes: [] }), 'ErrorSubscriptionDelegateAccessNotSupported', 'permanent');
  });

  for (const [file, id, watermark] of [
    ['Subscribe-pull-response.xml', '39ea5d0f-f062-455e-a1e9-89c0304390f4', 'AAAAAHgGAAAAAAAAAQ=='],
    ['Subscribe-push-response.xml', '83826921-afdf-48be-b469-628cc02b5f49', 'AQAAAOpvG0LURVdOhQkPOWZLPcI8EgAAAAAAAAE='],
    // Documented defect: no SOAP envelope and a non-absolute namespace URI ("http//…"); the bare response element still reads.
    ['Subscribe-pull-howto-response.xml', 'd581ab79-a2ec-4653-9c8e-564d7cfc1d8c', 'AAAAAGUhAAAAAAAAAQ=='],
  ] as const) {
    sample(file, async () => {
      assert.deepEqual(await parse(file, Subscribe, { kind: 'pull', folders: [], eventTypes: [], timeoutMinutes: 1 }), { subscriptionId: id, watermark });
    });
  }

  sample('Subscribe-streaming-response.xml', async () => {
    assert.deepEqual(await parse('Subscribe-streaming-response.xml', Subscribe, { kind: 'streaming', folders: [], eventTypes: [] }), {
      subscriptionId: 'JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=',
    });
  });

  sample('Unsubscribe-error-response.xml', async () => {
    await rejects(parse('Unsubscribe-error-response.xml', Unsubscribe, { subscriptionId: 's' }), 'ErrorSubscriptionNotFound', 'not-found');
  });

  sample('Unsubscribe-response.xml', async () => {
    assert.equal(await parse('Unsubscribe-response.xml', Unsubscribe, { subscriptionId: 's' }), undefined);
  });

  sample('UpdateItem-contact-error-soapfault-response.xml', async () => {
    // Documented defect: soap:faultcode/soap:faultstring are namespace-qualified; read by local name all the same.
    const env = await envelopeOf('UpdateItem-contact-error-soapfault-response.xml');
    assert.equal(env.fault?.responseCode, 'ErrorSchemaValidation');
    assert.equal(env.fault?.line, 17);
    assert.equal(env.fault?.position, 19);
    assert.match(env.fault?.message ?? '', /EmailAddress4/);
  });

  it('affinity: X-AnchorMailbox, X-PreferServerAffinity and the X-BackEndOverrideCookie round trip match the published exchange', async () => {
    const first = readHttpSample('Subscribe-affinity-first-response.http.txt');
    const second = readHttpSample('Subscribe-affinity-second-response.http.txt');
    const firstReq = readHttpSample('Subscribe-affinity-first-request.http.txt');
    const secondReq = readHttpSample('Subscribe-affinity-second-request.http.txt');
    asserted.add('Subscribe-affinity-first-response.http.txt').add('Subscribe-affinity-second-response.http.txt');
    const transport = new FakeTransport([() => xmlResponse(first.body, 200, { 'set-cookie': first.headers['set-cookie'] ?? '' }), () => xmlResponse(second.body, 200, { 'set-cookie': second.headers['set-cookie'] ?? '' })]);
    const client = new EwsClient({ transport, url: 'https://outlook.office365.com/EWS/Exchange.asmx', clock: fixedClock(0), random: seededRandom(1), maxConcurrent: 2, timeoutMs: 5000 });
    const a = await client.call(Subscribe, { kind: 'streaming', folders: [{ distinguished: 'inbox' }], eventTypes: ['NewMailEvent'] }, { mailbox: 'alfred@contoso.com' });
    const b = await client.call(Subscribe, { kind: 'streaming', folders: [{ distinguished: 'inbox' }], eventTypes: ['NewMailEvent'] }, { mailbox: 'sadie@contoso.com', anchorMailbox: 'alfred@contoso.com' });
    assert.equal(a.subscriptionId, 'JgBjbzFwcjA2bWIyMjIubmFtcHJkMDYucHJvZC5vdXRsb29rLmNvbRAAAAAUeGk+7JFdSaFM8/NI/gQQpVdgZX6H0Ag=');
    assert.equal(b.subscriptionId, 'JgBjbzFwcjA2bWIyMjIubmFtcHJkMDYucHJvZC5vdXRsb29rLmNvbRAAAAB4EQOy2pfrQJfM3hzs/nZJIZssan6H0Ag=');
    const [r1, r2] = transport.requests;
    for (const [ours, published] of [[r1, firstReq], [r2, secondReq]] as const) {
      assert.equal(ours?.headers['x-anchormailbox'], published.headers['x-anchormailbox']);
      assert.equal(ours?.headers['x-preferserveraffinity'], published.headers['x-preferserveraffinity']);
      assert.equal(ours?.headers['cookie'], published.headers['cookie']);
    }
    assert.match(r2?.body ?? '', /<t:PrimarySmtpAddress>sadie@contoso.com<\/t:PrimarySmtpAddress>/);
    assert.equal(client.serverBuild, '15.0.775.7');
  });


  it('asserts every sample listed for it', () => {
    assert.deepEqual(eventSamples.filter((f) => !asserted.has(f)), []);
  });
});
