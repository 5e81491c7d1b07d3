/**
 * Certificates for tests of the transport and Autodiscover (never used at run time): a test CA,
 * leaf certificates it signs, a self-signed one and an expired one. Keys come from node:crypto
 * (fast, native); node-forge builds and signs the X.509 certificates.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import forge from 'node-forge';

export type TestCertificate = { certPem: string; keyPem: string };

type Subject = { commonName: string; altNames?: string[] };

function keyPair(): { forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    keyPem,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function build(input: {
  subject: Subject;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  isCa: boolean;
  notBefore: Date;
  notAfter: Date;
  serial: string;
}): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; pem: TestCertificate } {
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublic;
  cert.serialNumber = input.serial;
  cert.validity.notBefore = input.notBefore;
  cert.validity.notAfter = input.notAfter;
  const attrs = [
    { name: 'commonName', value: input.subject.commonName },
    { name: 'organizationName', value: 'Dovetail Tests' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(input.issuer ? input.issuer.cert.subject.attributes : attrs);
  const extensions: object[] = [{ name: 'basicConstraints', cA: input.isCa, critical: input.isCa }];
  if (input.isCa) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    const names = input.subject.altNames ?? [input.subject.commonName];
    extensions.push({
      name: 'subjectAltName',
      altNames: names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  cert.setExtensions(extensions);
  cert.sign(input.issuer?.key ?? keys.forgePrivate, forge.md.sha256.create());
  return { cert, key: keys.forgePrivate, pem: { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem } };
}

export type TestPki = {
  caPem: string;
  /** A leaf signed by the test CA for the given names, valid around `now`. */
  issue(subject: Subject, validity?: { notBefore: Date; notAfter: Date }): TestCertificate;
  selfSigned(subject: Subject): TestCertificate;
};

export function createTestPki(now: Date = new Date()): TestPki {
  const day = 86_400_000;
  let serial = 1;
  const nextSerial = (): string => (serial++).toString(16).padStart(2, '0');
  const ca = build({
    subject: { commonName: 'Dovetail Test CA' },
    isCa: true,
    notBefore: new Date(now.getTime() - 2 * day),
    notAfter: new Date(now.getTime() + 30 * day),
    serial: nextSerial(),
  });
  return {
    caPem: ca.pem.certPem,
    issue: (subject, validity) =>
      build({
        subject,
        issuer: { cert: ca.cert, key: ca.key },
        isCa: false,
        notBefore: validity?.notBefore ?? new Date(now.getTime() - day),
        notAfter: validity?.notAfter ?? new Date(now.getTime() + 10 * day),
        serial: nextSerial(),
      }).pem,
    selfSigned: (subject) =>
      build({ subject, isCa: false, notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + 10 * day), serial: nextSerial() }).pem,
  };
}

/** Resolves every name to 127.0.0.1 (tests never leave the machine), except RFC 6761 .invalid names. */
export const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const cb = callback as (error: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
  process.nextTick(() => {
    if (/(^|\.)invalid\.?$/i.test(hostname)) {
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    } else if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  });
};
