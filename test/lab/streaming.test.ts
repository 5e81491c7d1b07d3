import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { conformanceSkip } from '../support/env.ts';
import { streamingTiming } from '../../src/lab/ews/operations/get-streaming-events.ts';
import { basic, grab, soap } from './support/ews-http.ts';
import { MEGAN, SERVICE, startFixture, type Fixture } from './support/lab-fixture.ts';
import { validateEnvelopes } from './support/ews-schema.ts';

describe('lab streaming notifications (GetStreamingEvents)', () => {
  let f: Fixture;
  const saved = { ...streamingTiming };
  before(async () => {
    f = await startFixture();
    // One "minute" of ConnectionTimeout lasts 2 s here; heartbeats every 300 ms.
    streamingTiming.minuteMs = 2000;
    streamingTiming.heartbeatMs = 300;
  });
  after(async () => {
    Object.assign(streamingTiming, saved);
    await f.close();
  });

  it('streams each batch as its own envelope, heartbeats, and closes with ConnectionStatus Closed', async () => {
    const sub = await f.call('Subscribe streaming', `<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType><t:EventType>CreatedEvent</t:EventType></t:EventTypes></m:StreamingSubscriptionRequest></m:Subscribe>`, { impersonate: MEGAN });
    const id = grab(sub.body, /<m:SubscriptionId>([^<]+)</);
    assert.doesNotMatch(sub.body, /<m:Watermark>/);
    const res = await request(f.lab.ewsUrl, {
      method: 'POST',
      dispatcher: f.agent,
      headers: { 'content-type': 'text/xml; charset=utf-8', authorization: basic(SERVICE.user, SERVICE.password) },
      body: soap(`<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>${id}</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>`, { impersonate: MEGAN }),
    });
    assert.equal(res.statusCode, 200);
    let text = '';
    let delivered = false;
    for await (const chunk of res.body) {
      text += chunk.toString();
      if (!delivered && text.includes('<m:ConnectionStatus>OK</m:ConnectionStatus>')) {
        delivered = true;
        f.lab.api.deliverEmail({ to: [MEGAN], from: { address: 'push@outside.example' }, subject: 'Pushed', body: 'x' });
      }
    }
    const envelopes = text.split(/(?=<\?xml )/).filter(Boolean);
    assert.ok(envelopes.length >= 3, text);
    assert.match(text, /<t:SubscriptionId>[^<]+<\/t:SubscriptionId><t:CreatedEvent>.*<t:NewMailEvent>/);
    assert.match(envelopes.at(-1)!, /<m:ConnectionStatus>Closed<\/m:ConnectionStatus>/);
    if (!conformanceSkip()) {
      const results = await validateEnvelopes(envelopes.map((xml, i) => ({ name: `chunk ${i}`, xml })));
      assert.deepEqual(results.filter((r) => !r.valid), []);
    }
  });

  it('refuses a subscription it does not know', async () => {
    const res = await request(f.lab.ewsUrl, {
      method: 'POST',
      dispatcher: f.agent,
      headers: { 'content-type': 'text/xml; charset=utf-8', authorization: basic(SERVICE.user, SERVICE.password) },
      body: soap(`<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>nope</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>`, { impersonate: MEGAN }),
    });
    const body = await res.body.text();
    assert.match(body, /<m:ResponseCode>ErrorSubscriptionNotFound<\/m:ResponseCode>/);
  });
});
