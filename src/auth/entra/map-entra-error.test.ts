import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aadstsCode, mapEntraError, type EntraErrorContext } from './map-entra-error.ts';
import type { HttpExchange } from './undici-network-client.ts';

const context: EntraErrorContext = { clientId: 'app-1', tenantId: 'tenant-1', scope: 'https://mail.contoso.com/.default', purpose: 'hma' };
const url = 'https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token';
const answer = (status: number, code: number, error: string, headers: Record<string, string> = {}): HttpExchange => ({
  method: 'POST',
  url,
  status,
  headers,
  errorBody: { error, error_description: `AADSTS${code}: text\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-01-01 00:00:00Z`, error_codes: [code] },
});

describe('mapEntraError', () => {
  const table: Array<[number, string, string, string]> = [
    [7000215, 'invalid_client', 'entra_invalid_client_secret', 'auth'],
    [7000222, 'invalid_client', 'entra_client_secret_expired', 'auth'],
    [700027, 'invalid_client', 'entra_certificate_rejected', 'auth'],
    [700024, 'invalid_client', 'entra_assertion_time_invalid', 'auth'],
    [700016, 'unauthorized_client', 'entra_app_not_found', 'auth'],
    [90002, 'invalid_request', 'entra_tenant_not_found', 'auth'],
    [70011, 'invalid_scope', 'entra_invalid_scope', 'auth'],
    [500011, 'invalid_resource', 'entra_resource_not_registered', 'auth'],
    [65001, 'invalid_grant', 'entra_consent_missing', 'auth'],
  ];
  for (const [code, error, ours, kind] of table) {
    it(`AADSTS${code} -> ${ours} (${kind}), keeping the AADSTS code`, () => {
      const mapped = mapEntraError(answer(400, code, error), new Error('msal'), context);
      assert.equal(mapped.code, ours);
      assert.equal(mapped.kind, kind);
      assert.equal(mapped.providerCode, `AADSTS${code}`);
      assert.equal(mapped.providerMessage, `AADSTS${code}: text`);
      assert.match(mapped.message, new RegExp(`AADSTS${code}\\)$`));
    });
  }

  it('points scope and SPN problems of HMA profiles to the readiness check, and names full_access_as_app for consent', () => {
    assert.match(mapEntraError(answer(400, 500011, 'invalid_resource'), undefined, context).message, /dovetail hma check/);
    assert.match(mapEntraError(answer(400, 70011, 'invalid_scope'), undefined, context).message, /Office 365 Exchange Online/);
    assert.match(mapEntraError(answer(400, 65001, 'invalid_grant'), undefined, context).message, /full_access_as_app/);
    assert.doesNotMatch(mapEntraError(answer(400, 70011, 'invalid_scope'), undefined, { ...context, purpose: 'graph' }).message, /hma check/);
  });

  it('classifies outages as transient or throttled even when the body carries an AADSTS code', () => {
    const unavailable = mapEntraError(answer(503, 7000215, 'temporarily_unavailable', { 'retry-after': '20' }), undefined, context);
    assert.equal(unavailable.code, 'entra_unavailable');
    assert.equal(unavailable.kind, 'transient');
    assert.equal(unavailable.retryAfterMs, 20_000);
    const throttled = mapEntraError(answer(429, 0, 'error', { 'retry-after': '5' }), undefined, context);
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.retryAfterMs, 5_000);
    const temporarily = mapEntraError(answer(400, 1, 'temporarily_unavailable'), undefined, context);
    assert.equal(temporarily.kind, 'transient');
    const refused = mapEntraError({ method: 'GET', url, failure: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }, undefined, context);
    assert.equal(refused.code, 'entra_unreachable');
    assert.equal(refused.kind, 'transient');
    const timeout = mapEntraError({ method: 'POST', url, failure: { code: 'UND_ERR_HEADERS_TIMEOUT', message: 'timeout' } }, undefined, context);
    assert.equal(timeout.kind, 'transient');
  });

  it('does not call an untrusted TLS certificate an outage', () => {
    const tls = mapEntraError({ method: 'GET', url, failure: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'x' } }, undefined, context);
    assert.equal(tls.code, 'entra_tls_untrusted');
    assert.equal(tls.kind, 'permanent');
  });

  it('keeps unknown AADSTS codes as auth errors with the code, and msal-only failures as permanent', () => {
    const unknown = mapEntraError(answer(400, 123456, 'invalid_request'), undefined, context);
    assert.equal(unknown.code, 'entra_request_rejected');
    assert.equal(unknown.providerCode, 'AADSTS123456');
    assert.equal(unknown.kind, 'auth');
    const local = mapEntraError(undefined, Object.assign(new Error('x'), { errorCode: 'invalid_authority' }), context);
    assert.equal(local.code, 'entra_client_error');
    assert.match(local.message, /invalid_authority/);
  });

  it('reads the AADSTS code from error_codes or from the description', () => {
    assert.equal(aadstsCode({ error_codes: [70011] }), 70011);
    assert.equal(aadstsCode({ error_description: 'AADSTS700016: Application not found' }), 700016);
    assert.equal(aadstsCode({ error: 'invalid_client' }), undefined);
  });
});
