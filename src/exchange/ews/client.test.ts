import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../errors.ts';
import { fixedClock, seededRandom } from '../../clock.ts';
import { EwsClient, type EwsClientOptions } from './client.ts';
import { GetFolder } from './operations/get-folder.ts';
import { GetItem } from './operations/get-item.ts';
import { GetStreamingEvents } from './operations/get-streaming-events.ts';
import type { WireNotification } from './schema/notification.ts';
import type { EwsTransport, HttpRequest, HttpResponse } from './transport.ts';

const S = 'http://schemas.xmlsoap.org/soap/envelope/';
const envelope = (body: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${S}"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" xmlns:h="t"/></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const folderOk = envelope(
  '<m:GetFolderResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="F1" ChangeKey="C1"/><t:DisplayName>Inbox</t:DisplayName></t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>',
);
const folderError = (code: string, extra = ''): string =>
  envelope(
    `<m:GetFolderResponse xmlns:m="m"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>nope</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${extra}</m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>`,
  );
const busyFault = (ms: number): string =>
  envelope(
    `<s:Fault><faultcode xmlns:a="t">a:ErrorServerBusy</faultcode><faultstring>The server cannot service this request right now. Try again later.</faultstring><detail><e:ResponseCode xmlns:e="e">ErrorServerBusy</e:ResponseCode><e:Message xmlns:e="e">The server cannot service this request right now. Try again later.</e:Message><t:MessageXml xmlns:t="t"><t:Value Name="BackOffMilliseconds">${ms}</t:Value></t:MessageXml></detail></s:Fault>`,
  );
const versionFault = envelope('<s:Fault><faultcode xmlns:a="t">a:ErrorInvalidServerVersion</faultcode><faultstring>The specified server version is invalid.</faultstring><detail><e:ResponseCode xmlns:e="e">ErrorInvalidServerVersion</e:ResponseCode></detail></s:Fault>');

function body(text: string): AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return (async function* () {
    for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
  })();
}
const reply = (xml: string, status = 200, headers: Record<string, string> = {}) => (): HttpResponse => ({ status, headers, body: body(xml) });

class Fake implements EwsTransport {
  readonly requests: HttpRequest[] = [];
  active = 0;
  maxActive = 0;
  readonly answer: (r: HttpRequest, n: number) => Promise<HttpResponse> | HttpResponse;
  constructor(answer: (r: HttpRequest, n: number) => Promise<HttpResponse> | HttpResponse) {
    this.answer = answer;
  }
  async send(r: HttpRequest): Promise<HttpResponse> {
    this.requests.push(r);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.answer(r, this.requests.length);
    } finally {
      this.active--;
    }
  }
  async close(): Promise<void> {}
}

function client(transport: EwsTransport, extra: Partial<EwsClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = new EwsClient({
    transport,
    url: 'https://mail.contoso.com/EWS/Exchange.asmx',
    clock: fixedClock(0),
    random: seededRandom(7),
    maxConcurrent: 2,
    timeoutMs: 2000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { c, sleeps };
}
const call = (c: EwsClient, mailbox = 'sadie@contoso.com') => c.call(GetFolder, { folders: [{ distinguished: 'inbox' }] }, { mailbox });

describe('EWS client', () => {
  it('sends the envelope with version, impersonation, SOAPAction, X-AnchorMailbox and the call timeout, and learns the build', async () => {
    const t = new Fake(reply(folderOk));
    const { c } = client(t);
    const [r] = await call(c);
    assert.deepEqual(r?.ok && r.value.DisplayName, 'Inbox');
    const req = t.requests[0]!;
    assert.match(req.body, /<t:RequestServerVersion Version="Exchange2013_SP1"\/>/);
    assert.match(req.body, /<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>sadie@contoso.com<\/t:PrimarySmtpAddress>/);
    assert.equal(req.headers['soapaction'], '"http://schemas.microsoft.com/exchange/services/2006/messages/GetFolder"');
    assert.equal(req.headers['x-anchormailbox'], 'sadie@contoso.com');
    assert.equal(req.headers['x-preferserveraffinity'], undefined);
    assert.equal(req.timeoutMs, 2000);
    assert.ok(req.signal);
    assert.equal(c.serverBuild, '15.1.2507.6');
  });

  it('honours ErrorServerBusy BackOffMilliseconds from a SOAP fault, then succeeds', async () => {
    const t = new Fake((_, n) => (n === 1 ? reply(busyFault(12000), 500)() : reply(folderOk)()));
    const { c, sleeps } = client(t);
    const [r] = await call(c);
    assert.ok(r?.ok);
    assert.equal(t.requests.length, 2);
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0]! >= 12000, `slept ${sleeps[0]}`);
  });

  it('retries 503, the 401-after-handshake quirk and ErrorExceededConnectionCount with growing jittered delays, within the bound', async () => {
    const answers = [
      reply('', 503, { 'retry-after': '2' }),
      () => Promise.reject(new AppError('ews_401_after_handshake', 'HTTP 401 after a successful handshake', { kind: 'throttled' })),
      reply(folderError('ErrorExceededConnectionCount')),
      reply(folderOk),
    ];
    const t = new Fake((_, n) => answers[n - 1]!());
    const { c, sleeps } = client(t, { baseDelayMs: 100, maxDelayMs: 10_000 });
    const [r] = await call(c);
    assert.ok(r?.ok);
    assert.equal(t.requests.length, 4);
    assert.ok(sleeps[0]! >= 2000, 'Retry-After respected');
    assert.ok(sleeps[1]! >= 100 && sleeps[1]! <= 200, `attempt 2 delay ${sleeps[1]}`);
    assert.ok(sleeps[2]! >= 200 && sleeps[2]! <= 400, `attempt 3 delay ${sleeps[2]}`);
  });

  it('treats HTTP 200 ErrorInternalServerError with an inner ErrorServerBusy as throttling, keeping the outer code', async () => {
    const inner = folderError('ErrorInternalServerError', '<m:MessageXml><t:Value xmlns:t="t" Name="InnerErrorResponseCode">ErrorServerBusy</t:Value><t:Value xmlns:t="t" Name="BackOffMilliseconds">700</t:Value></m:MessageXml>');
    const t = new Fake((_, n) => reply(n === 1 ? inner : folderOk)());
    const { c, sleeps } = client(t);
    assert.ok((await call(c))[0]?.ok);
    assert.equal(t.requests.length, 2);
    assert.ok(sleeps[0]! >= 700);
    const t2 = new Fake(reply(inner));
    const [r] = await call(client(t2, { maxRetries: 0 }).c);
    assert.ok(r && !r.ok);
    assert.deepEqual([r.error.kind, r.error.providerCode, r.error.details['innerResponseCode'], r.error.retryAfterMs], ['throttled', 'ErrorInternalServerError', 'ErrorServerBusy', 700]);
  });

  it('gives up after maxRetries with the last error, keeping the provider code', async () => {
    const t = new Fake(reply(busyFault(10), 500));
    const { c, sleeps } = client(t, { maxRetries: 2 });
    await assert.rejects(call(c), (e: unknown) => e instanceof AppError && e.kind === 'throttled' && e.providerCode === 'ErrorServerBusy' && e.retryAfterMs === 10);
    assert.equal(t.requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  it('retries transport errors that are transient and never auth or permanent ones', async () => {
    let n = 0;
    const t = new Fake(() => (++n === 1 ? Promise.reject(new AppError('connect_failed', 'ECONNREFUSED', { kind: 'transient' })) : reply(folderOk)()));
    const { c } = client(t);
    assert.ok((await call(c))[0]?.ok);
    const t2 = new Fake(() => Promise.reject(new AppError('auth_failed', 'server offers Negotiate, NTLM; Basic is disabled', { kind: 'auth' })));
    await assert.rejects(call(client(t2).c), (e: unknown) => e instanceof AppError && e.code === 'auth_failed');
    assert.equal(t2.requests.length, 1);
    const t3 = new Fake(reply('', 404));
    await assert.rejects(call(client(t3).c), (e: unknown) => e instanceof AppError && e.code === 'ews_http_status' && e.kind === 'permanent');
    assert.equal(t3.requests.length, 1);
  });

  it('returns per-item errors of a batch without retrying the batch', async () => {
    const xml = envelope(
      '<m:GetItemResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages>' +
        '<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message><t:ItemId Id="A"/></t:Message></m:Items></m:GetItemResponseMessage>' +
        '<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>gone</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:Items/></m:GetItemResponseMessage>' +
        '<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:MessageXml><t:Value Name="BackOffMilliseconds">500</t:Value></m:MessageXml><m:Items/></m:GetItemResponseMessage>' +
        '</m:ResponseMessages></m:GetItemResponse>',
    );
    const t = new Fake(reply(xml));
    const { c } = client(t);
    const r = await c.call(GetItem, { ids: [{ Id: 'A' }, { Id: 'B' }, { Id: 'C' }], shape: { baseShape: 'IdOnly' } }, { mailbox: 'sadie@contoso.com' });
    assert.equal(t.requests.length, 1);
    assert.deepEqual(r.map((x) => (x.ok ? x.value.record.ItemId?.Id : `${x.error.kind}:${x.error.providerCode}:${x.error.retryAfterMs ?? ''}`)), ['A', 'not-found:ErrorItemNotFound:', 'throttled:ErrorServerBusy:500']);
  });

  it('falls back once to an older RequestServerVersion and remembers it for that mailbox', async () => {
    const t = new Fake((r) => (r.body.includes('Exchange2013_SP1') ? reply(versionFault, 500)() : reply(folderOk)()));
    const { c } = client(t);
    assert.ok((await call(c))[0]?.ok);
    assert.ok((await call(c))[0]?.ok);
    assert.deepEqual(t.requests.map((r) => /Version="(\w+)"/.exec(r.body)?.[1]), ['Exchange2013_SP1', 'Exchange2010_SP2', 'Exchange2010_SP2']);
    assert.equal(c.versionFor('SADIE@contoso.com'), 'Exchange2010_SP2');
    assert.equal(c.versionFor('alfred@contoso.com'), 'Exchange2013_SP1');
    const t2 = new Fake(reply(versionFault, 500));
    await assert.rejects(call(client(t2).c), (e: unknown) => e instanceof AppError && e.providerCode === 'ErrorInvalidServerVersion');
    assert.equal(t2.requests.length, 2, 'only one fallback');
  });

  it('turns a malformed or DOCTYPE body into ews_malformed_response for that call only', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><s>&b;</s>';
    const t = new Fake((_, n) => reply(n === 1 ? bomb : n === 2 ? '<s:Envelope><s:Body>' : folderOk)());
    const { c } = client(t, { maxRetries: 0 });
    await assert.rejects(call(c), (e: unknown) => e instanceof AppError && e.code === 'ews_malformed_response' && /DOCTYPE/.test(e.message));
    await assert.rejects(call(c), (e: unknown) => e instanceof AppError && e.code === 'ews_malformed_response');
    assert.ok((await call(c))[0]?.ok);
  });

  it('times out a call that never answers and aborts the transport request', async () => {
    let signal: AbortSignal | undefined;
    const t = new Fake((r) => {
      signal = r.signal;
      return new Promise<HttpResponse>(() => undefined);
    });
    const { c } = client(t, { timeoutMs: 30, maxRetries: 0 });
    await assert.rejects(call(c), (e: unknown) => e instanceof AppError && e.code === 'timeout' && e.kind === 'transient');
    assert.equal(signal?.aborted, true);
  });

  it('never exceeds maxConcurrent per mailbox, and per profile when configured so', async () => {
    const gates: Array<() => void> = [];
    const t = new Fake(() => new Promise<HttpResponse>((resolve) => gates.push(() => resolve(reply(folderOk)()))));
    const { c } = client(t, { maxConcurrent: 2 });
    const pending = [...Array(6)].map((_, i) => call(c, i % 2 === 0 ? 'a@contoso.com' : 'b@contoso.com'));
    for (let round = 0; round < 20 && t.requests.length < 6; round++) {
      await new Promise((r) => setImmediate(r));
      assert.ok(t.active <= 4);
      gates.shift()?.();
    }
    while (gates.length > 0) gates.shift()?.();
    await Promise.all(pending);
    assert.equal(c.peakConcurrency, 2);
    assert.equal(t.maxActive, 4, 'two mailboxes, two connections each');

    const t2 = new Fake(() => new Promise<HttpResponse>((resolve) => setTimeout(() => resolve(reply(folderOk)()), 2)));
    const { c: c2 } = client(t2, { maxConcurrent: 3, concurrencyScope: 'profile' });
    await Promise.all([...Array(12)].map((_, i) => call(c2, `user${i}@contoso.com`)));
    assert.equal(t2.maxActive, 3);
    assert.equal(t2.requests.length, 12);
  });

  it('streams notifications from envelope after envelope, then reports the connection status or the error', async () => {
    const note = (id: string): string =>
      `<m:Notifications><m:Notification><t:SubscriptionId>S1</t:SubscriptionId><t:NewMailEvent><t:TimeStamp>2026-03-01T10:00:00Z</t:TimeStamp><t:ItemId Id="${id}" ChangeKey="k"/><t:ParentFolderId Id="INBOX"/></t:NewMailEvent></m:Notification></m:Notifications>`;
    const part = (inner: string, cls = 'Success', code = 'NoError'): string =>
      envelope(`<m:GetStreamingEventsResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:GetStreamingEventsResponseMessage ResponseClass="${cls}"><m:ResponseCode>${code}</m:ResponseCode>${inner}</m:GetStreamingEventsResponseMessage></m:ResponseMessages></m:GetStreamingEventsResponse>`);
    const args = { subscriptionIds: ['S1'], connectionTimeoutMinutes: 30 };
    const seen: WireNotification[] = [];
    const t = new Fake(reply(part(note('A')) + part(note('B')) + part('<m:ConnectionStatus>Closed</m:ConnectionStatus>')));
    const { c } = client(t);
    assert.deepEqual(await c.stream(GetStreamingEvents, args, { mailbox: 'sadie@contoso.com', timeoutMs: 31 * 60_000 }, (n) => seen.push(n)), { connectionStatus: 'Closed' });
    assert.deepEqual(seen.map((n) => n.events[0]?.ItemId?.Id), ['A', 'B']);
    assert.equal(t.requests[0]?.timeoutMs, 31 * 60_000);
    assert.equal(t.requests[0]?.headers['x-preferserveraffinity'], 'true');

    const seen2: WireNotification[] = [];
    const t2 = new Fake(reply(part(note('C')) + part('<m:MessageText>gone</m:MessageText>', 'Error', 'ErrorSubscriptionNotFound')));
    await assert.rejects(
      client(t2).c.stream(GetStreamingEvents, args, { mailbox: 'sadie@contoso.com' }, (n) => seen2.push(n)),
      (e: unknown) => e instanceof AppError && e.kind === 'not-found' && e.providerCode === 'ErrorSubscriptionNotFound',
    );
    assert.deepEqual(seen2.map((n) => n.events[0]?.ItemId?.Id), ['C']);
  });
});
