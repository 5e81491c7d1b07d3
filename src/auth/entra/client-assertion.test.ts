import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { constants, verify } from 'node:crypto';
import { fixedClock, seededRandom } from '../../clock.ts';
import { createLabCa } from '../../lab/tls/lab-ca.ts';
import { loadCertificate, type LoadedCertificate } from '../certificate/load-certificate.ts';
import { createClientAssertion } from './client-assertion.ts';

describe('createClientAssertion', () => {
  let certificate: LoadedCertificate;
  let caPem: string;
  before(async () => {
    const ca = await createLabCa();
    const issued = ca.issueClientCert('app');
    caPem = ca.caCertPem;
    certificate = loadCertificate({ format: 'pem', pem: issued.keyPem + issued.certPem + ca.caCertPem });
  });

  it('signs PS256 with x5t#S256 and the claims Entra requires, from the injected clock and randomness', () => {
    const jwt = createClientAssertion({ clientId: 'app-id', audience: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', certificate, includeX5c: false, clock: fixedClock(1_700_000_000_000), random: seededRandom(7) });
    const [h, p, s] = jwt.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    assert.deepEqual(header, { alg: 'PS256', typ: 'JWT', 'x5t#S256': certificate.x5tS256 });
    assert.deepEqual(payload, { aud: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', iss: 'app-id', sub: 'app-id', jti: seededRandom(7).uuid(), nbf: 1_700_000_000, iat: 1_700_000_000, exp: 1_700_000_600 });
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: certificate.certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(s!, 'base64url'));
    assert.equal(ok, true);
  });

  it('adds x5c (leaf first, then the chain, base64 DER) when asked', () => {
    const jwt = createClientAssertion({ clientId: 'a', audience: 'x', certificate, includeX5c: true, clock: fixedClock(0), random: seededRandom(1) });
    const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());
    assert.equal(header.x5c.length, 2);
    assert.equal(header.x5c[0], certificate.certificate.raw.toString('base64'));
    assert.equal(header.x5c[1], caPem.replace(/-----[A-Z ]+-----|\s/g, ''));
  });
});
