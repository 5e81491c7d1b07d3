import forge from 'node-forge';
import type { IssuedCert } from './lab-ca.ts';

/**
 * Packs a lab certificate and its key into a PFX / PKCS#12 file, the way Key Vault hands out
 * certificates whose policy says application/x-pkcs12 (3DES, as Windows tooling still expects).
 */
export function toPfx(issued: IssuedCert, password = '', extraCertPems: string[] = []): Buffer {
  // An empty keyPem packs the certificate alone, as Key Vault does for non-exportable keys.
  const key = issued.keyPem === '' ? null : forge.pki.privateKeyFromPem(issued.keyPem);
  const certs = [issued.certPem, ...extraCertPems].map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
