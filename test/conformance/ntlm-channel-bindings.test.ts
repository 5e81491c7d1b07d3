import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { channelBindingsHash, endPointHashAlgorithm, tlsChannelBindings, tlsServerEndPoint } from '../../src/auth/ntlm/index.ts';
import { createTestPki } from '../../src/exchange/ews/transport-test-pki.ts';

/** DER SEQUENCE { SEQUENCE {}, SEQUENCE { OID } }: the outline of a certificate, enough to find its signature algorithm. */
function certificateOutline(oid: number[]): Buffer {
  const encoded = [oid[0]! * 40 + oid[1]!];
  for (const part of oid.slice(2)) {
    const bytes = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
    encoded.push(...bytes);
  }
  const oidTlv = [0x06, encoded.length, ...encoded];
  const algorithm = [0x30, oidTlv.length, ...oidTlv];
  const body = [0x30, 0x00, ...algorithm];
  return Buffer.from([0x30, body.length, ...body]);
}

describe('NTLM channel bindings (RFC 5929 tls-server-end-point)', () => {
  it('hashes an RSA/SHA-256 certificate with SHA-256: the same bytes as its SHA-256 fingerprint', () => {
    const cert = new X509Certificate(createTestPki(new Date()).issue({ commonName: 'mail.lab.test' }).certPem);
    assert.equal(endPointHashAlgorithm(cert.raw), 'sha256');
    const endPoint = tlsServerEndPoint(cert.raw);
    assert.equal(endPoint.subarray(0, 21).toString('latin1'), 'tls-server-end-point:');
    assert.equal(endPoint.subarray(21).toString('hex'), cert.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('uses the signature hash when stronger than SHA-256, SHA-256 for MD5/SHA-1', () => {
    assert.equal(endPointHashAlgorithm(certificateOutline([1, 2, 840, 10045, 4, 3, 3])), 'sha384');
    assert.equal(endPointHashAlgorithm(certificateOutline([1, 2, 840, 113549, 1, 1, 13])), 'sha512');
    assert.equal(endPointHashAlgorithm(certificateOutline([1, 2, 840, 113549, 1, 1, 5])), 'sha256');
    assert.equal(endPointHashAlgorithm(certificateOutline([1, 2, 840, 113549, 1, 1, 4])), 'sha256');
  });

  it('MsvAvChannelBindings = MD5(16 zero bytes || len32le(appData) || appData)', () => {
    const appData = Buffer.from('tls-server-end-point:abc', 'latin1');
    const struct = Buffer.concat([Buffer.alloc(16), Buffer.from([appData.length, 0, 0, 0]), appData]);
    assert.deepEqual(channelBindingsHash(appData), createHash('md5').update(struct).digest());
    const der = certificateOutline([1, 2, 840, 113549, 1, 1, 11]);
    assert.deepEqual(tlsChannelBindings(der), channelBindingsHash(tlsServerEndPoint(der)));
  });
});
