import forge from 'node-forge';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { LoadedCertificate } from './load-certificate.ts';

/**
 * What Entra needs of a certificate credential, checked before we use one and shown by diagnostics:
 * a private key that belongs to the certificate, validity at the current time (with a warning well
 * before expiry, so an administrator can rotate in time), a key usage that allows signing, and an
 * RSA key of at least 2048 bits. Each check says exactly what it found.
 */
export type CertificateCheckName = 'private-key' | 'validity' | 'key-usage' | 'key-size';
export type CertificateCheck = { name: CertificateCheckName; status: 'pass' | 'warn' | 'fail'; message: string };
export type CertificateCheckResult = {
  ok: boolean;
  checks: CertificateCheck[];
  subject: string;
  thumbprintSha1: string;
  notBefore: Date;
  notAfter: Date;
};

const DAY = 86_400_000;

export function checkCertificate(
  certificate: LoadedCertificate,
  options: { clock: Clock; warnDays?: number },
): CertificateCheckResult {
  const x509 = certificate.certificate;
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  const checks: CertificateCheck[] = [
    checkPrivateKey(certificate),
    checkValidity(notBefore, notAfter, options.clock.now(), options.warnDays ?? 30),
    checkKeyUsage(x509.raw),
    checkKeySize(certificate),
  ];
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    checks,
    subject: x509.subject,
    thumbprintSha1: certificate.thumbprintSha1,
    notBefore,
    notAfter,
  };
}

/** Throws an auth AppError naming every failed check; returns the result (warnings included) otherwise. */
export function assertCertificateUsable(
  certificate: LoadedCertificate,
  options: { clock: Clock; warnDays?: number },
): CertificateCheckResult {
  const result = checkCertificate(certificate, options);
  if (!result.ok) {
    const failed = result.checks.filter((c) => c.status === 'fail');
    throw new AppError(
      'certificate_unusable',
      `The certificate ${certificate.thumbprintSha1} (${result.subject}) cannot be used: ${failed.map((c) => c.message).join(' ')}`,
      { kind: 'auth', details: { checks: result.checks, thumbprint: certificate.thumbprintSha1 } },
    );
  }
  return result;
}

function checkPrivateKey(certificate: LoadedCertificate): CertificateCheck {
  if (certificate.privateKey === undefined) {
    return { name: 'private-key', status: 'fail', message: 'No private key was supplied with the certificate (a .cer holds only the public part; export a PFX or PEM with the key).' };
  }
  let matches = false;
  try {
    matches = certificate.certificate.checkPrivateKey(certificate.privateKey);
  } catch {
    matches = false;
  }
  return matches
    ? { name: 'private-key', status: 'pass', message: 'The private key belongs to the certificate.' }
    : { name: 'private-key', status: 'fail', message: 'The private key does not belong to this certificate (it is the key of another certificate).' };
}

function checkValidity(notBefore: Date, notAfter: Date, now: number, warnDays: number): CertificateCheck {
  if (now < notBefore.getTime()) {
    return { name: 'validity', status: 'fail', message: `The certificate is not valid yet: it becomes valid on ${notBefore.toISOString()}.` };
  }
  if (now > notAfter.getTime()) {
    return { name: 'validity', status: 'fail', message: `The certificate expired on ${notAfter.toISOString()}.` };
  }
  const daysLeft = Math.floor((notAfter.getTime() - now) / DAY);
  if (notAfter.getTime() - now < warnDays * DAY) {
    return { name: 'validity', status: 'warn', message: `The certificate expires on ${notAfter.toISOString()} (in ${daysLeft} days); register its successor on the app and rotate it now.` };
  }
  return { name: 'validity', status: 'pass', message: `Valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}.` };
}

const KEY_USAGE_OID = '2.5.29.15';

/**
 * RFC 5280 section 4.2.1.3: without a keyUsage extension any use is allowed; with one, signing the
 * client assertion needs digitalSignature. Read from the DER with forge's ASN.1 reader, which (unlike
 * its certificate parser) does not insist on RSA keys.
 */
function checkKeyUsage(der: Buffer): CertificateCheck {
  const bits = keyUsageBits(der);
  if (bits === undefined) return { name: 'key-usage', status: 'pass', message: 'No key usage restriction.' };
  if (bits === null) return { name: 'key-usage', status: 'fail', message: 'The key usage extension could not be read.' };
  const digitalSignature = ((bits[0] ?? 0) & 0x80) !== 0;
  return digitalSignature
    ? { name: 'key-usage', status: 'pass', message: 'Key usage allows digital signature.' }
    : { name: 'key-usage', status: 'fail', message: 'Key usage does not include Digital Signature, so the certificate cannot sign the client assertion; issue one with Digital Signature (KeySpec 1 / AT_KEYEXCHANGE on Windows exports).' };
}

/** undefined: no extension; null: unreadable; otherwise the BIT STRING content bytes (without the unused-bits byte). */
function keyUsageBits(der: Buffer): Uint8Array | undefined | null {
  try {
    const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
    const explicitExtensions = (tbs.value as forge.asn1.Asn1[]).find(
      (node) => node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === 3,
    );
    if (!explicitExtensions) return undefined;
    const list = (explicitExtensions.value as forge.asn1.Asn1[])[0]!;
    for (const extension of list.value as forge.asn1.Asn1[]) {
      const parts = extension.value as forge.asn1.Asn1[];
      const oid = forge.asn1.derToOid(parts[0]!.value as string);
      if (oid !== KEY_USAGE_OID) continue;
      const octets = parts[parts.length - 1]!.value as string;
      const bitString = forge.asn1.fromDer(octets);
      const raw = Buffer.from(bitString.value as string, 'binary');
      // forge keeps the leading "unused bits" byte in the BIT STRING value.
      return raw.subarray(1);
    }
    return undefined;
  } catch {
    return null;
  }
}

function checkKeySize(certificate: LoadedCertificate): CertificateCheck {
  const key = certificate.certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return { name: 'key-size', status: 'fail', message: `The key is ${key.asymmetricKeyType ?? 'of an unknown type'}; Entra certificate credentials here need RSA (2048 bits or more).` };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  return bits >= 2048
    ? { name: 'key-size', status: 'pass', message: `RSA ${bits} bits.` }
    : { name: 'key-size', status: 'fail', message: `The RSA key has ${bits} bits; at least 2048 are required.` };
}
