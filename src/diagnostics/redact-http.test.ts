import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors.ts';
import { describeAccessToken, ExchangeTap, exchangeError, formatHttpExchange, TRACE_BODY_LIMIT } from './redact-http.ts';

const jwt = (claims: Record<string, unknown>): string =>
  `${Buffer.from('{"alg":"PS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJlLWJ5dGVzLXNpZ25hdHVyZQ`;

describe('formatHttpExchange', () => {
  it('shows method, URL, status, the telling headers and bodies, masks credentials and drops noise', () => {
    const text = formatHttpExchange({
      method: 'POST',
      url: 'https://mail.contoso.com/EWS/Exchange.asmx',
      authenticated: true,
      requestHeaders: { 'content-type': 'text/xml', authorization: 'NTLM TlRMTVNTUAADAAAAGAAYAEgAAAA=', 'x-anchormailbox': 'alex@contoso.com' },
      requestBody: '<t:Password>hunter2-long</t:Password>',
      status: 401,
      responseHeaders: { 'www-authenticate': 'NTLM TlRMTVNTUAACAAAADAAMADgAAAA=', date: 'Sun, 06 Dec 2026 18:00:00 GMT', 'x-feserver': 'EX1', 'set-cookie': 'X-BackEndCookie=abc' },
      responseBody: '',
      error: 'auth_failed: refused',
    });
    assert.equal(
      text,
      [
        '> POST https://mail.contoso.com/EWS/Exchange.asmx',
        '> Authorization: [redacted]',
        '> content-type: text/xml',
        '> x-anchormailbox: alex@contoso.com',
        '>',
        '> <t:Password>[redacted]</t:Password>',
        '< 401',
        '< www-authenticate: NTLM [redacted]',
        '< x-feserver: EX1',
        '< set-cookie: [redacted]',
        '! auth_failed: refused',
      ].join('\n'),
    );
  });

  it('cuts long bodies and says how long they were; removes known secrets', () => {
    const body = 'x'.repeat(TRACE_BODY_LIMIT + 500);
    const text = formatHttpExchange({ method: 'GET', url: 'https://graph/v1.0/users/a', authenticated: false, requestHeaders: {}, status: 200, responseHeaders: {}, responseBody: body.slice(0, TRACE_BODY_LIMIT + 10), responseBytes: body.length }, ['S3cret-Value']);
    assert.match(text, new RegExp(`^< x{${TRACE_BODY_LIMIT}}$`, 'm'));
    assert.match(text, new RegExp(`< … \\(${body.length} bytes in all; the first ${TRACE_BODY_LIMIT} characters are shown\\)`));
    assert.doesNotMatch(text, /Authorization/);
    assert.equal(formatHttpExchange({ method: 'GET', url: 'https://h/?q=S3cret-Value', authenticated: false, requestHeaders: {} }, ['S3cret-Value']), '> GET https://h/?q=[redacted]');
  });

  it('the tap keeps the last exchange only', () => {
    const tap = new ExchangeTap();
    assert.equal(tap.trace(), undefined);
    tap.record({ method: 'GET', url: 'https://a/1', authenticated: false, requestHeaders: {} });
    tap.record({ method: 'GET', url: 'https://a/2', authenticated: false, requestHeaders: {}, error: exchangeError(new AppError('timeout', 'no answer', { kind: 'transient', providerCode: 'X' })) });
    assert.equal(tap.trace(), '> GET https://a/2\n! timeout [X]: no answer');
  });
});

describe('describeAccessToken', () => {
  it('shows the claims that decide access, never the token', () => {
    const token = jwt({ aud: 'https://graph.microsoft.com', tid: 't1', appid: 'a1', roles: ['Mail.Read', 'Mail.Send'], secret_thing: 'no' });
    const text = describeAccessToken(token, Date.UTC(2030, 0, 1));
    assert.equal(text, ['< access token [redacted], valid until 2030-01-01T00:00:00.000Z', '< aud: https://graph.microsoft.com', '< tid: t1', '< appid: a1', '< roles: Mail.Read, Mail.Send'].join('\n'));
    assert.ok(!text.includes(token.split('.')[1]!));
    assert.match(describeAccessToken(jwt({ aud: 'x' }), 0), /roles: \(none: no application permission was consented\)/);
    assert.match(describeAccessToken('opaque-token-value', 0), /not a JWT/);
    assert.doesNotMatch(describeAccessToken('opaque-token-value', 0), /opaque-token-value/);
  });
});
