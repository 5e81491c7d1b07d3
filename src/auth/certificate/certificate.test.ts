import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createLabCa, type LabCa, type IssuedCert } from '../../lab/tls/lab-ca.ts';
import { toPfx } from '../../lab/tls/to-pfx.ts';
import { fixedClock } from '../../clock.ts';
import { isAppError } from '../../errors.ts';
import { loadCertificate } from './load-certificate.ts';
import { assertCertificateUsable, checkCertificate } from './check-certificate.ts';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

describe('certificate loading and checks', () => {
  let ca: LabCa;
  let good: IssuedCert;
  before(async () => {
    ca = await createLabCa({ clock: fixedClock(NOW) });
    good = ca.issueClientCert('hma-app');
  });

  const check = (cert: IssuedCert, now = NOW) =>
    checkCertificate(loadCertificate({ format: 'pem', pem: cert.keyPem + cert.certPem + ca.caCertPem }), { clock: fixedClock(now) });
  const status = (result: ReturnType<typeof check>, name: string) => result.checks.find((c) => c.name === name)?.status;

  it('reads a PEM bundle (key first, as Key Vault returns it), picks the leaf and computes thumbprints', () => {
    const loaded = loadCertificate({ format: 'pem', pem: good.keyPem + ca.caCertPem + good.certPem });
    assert.equal(loaded.certificate.subject, 'CN=hma-app');
    assert.equal(loaded.chainPems.length, 1);
    assert.match(loaded.thumbprintSha1, /^[0-9A-F]{40}$/);
    assert.equal(Buffer.from(loaded.x5tS256, 'base64url').toString('hex').toUpperCase(), loaded.thumbprintSha256);
    const result = check(good);
    assert.equal(result.ok, true);
    assert.deepEqual(result.checks.map((c) => c.status), ['pass', 'pass', 'pass', 'pass']);
  });

  it('reads a PFX with and without a password and gets the same certificate and key', () => {
    const fromPem = loadCertificate({ format: 'pem', pem: good.keyPem + good.certPem });
    for (const password of ['', 'p@ss']) {
      const loaded = loadCertificate({ format: 'pfx', pfx: toPfx(good, password, [ca.caCertPem]), password });
      assert.equal(loaded.thumbprintSha256, fromPem.thumbprintSha256);
      assert.equal(loaded.chainPems.length, 1);
      assert.equal(loaded.certificate.checkPrivateKey(loaded.privateKey!), true);
    }
    assert.throws(
      () => loadCertificate({ format: 'pfx', pfx: toPfx(good, 'right'), password: 'wrong' }),
      (e) => isAppError(e, 'certificate_unreadable') && e.kind === 'auth',
    );
    assert.throws(() => loadCertificate({ format: 'pfx', pfx: Buffer.from('not a pfx') }), (e) => isAppError(e, 'certificate_unreadable'));
  });

  it('reads an encrypted PKCS#8 key only with its password', () => {
    const encrypted = createPrivateKey(good.keyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    assert.throws(() => loadCertificate({ format: 'pem', pem: encrypted + good.certPem }), /encrypted and no password/);
    assert.throws(() => loadCertificate({ format: 'pem', pem: encrypted + good.certPem, password: 'nope' }), /wrong password/);
    assert.ok(loadCertificate({ format: 'pem', pem: encrypted + good.certPem, password: 'pw' }).privateKey);
  });

  it('fails when the key is missing or belongs to another certificate', () => {
    const noKey = checkCertificate(loadCertificate({ format: 'pem', pem: good.certPem }), { clock: fixedClock(NOW) });
    assert.equal(noKey.ok, false);
    assert.match(noKey.checks[0]!.message, /No private key/);
    const other = ca.issueClientCert('other');
    const mismatch = checkCertificate(loadCertificate({ format: 'pem', pem: other.keyPem + good.certPem }), { clock: fixedClock(NOW) });
    assert.equal(status(mismatch, 'private-key'), 'fail');
    assert.match(mismatch.checks[0]!.message, /does not belong/);
  });

  it('fails when expired or not yet valid, and warns 30 days ahead', () => {
    const cert = ca.issueClientCert('short', { notBefore: new Date(NOW), notAfter: new Date(NOW + 60 * DAY) });
    assert.equal(status(check(cert, NOW + DAY), 'validity'), 'pass');
    const soon = check(cert, NOW + 40 * DAY);
    assert.equal(status(soon, 'validity'), 'warn');
    assert.equal(soon.ok, true);
    assert.match(soon.checks[1]!.message, /in 20 days/);
    const expired = check(cert, NOW + 61 * DAY);
    assert.equal(expired.ok, false);
    assert.match(expired.checks[1]!.message, /expired on 2026-07-31/);
    const early = check(cert, NOW - DAY);
    assert.equal(early.ok, false);
    assert.match(early.checks[1]!.message, /not valid yet/);
  });

  it('fails a key usage without digital signature, accepts no key usage extension', () => {
    assert.equal(status(check(ca.issueClientCert('enc', { keyUsage: ['keyEncipherment'] })), 'key-usage'), 'fail');
    assert.equal(status(check(ca.issueClientCert('both', { keyUsage: ['keyEncipherment', 'digitalSignature'] })), 'key-usage'), 'pass');
    assert.equal(status(check(ca.issueClientCert('none', { keyUsage: false })), 'key-usage'), 'pass');
  });

  it('fails RSA keys under 2048 bits and names every failed check in the thrown error', () => {
    const weak = ca.issueClientCert('weak', { keyBits: 1024, keyUsage: ['keyEncipherment'] });
    assert.equal(status(check(weak), 'key-size'), 'fail');
    assert.throws(
      () => assertCertificateUsable(loadCertificate({ format: 'pem', pem: weak.keyPem + weak.certPem }), { clock: fixedClock(NOW) }),
      (e) =>
        isAppError(e, 'certificate_unusable') &&
        e.kind === 'auth' &&
        /1024 bits/.test(e.message) &&
        /Digital Signature/.test(e.message) &&
        !e.message.includes('PRIVATE KEY'),
    );
  });
});
