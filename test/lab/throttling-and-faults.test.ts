import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { conformanceSkip } from '../support/env.ts';
import { parseXml } from '../../src/lab/xml/parse-xml.ts';
import { basic, post, soap } from './support/ews-http.ts';
import { ALEX, MEGAN, SERVICE, startFixture, type Fixture } from './support/lab-fixture.ts';
import { validateEnvelopes } from './support/ews-schema.ts';

const GET_INBOX = (who: string): string =>
  soap(`<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: who });
const SYNC = `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId><m:MaxChangesReturned>10</m:MaxChangesReturned></m:SyncFolderItems>`;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(check(), 'condition not reached');
}

describe('lab throttling (EWSMaxConcurrency) and fault injection', () => {
  let f: Fixture;
  const auth = basic(SERVICE.user, SERVICE.password);
  const faults: Array<{ name: string; xml: string }> = [];
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  it('never lets one budget exceed 27 open requests: the 28th gets ErrorExceededConnectionCount', async () => {
    const release = f.lab.api.holdRequests();
    const held = Array.from({ length: 27 }, () => post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth));
    const budget = `${SERVICE.user}->${ALEX}`;
    await until(() => f.lab.api.openRequests().get(budget) === 27);
    const extra = await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth);
    assert.equal(extra.status, 500);
    assert.match(extra.body, /<faultcode xmlns:a="http:\/\/schemas.microsoft.com\/exchange\/services\/2006\/types">a:ErrorExceededConnectionCount<\/faultcode>/);
    assert.match(extra.body, /<t:Value Name="MaxConcurrencyLimit">27<\/t:Value>/);
    faults.push({ name: 'ErrorExceededConnectionCount', xml: extra.body });
    // Another mailbox is another budget for the service account (Exchange 2010 SP2 RU4 and later).
    const otherMailbox = post(f.lab.ewsUrl, f.agent, GET_INBOX(MEGAN), auth);
    await until(() => f.lab.api.openRequests().get(`${SERVICE.user}->${MEGAN}`) === 1);
    release();
    const results = await Promise.all([...held, otherMailbox]);
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(f.lab.api.highWaterByBudget().get(budget), 27);
    assert.ok(f.lab.api.concurrencyHighWater() <= 27);
  });

  it('injects ErrorServerBusy with BackOffMilliseconds, for one operation and a number of times', async () => {
    f.lab.api.inject({ kind: 'serverBusy', backOffMs: 1234, operation: 'SyncFolderItems', times: 2 });
    const folder = await f.call('GetFolder unaffected', `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`);
    assert.equal(folder.status, 200);
    for (let i = 0; i < 2; i++) {
      const busy = await f.call('ErrorServerBusy', SYNC);
      assert.equal(busy.status, 500);
      assert.match(busy.body, /a:ErrorServerBusy<\/faultcode>/);
      assert.match(busy.body, /<t:Value Name="BackOffMilliseconds">1234<\/t:Value>/);
      faults.push({ name: 'ErrorServerBusy', xml: busy.body });
    }
    assert.equal((await f.call('after busy', SYNC)).status, 200);
  });

  it('injects ErrorServerBusy inside an HTTP 200 answer (ConcurrentSyncCalls), in each operation\'s shape', async () => {
    f.lab.api.inject({ kind: 'serverBusyMessage', backOffMs: 5000, times: 2 });
    const sync = await f.call('busy SyncFolderItems', SYNC);
    assert.equal(sync.status, 200);
    assert.match(sync.body, /ResponseClass="Error"><m:MessageText>[^<]*ConcurrentSyncCalls[^<]*<\/m:MessageText><m:ResponseCode>ErrorServerBusy<\/m:ResponseCode><m:DescriptiveLinkKey>0<\/m:DescriptiveLinkKey><m:MessageXml><t:Value Name="BackOffMilliseconds">5000<\/t:Value><\/m:MessageXml><m:SyncState\/>/);
    faults.push({ name: 'busy SyncFolderItems', xml: sync.body });
    const get = await f.call('busy GetItem', `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="x"/></m:ItemIds></m:GetItem>`);
    assert.match(get.body, /<m:ResponseCode>ErrorServerBusy<\/m:ResponseCode>/);
    faults.push({ name: 'busy GetItem', xml: get.body });
  });

  it('sets the backend affinity cookie when asked, and records X-AnchorMailbox', async () => {
    const first = await post(f.lab.ewsUrl, f.agent, GET_INBOX(MEGAN), auth, { 'x-anchormailbox': MEGAN, 'x-preferserveraffinity': 'true' });
    const cookie = String(first.headers['set-cookie']);
    assert.match(cookie, /^X-BackEndOverrideCookie=[^;]+; path=\/; secure; HttpOnly$/);
    const value = /X-BackEndOverrideCookie=([^;]+)/.exec(cookie)![1]!;
    await post(f.lab.ewsUrl, f.agent, GET_INBOX(MEGAN), auth, { 'x-anchormailbox': MEGAN, 'x-preferserveraffinity': 'true', cookie: `X-BackEndOverrideCookie=${value}` });
    const seen = f.lab.api.requests(MEGAN).slice(-2);
    assert.deepEqual(seen.map((r) => [r.anchorMailbox, r.preferServerAffinity, r.backEndCookie]), [[MEGAN, true, undefined], [MEGAN, true, value]]);
  });

  it('injects 503, 401 after authentication, malformed XML and dropped connections', async () => {
    f.lab.api.inject({ kind: 'http503', times: 1 });
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 503);
    f.lab.api.inject({ kind: 'unauthorized', times: 1 });
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 401);
    f.lab.api.inject({ kind: 'malformedXml', times: 1, mailbox: MEGAN });
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 200, 'rule scoped to another mailbox');
    const broken = await post(f.lab.ewsUrl, f.agent, GET_INBOX(MEGAN), auth);
    assert.equal(broken.status, 200);
    assert.throws(() => parseXml(broken.body));
    f.lab.api.inject({ kind: 'drop', times: 1 });
    await assert.rejects(post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth));
    f.lab.api.inject({ kind: 'latency', latencyMs: 20, times: 1 });
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 200);
    f.lab.api.inject({ kind: 'http503' });
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 503);
    f.lab.api.clearFaults();
    assert.equal((await post(f.lab.ewsUrl, f.agent, GET_INBOX(ALEX), auth)).status, 200);
  });

  it('serves an expired certificate on demand, which a validating client refuses', async () => {
    f.lab.api.useCertificate('expired');
    const fresh = new Agent({ connect: { ca: f.lab.caCertPem } });
    await assert.rejects(post(f.lab.ewsUrl, fresh, GET_INBOX(ALEX), auth), (error: Error & { code?: string; cause?: { code?: string } }) => {
      const code = error.code ?? error.cause?.code;
      assert.equal(code, 'CERT_HAS_EXPIRED');
      return true;
    });
    await fresh.close();
    f.lab.api.useCertificate('valid');
    const again = new Agent({ connect: { ca: f.lab.caCertPem } });
    assert.equal((await post(f.lab.ewsUrl, again, GET_INBOX(ALEX), auth)).status, 200);
    await again.close();
  });

  it('limits subscriptions per mailbox (EWSMaxSubscriptions) with ErrorExceededSubscriptionCount', async () => {
    f.lab.api.setMaxSubscriptions(2);
    const subscribe = `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes><t:Timeout>5</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`;
    assert.match((await f.call('Subscribe 1', subscribe)).body, /NoError/);
    assert.match((await f.call('Subscribe 2', subscribe)).body, /NoError/);
    const third = await f.call('Subscribe over the limit', subscribe);
    assert.match(third.body, /<m:ResponseCode>ErrorExceededSubscriptionCount<\/m:ResponseCode>/);
    faults.push({ name: 'ErrorExceededSubscriptionCount', xml: third.body });
    assert.match((await f.call('Subscribe other mailbox', subscribe, { impersonate: MEGAN })).body, /NoError/);
    f.lab.api.setMaxSubscriptions(5000);
  });

  it('records what it saw per mailbox', () => {
    const seen = f.lab.api.requests(ALEX);
    assert.ok(seen.some((r) => r.operation === 'GetFolder' && r.principal === SERVICE.user && r.httpStatus === 200));
    assert.ok(seen.some((r) => r.responseCodes.includes('ErrorExceededConnectionCount')));
  });

  it('throttling and fault answers validate against the schema', { skip: conformanceSkip() }, async () => {
    assert.equal(faults.length, 6);
    const results = await validateEnvelopes(faults);
    assert.deepEqual(results.filter((r) => !r.valid), []);
  });
});
