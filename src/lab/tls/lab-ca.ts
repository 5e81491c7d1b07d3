import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { systemClock, systemRandom, type Clock, type Random } from '../../clock.ts';

export { startLabHttpsServer, type LabHttpsServer } from './start-lab-https-server.ts';

/**
 * The lab's own certificate authority. Every lab server (EWS, Autodiscover, Graph, Entra, Key Vault)
 * gets a certificate from it, and every client in tests trusts exactly this CA: TLS stays validated
 * end to end, as DESIGN.md section 6 requires, without touching the system trust store.
 *
 * Note for tests with a frozen clock: `clock` decides the certificates' validity, but TLS peers check
 * validity against the real time. Servers should get certificates from a CA on the system clock.
 */
export type IssuedCert = { certPem: string; keyPem: string };

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement';

export type ValidityOptions = { notBefore?: Date; notAfter?: Date };

export type ClientCertOptions = ValidityOptions & {
  keyBits?: number;
  /** Key usages to put in the certificate; `false` leaves the extension out. Default: digitalSignature. */
  keyUsage?: readonly KeyUsageName[] | false;
};

export type LabCa = {
  caCertPem: string;
  caKeyPem: string;
  issueServerCert(hosts: string[], options?: ValidityOptions): IssuedCert;
  issueClientCert(subject: string, options?: ClientCertOptions): IssuedCert;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CA_FILE = 'lab-ca-cert.pem';
const CA_KEY_FILE = 'lab-ca-key.pem';

export async function createLabCa(options: { dir?: string; clock?: Clock; random?: Random } = {}): Promise<LabCa> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const stored = options.dir === undefined ? undefined : await loadCa(options.dir, clock);
  const ca = stored ?? generateCa(clock, random);
  if (options.dir !== undefined && stored === undefined) await saveCa(options.dir, ca);

  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = createPrivateKey(ca.keyPem);
  // Lab servers share one key: their certificates differ by name, and each RSA key costs real CPU time.
  let serverKeys: { publicPem: string; privatePem: string } | undefined;

  const issue = (
    subjectCn: string,
    keys: { publicPem: string; privatePem: string },
    validity: ValidityOptions,
    extensions: object[],
  ): IssuedCert => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
    cert.serialNumber = serialNumber(random);
    cert.validity.notBefore = validity.notBefore ?? new Date(clock.now() - HOUR);
    cert.validity.notAfter = validity.notAfter ?? new Date(clock.now() + 365 * DAY);
    cert.setSubject([{ name: 'commonName', value: subjectCn }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
      ...extensions,
    ]);
    signWithNodeCrypto(cert, caKey);
    return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
  };

  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    issueServerCert(hosts, validity = {}) {
      if (hosts.length === 0) throw new Error('issueServerCert needs at least one host name or IP address');
      const altNames = hosts.map((host) => (isIpAddress(host) ? { type: 7, ip: host } : { type: 2, value: host }));
      serverKeys ??= rsaKeyPair(2048);
      return issue(hosts[0]!, serverKeys, validity, [
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ]);
    },
    issueClientCert(subject, clientOptions = {}) {
      const usage = clientOptions.keyUsage ?? ['digitalSignature'];
      const extensions: object[] = [{ name: 'extKeyUsage', clientAuth: true }];
      if (usage !== false) {
        extensions.push({ name: 'keyUsage', critical: true, ...Object.fromEntries(usage.map((u) => [u, true])) });
      }
      return issue(subject, rsaKeyPair(clientOptions.keyBits ?? 2048), clientOptions, extensions);
    },
  };
}

type StoredCa = { certPem: string; keyPem: string };

function generateCa(clock: Clock, random: Random): StoredCa {
  const keys = rsaKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serialNumber(random);
  cert.validity.notBefore = new Date(clock.now() - DAY);
  cert.validity.notAfter = new Date(clock.now() + 10 * 365 * DAY);
  const name = [
    { name: 'commonName', value: 'Dovetail Lab CA' },
    { name: 'organizationName', value: 'Dovetail lab' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithNodeCrypto(cert, createPrivateKey(keys.privatePem));
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/**
 * forge builds the certificate; node:crypto signs it (sha256WithRSAEncryption). forge's own RSA
 * signing runs in JavaScript and costs tens of milliseconds per certificate.
 */
function signWithNodeCrypto(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // getTBSCertificate is public in forge but missing from its type declarations.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, key).toString('binary');
}

/** A CA kept in `dir` is reused while it is valid at the clock's time; otherwise a new one replaces it. */
async function loadCa(dir: string, clock: Clock): Promise<StoredCa | undefined> {
  try {
    const certPem = await readFile(join(dir, CA_FILE), 'utf8');
    const keyPem = await readFile(join(dir, CA_KEY_FILE), 'utf8');
    const cert = forge.pki.certificateFromPem(certPem);
    const now = clock.now();
    if (cert.validity.notBefore.getTime() > now || cert.validity.notAfter.getTime() < now + DAY) return undefined;
    return { certPem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function saveCa(dir: string, ca: StoredCa): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, CA_KEY_FILE);
  await writeFile(keyPath, ca.keyPem, { mode: 0o600 });
  // writeFile keeps the mode of a file that already existed; make sure the key is private either way.
  await chmod(keyPath, 0o600);
  await writeFile(join(dir, CA_FILE), ca.certPem, { mode: 0o644 });
}

/** node:crypto makes RSA keys in native code, far faster than forge's pure-JS generator. */
function rsaKeyPair(bits: number): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicPem: publicKey, privatePem: privateKey };
}

/** 16 random bytes with the top bit cleared: a positive serial, as RFC 5280 section 4.1.2.2 requires. */
function serialNumber(random: Random): string {
  const bytes = random.bytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
