import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../errors.ts';

/**
 * A certificate with (usually) its private key, read from what administrators hand us: a PEM bundle
 * (key and certificates, the way Key Vault returns application/x-pem-file secrets) or a PFX / PKCS#12
 * file (application/x-pkcs12, read with node-forge since node:crypto cannot open PKCS#12).
 * The private key is kept as a PKCS#8 PEM so node:crypto can sign with it; it never leaves this
 * object except to sign.
 */
export type LoadedCertificate = {
  /** The leaf certificate (the one the private key belongs to, when there is a key). */
  certificate: X509Certificate;
  certPem: string;
  /** Other certificates found beside the leaf (issuers), in file order. */
  chainPems: string[];
  privateKey: KeyObject | undefined;
  /** Hex, uppercase, as the Entra portal shows them. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  /** base64url(SHA-256(DER)): the JWT `x5t#S256` header value. */
  x5tS256: string;
};

export type CertificateInput =
  | { format: 'pem'; pem: string; password?: string }
  | { format: 'pfx'; pfx: Buffer; password?: string };

export function loadCertificate(input: CertificateInput): LoadedCertificate {
  const { certPems, keys } = input.format === 'pem' ? readPem(input.pem, input.password) : readPfx(input.pfx, input.password);
  if (certPems.length === 0) {
    throw unreadable('the file holds no certificate');
  }
  const certificates = certPems.map((pem) => new X509Certificate(pem));
  const privateKey = keys[0];
  // The leaf is the certificate the key belongs to; without a key, the first one.
  let leafIndex = privateKey === undefined ? 0 : certificates.findIndex((c) => safeCheck(c, privateKey));
  if (leafIndex < 0) leafIndex = 0;
  const certificate = certificates[leafIndex]!;
  const der = certificate.raw;
  return {
    certificate,
    certPem: certPems[leafIndex]!,
    chainPems: certPems.filter((_, i) => i !== leafIndex),
    privateKey,
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

function safeCheck(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function readPem(text: string, password: string | undefined): { certPems: string[]; keys: KeyObject[] } {
  const certPems: string[] = [];
  const keys: KeyObject[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1]!;
    const block = match[0];
    if (label === 'CERTIFICATE') {
      certPems.push(`${block}\n`);
    } else if (label.endsWith('PRIVATE KEY')) {
      if (label === 'ENCRYPTED PRIVATE KEY' && password === undefined) {
        throw unreadable('the private key is encrypted and no password was given');
      }
      try {
        keys.push(createPrivateKey(password === undefined ? block : { key: block, passphrase: password }));
      } catch {
        // The cause is dropped on purpose: OpenSSL messages can quote key material.
        throw unreadable(label === 'ENCRYPTED PRIVATE KEY' ? 'the private key could not be decrypted (wrong password?)' : 'the private key is not valid');
      }
    }
  }
  if (certPems.length === 0 && keys.length === 0) throw unreadable('no PEM blocks found (expected CERTIFICATE and PRIVATE KEY)');
  return { certPems, keys };
}

function readPfx(pfx: Buffer, password: string | undefined): { certPems: string[]; keys: KeyObject[] } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
    // Key Vault exports PFX files with an empty password; forge wants '' for that, not undefined.
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch {
    throw unreadable('not a readable PFX / PKCS#12 file, or the password is wrong');
  }
  const certPems: string[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []) {
    if (bag.cert) {
      certPems.push(forge.pki.certificateToPem(bag.cert));
    } else if (bag.asn1) {
      // forge cannot build certificates with non-RSA keys, but keeps their ASN.1.
      certPems.push(forge.pem.encode({ type: 'CERTIFICATE', body: forge.asn1.toDer(bag.asn1).getBytes() }));
    }
  }
  const keys: KeyObject[] = [];
  const keyBagTypes = [forge.pki.oids.pkcs8ShroudedKeyBag!, forge.pki.oids.keyBag!];
  for (const bagType of keyBagTypes) {
    for (const bag of p12.getBags({ bagType })[bagType] ?? []) {
      if (!bag.key) throw unreadable('the PFX private key is not an RSA key this reader understands');
      keys.push(createPrivateKey(forge.pki.privateKeyToPem(bag.key)));
    }
  }
  return { certPems, keys };
}

function unreadable(reason: string): AppError {
  return new AppError('certificate_unreadable', `The certificate could not be read: ${reason}.`, { kind: 'auth' });
}

/** The private key as PKCS#8 PEM, for libraries that take a string (msal-node's clientCertificate). */
export function privateKeyPem(certificate: LoadedCertificate): string {
  if (certificate.privateKey === undefined) {
    throw new AppError('certificate_no_private_key', 'The certificate has no private key.', { kind: 'auth' });
  }
  return certificate.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
