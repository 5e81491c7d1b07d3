import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ewsOperation, ThrottleScanner } from './transport-throttle.ts';

const busyMessage = '<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode></m:GetItemResponseMessage>';
const fault = '<detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode></detail>';

function scan(body: string, chunkSize: number): number {
  const scanner = new ThrottleScanner();
  const bytes = Buffer.from(body, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.push(bytes.subarray(i, i + chunkSize));
  return scanner.count;
}

describe('ThrottleScanner', () => {
  it('counts each throttling ResponseCode once, however the body is cut into chunks', () => {
    const body = `<s:Envelope>${busyMessage}<m:ResponseCode>NoError</m:ResponseCode>${busyMessage.replace('ErrorServerBusy', 'ErrorTooManyObjectsOpened')}${fault}</s:Envelope>`;
    for (const size of [1, 2, 7, 16, 100, 4096]) assert.equal(scan(body, size), 3, `chunks of ${size}`);
  });

  it('ignores codes that are not throttling, and the code as item text', () => {
    const body = `<m:ResponseCode>ErrorItemNotFound</m:ResponseCode><t:Subject>ErrorServerBusy</t:Subject><t:Body BodyType="Text">&lt;m:ResponseCode&gt;ErrorServerBusy&lt;/m:ResponseCode&gt;</t:Body>`;
    for (const size of [1, 5, 4096]) assert.equal(scan(body, size), 0);
  });
});

describe('ewsOperation', () => {
  const url = new URL('https://mail.contoso.com/EWS/Exchange.asmx');
  it('names the operation from SOAPAction, quoted or not', () => {
    assert.equal(ewsOperation({ url: url.href, headers: { soapaction: '"http://schemas.microsoft.com/exchange/services/2006/messages/SyncFolderItems"' }, body: '', timeoutMs: 1 }, url), 'SyncFolderItems');
    assert.equal(ewsOperation({ url: url.href, headers: { SOAPAction: 'http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings' }, body: '', timeoutMs: 1 }, url), 'GetUserSettings');
  });
  it('POX Autodiscover, and anything unnamed or odd, get fixed names', () => {
    const pox = new URL('https://autodiscover.contoso.com/autodiscover/autodiscover.xml');
    assert.equal(ewsOperation({ url: pox.href, headers: {}, body: '', timeoutMs: 1 }, pox), 'Autodiscover');
    assert.equal(ewsOperation({ url: url.href, headers: {}, body: '', timeoutMs: 1 }, url), 'other');
    assert.equal(ewsOperation({ url: url.href, headers: { soapaction: 'urn:x/alice@contoso.com' }, body: '', timeoutMs: 1 }, url), 'other');
  });
});
