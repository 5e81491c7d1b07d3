import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appRolesOf, missingConsent } from './missing-consent.ts';

const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const expected = { anyOf: ['Mail.ReadWrite', 'Mail.Read'], clientId: 'app', tenantId: 't', resource: 'https://graph.microsoft.com' };

describe('missingConsent', () => {
  it('reads roles, and does not judge tokens that are not JWTs', () => {
    assert.deepEqual(appRolesOf(jwt({ roles: ['Mail.Read', 7] })), ['Mail.Read']);
    assert.deepEqual(appRolesOf(jwt({})), []);
    assert.equal(appRolesOf('opaque-token'), undefined);
    assert.equal(missingConsent('opaque-token', expected), undefined);
  });

  it('accepts any one of the expected roles and names what the token has otherwise', () => {
    assert.equal(missingConsent(jwt({ roles: ['Mail.Read'] }), expected), undefined);
    const problem = missingConsent(jwt({ roles: ['User.Read.All'] }), expected);
    assert.equal(problem?.code, 'entra_consent_missing');
    assert.match(problem?.message ?? '', /it has User\.Read\.All/);
  });
});
