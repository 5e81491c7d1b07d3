import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapKeyVaultError, type KeyVaultErrorContext } from './map-key-vault-error.ts';
import { parseBearerChallenge } from './parse-challenge.ts';

const context: KeyVaultErrorContext = { vault: 'https://v.vault.azure.net', object: 'secret', name: 'HMA-Cert', appId: 'kv-app' };
const body = (code: string, message: string, inner?: string) => ({ error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } });

describe('Key Vault errors', () => {
  it('maps access denied, disabled secret, firewall, not found and rejected tokens to auth errors', () => {
    const denied = mapKeyVaultError({ kind: 'http', status: 403, body: body('Forbidden', 'does not have secrets get permission', 'AccessDenied') }, context);
    assert.equal(denied.code, 'keyvault_access_denied');
    assert.equal(denied.kind, 'auth');
    assert.equal(denied.providerCode, 'AccessDenied');
    assert.match(denied.message, /Get under both Secret permissions and Certificate permissions/);
    const disabled = mapKeyVaultError({ kind: 'http', status: 403, body: body('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled') }, context);
    assert.equal(disabled.code, 'keyvault_secret_disabled');
    const firewall = mapKeyVaultError({ kind: 'http', status: 403, body: body('Forbidden', 'Client address is not authorized', 'ForbiddenByFirewall') }, context);
    assert.equal(firewall.code, 'keyvault_firewall');
    const missing = mapKeyVaultError({ kind: 'http', status: 404, body: body('CertificateNotFound', 'A certificate with (name/id) x was not found') }, { ...context, object: 'certificate' });
    assert.equal(missing.code, 'keyvault_certificate_not_found');
    assert.equal(missing.providerCode, 'CertificateNotFound');
    const unauthorized = mapKeyVaultError({ kind: 'http', status: 401, body: body('Unauthorized', 'AKV10032: Invalid issuer.') }, context);
    assert.equal(unauthorized.code, 'keyvault_unauthorized');
    assert.equal(unauthorized.kind, 'auth');
  });

  it('treats 429, 5xx and network failures as transient, with Retry-After', () => {
    const throttled = mapKeyVaultError({ kind: 'http', status: 429, body: undefined, retryAfter: '9' }, context);
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.retryAfterMs, 9000);
    assert.equal(mapKeyVaultError({ kind: 'http', status: 502, body: undefined }, context).kind, 'transient');
    assert.equal(mapKeyVaultError({ kind: 'network', code: 'ECONNRESET' }, context).kind, 'transient');
  });

  it('reads challenges with resource or scope, quoted or bare, any case', () => {
    assert.deepEqual(parseBearerChallenge('Bearer authorization="https://login.windows.net/t1", resource="https://vault.azure.net"'), {
      authorization: 'https://login.windows.net/t1',
      resource: 'https://vault.azure.net',
    });
    assert.deepEqual(parseBearerChallenge('bearer Authorization=https://login.microsoftonline.com/t2, Scope="https://vault.azure.net/.default"'), {
      authorization: 'https://login.microsoftonline.com/t2',
      scope: 'https://vault.azure.net/.default',
    });
    assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
    assert.equal(parseBearerChallenge(undefined), undefined);
  });
});
