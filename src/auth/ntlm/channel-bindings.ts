/**
 * Channel binding for NTLM over TLS (Extended Protection for Authentication, on by default since
 * Exchange Server 2019 CU14): the client puts MD5(gss_channel_bindings_struct) in MsvAvChannelBindings,
 * with "tls-server-end-point:" + hash(server certificate) as application data (RFC 5929), so an
 * AUTHENTICATE message relayed through another TLS connection is refused by the server.
 * @see https://learn.microsoft.com/en-us/exchange/plan-and-deploy/post-installation-tasks/security-best-practices/exchange-extended-protection
 * @see https://www.rfc-editor.org/rfc/rfc5929#section-4
 */
import { createHash } from 'node:crypto';

/** Signature algorithm OIDs whose hash the tls-server-end-point binding uses (MD5/SHA-1 become SHA-256). */
const SIGNATURE_HASH: Record<string, 'sha384' | 'sha512'> = {
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
};

/** Reads one DER tag-length header; returns where the content starts and its length. */
function derHeader(der: Uint8Array, at: number): { start: number; length: number } {
  const first = der[at + 1] ?? 0;
  if (first < 0x80) return { start: at + 2, length: first };
  const bytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < bytes; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { start: at + 2 + bytes, length };
}

function oidString(bytes: Uint8Array): string {
  const parts = [Math.floor((bytes[0] ?? 0) / 40), (bytes[0] ?? 0) % 40];
  let value = 0;
  for (const b of bytes.subarray(1)) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The hash RFC 5929 prescribes for a certificate: its signature's hash, but at least SHA-256. */
export function endPointHashAlgorithm(certificateDer: Uint8Array): 'sha256' | 'sha384' | 'sha512' {
  try {
    const certificate = derHeader(certificateDer, 0);
    const tbs = derHeader(certificateDer, certificate.start);
    const algorithm = derHeader(certificateDer, tbs.start + tbs.length);
    const oid = derHeader(certificateDer, algorithm.start);
    if (certificateDer[algorithm.start] !== 0x06) return 'sha256';
    return SIGNATURE_HASH[oidString(certificateDer.subarray(oid.start, oid.start + oid.length))] ?? 'sha256';
  } catch {
    return 'sha256';
  }
}

/** "tls-server-end-point:" || hash(certificate DER). */
export function tlsServerEndPoint(certificateDer: Uint8Array): Buffer {
  const hash = createHash(endPointHashAlgorithm(certificateDer)).update(certificateDer).digest();
  return Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), hash]);
}

/**
 * MD5 of gss_channel_bindings_struct with empty initiator and acceptor addresses: the 16 bytes
 * carried in MsvAvChannelBindings.
 */
export function channelBindingsHash(applicationData: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(applicationData.length);
  return createHash('md5').update(Buffer.alloc(16)).update(length).update(applicationData).digest();
}

/** MsvAvChannelBindings value for a TLS connection to a server presenting `certificateDer`. */
export function tlsChannelBindings(certificateDer: Uint8Array): Buffer {
  return channelBindingsHash(tlsServerEndPoint(certificateDer));
}
