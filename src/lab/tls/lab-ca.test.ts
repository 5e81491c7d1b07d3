import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createLabCa, startLabHttpsServer } from './lab-ca.ts';
import { fixedClock } from '../../clock.ts';

describe('lab CA', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('issues a server certificate that a client trusting only the lab CA accepts over TLS', async () => {
    const ca = await createLabCa();
    const server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1', 'localhost']), (_req, res) => {
      res.end('ok');
    });
    const trusting = new Agent({ connect: { ca: ca.caCertPem } });
    const stranger = new Agent({ connect: { ca: (await createLabCa()).caCertPem } });
    try {
      const ok = await request(`${server.url}/`, { dispatcher: trusting });
      assert.equal(ok.statusCode, 200);
      assert.equal(await ok.body.text(), 'ok');
      await assert.rejects(request(`${server.url}/`, { dispatcher: stranger }), /certificate/i);
    } finally {
      await trusting.close();
      await stranger.close();
      await server.close();
    }
  });

  it('signs leaf certificates with the CA key and names the hosts in subjectAltName', async () => {
    const ca = await createLabCa();
    const issued = ca.issueServerCert(['127.0.0.1', 'ews.lab.test']);
    const leaf = new X509Certificate(issued.certPem);
    const root = new X509Certificate(ca.caCertPem);
    assert.equal(leaf.verify(root.publicKey), true);
    assert.equal(leaf.checkIssued(root), true);
    assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(leaf.subjectAltName ?? '', /DNS:ews\.lab\.test/);
    assert.equal(root.ca, true);
    assert.equal(leaf.ca, false);
    // The private key belongs to the certificate.
    const fromKey = createPublicKey(createPrivateKey(issued.keyPem)).export({ format: 'der', type: 'spki' });
    assert.deepEqual(fromKey, leaf.publicKey.export({ format: 'der', type: 'spki' }));
  });

  it('issues client certificates with the requested key size, usages and validity', async () => {
    const clock = fixedClock(Date.UTC(2030, 0, 1));
    const ca = await createLabCa({ clock });
    const plain = new X509Certificate(ca.issueClientCert('CN=app').certPem);
    assert.equal(new Date(plain.validFrom).getTime(), Date.UTC(2030, 0, 1) - 3_600_000);
    assert.equal(plain.publicKey.asymmetricKeyDetails?.modulusLength, 2048);

    const small = ca.issueClientCert('small', {
      keyBits: 1024,
      keyUsage: ['keyEncipherment'],
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2021, 0, 1)),
    });
    const cert = new X509Certificate(small.certPem);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 1024);
    assert.equal(new Date(cert.validTo).getTime(), Date.UTC(2021, 0, 1));
    assert.equal(cert.subject, 'CN=small');
  });

  it('keeps the CA in a directory, with a private key file, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dovetail-lab-ca-'));
    dirs.push(dir);
    const first = await createLabCa({ dir: join(dir, 'tls') });
    const second = await createLabCa({ dir: join(dir, 'tls') });
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal((await stat(join(dir, 'tls', 'lab-ca-key.pem'))).mode & 0o777, 0o600);
    const other = await createLabCa();
    assert.notEqual(other.caCertPem, first.caCertPem);
  });
});
