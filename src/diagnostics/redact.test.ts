import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redact, secretVariants } from './redact.ts';

const PASSWORD = 'Lab-Service-2026!';
const JWT = 'eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('redact', () => {
  it('removes Authorization headers, NTLM and Bearer blobs but keeps the rest of the line', () => {
    const text = 'POST /EWS/Exchange.asmx\r\nAuthorization: NTLM TlRMTVNTUAADAAAAGAAYAEgAAAA=\r\nX-AnchorMailbox: alex@contoso.lab\r\nwww-authenticate: NTLM TlRMTVNTUAACAAAADAAMADgAAAA=';
    const out = redact(text);
    assert.doesNotMatch(out, /TlRMTVNTUA/);
    assert.match(out, /Authorization: \[redacted\]/);
    assert.match(out, /X-AnchorMailbox: alex@contoso.lab/);
    assert.doesNotMatch(redact(`Authorization: Bearer ${JWT}`), /eyJ/);
    assert.doesNotMatch(redact(`{"authorization":"Basic c3ZjOkxhYi1TZXJ2aWNlLTIwMjYh"}`), /c3Zj/);
  });

  it('removes secrets in JSON, form and XML bodies, JWTs anywhere and PEM private keys', () => {
    const cases = [
      `{"client_secret":"kv~Secret.Value_9f8e","scope":"https://vault.azure.net/.default"}`,
      `grant_type=client_credentials&client_assertion=${JWT}&client_id=abc`,
      'client_secret=kv%7ESecret.Value_9f8e&scope=x',
      '<t:Password>hunter2-long</t:Password>',
      `token ${JWT} was refused`,
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      `{"access_token":"${JWT}","expires_in":3599}`,
    ];
    for (const text of cases) {
      const out = redact(text);
      for (const leak of ['kv~Secret', 'kv%7ESecret', 'hunter2', 'eyJ', 'MIIE']) assert.ok(!out.includes(leak), `${leak} left in ${out}`);
      assert.match(out, /\[redacted\]/);
    }
    assert.match(redact('grant_type=client_credentials&client_assertion=x1234&client_id=abc'), /client_id=abc/);
  });

  it('removes known secret values in every form they travel in', () => {
    const text = `login as svc-dovetail with ${PASSWORD} (${encodeURIComponent(PASSWORD)}, ${Buffer.from(PASSWORD).toString('base64')})`;
    const out = redact(text, secretVariants({ password: PASSWORD }));
    assert.equal(out, 'login as svc-dovetail with [redacted] ([redacted], [redacted])');
  });

  it('masks a credential after a scheme even when it is letters only, but not the prose word after one', () => {
    // base64("user:pass") has no digit or symbol.
    assert.equal(redact('sent Basic dXNlcjpwYXNz to the server'), 'sent Basic [redacted] to the server');
    const prose = 'the server refused the Basic credentials of CONTOSO\\svc-dovetail (server offers NTLM, Negotiate)';
    assert.equal(redact(prose), prose);
  });

  it('removes the opaque tokens of Graph delta, paging and upload URLs', () => {
    const out = redact('{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/a/messages/delta?$deltatoken=eyJjIjoiY2FsZW5kYXIifQ.cPNCt-Wv","next":"?$skiptoken=X2Y3&$top=5"}');
    assert.doesNotMatch(out, /eyJjIjoi|X2Y3/);
    assert.match(out, /\$deltatoken=\[redacted\]/);
    assert.match(out, /&\$top=5/);
  });

  it('leaves text without credentials alone', () => {
    const text = 'TLS to 127.0.0.1 failed: certificate "CN=Dovetail Lab EWS": unable to verify the first certificate';
    assert.equal(redact(text), text);
  });
});
