import type { PeerCertificate } from 'node:tls';
import { AppError } from '../../errors.ts';

/**
 * Turns what node/undici throw while reaching a server into AppErrors whose code names the step
 * that failed (dns, connect, tls, timeout), with the host and, for TLS, the certificate and why
 * it was refused. Messages never carry credentials.
 */
export type CertificateFacts = { subject: string; issuer: string; validTo: string; altNames: string };

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** The server closed a (kept-alive) connection under us: worth one retry on a fresh one. */
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate not trusted (add it or its CA to the trusted CA bundle)',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain not trusted (add the root CA to the trusted CA bundle)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer not trusted (add the issuing CA to the trusted CA bundle)',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer not trusted (add the issuing CA to the trusted CA bundle)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer not trusted (add the issuing CA to the trusted CA bundle)',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isTlsVerificationError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && code in TLS_REASONS;
}

export function isDroppedConnection(error: unknown): boolean {
  return DROPPED_CODES.has(errorCode(error) ?? '');
}

export function describeCertificate(cert: PeerCertificate | undefined): CertificateFacts | undefined {
  if (!cert || !cert.subject) return undefined;
  const dn = (name: Record<string, string | string[]> | undefined): string =>
    Object.entries(name ?? {})
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
      .join(', ');
  return { subject: dn(cert.subject as never), issuer: dn(cert.issuer as never), validTo: cert.valid_to, altNames: cert.subjectaltname ?? '' };
}

export function tlsError(host: string, error: unknown, cert: CertificateFacts | undefined): AppError {
  const code = errorCode(error) ?? 'unknown';
  let reason = TLS_REASONS[code] ?? `TLS handshake failed (${code})`;
  if (code === 'CERT_HAS_EXPIRED' && cert) reason = `certificate expired on ${cert.validTo}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') reason = `hostname mismatch: ${host} is not in the certificate's names (${cert?.altNames || 'none'})`;
  const subject = cert?.subject ?? 'unknown subject';
  return new AppError('tls_failed', `TLS to ${host} failed: certificate "${subject}": ${reason}`, {
    kind: 'permanent',
    details: { host, reason, tlsCode: code, ...(cert ? { subject: cert.subject, issuer: cert.issuer, validTo: cert.validTo } : {}) },
    cause: error,
  });
}

/** Maps a failure that happened before a response arrived. */
export function networkError(url: URL, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = errorCode(error) ?? '';
  const host = url.hostname;
  if (DNS_CODES.has(code)) {
    return new AppError('dns_failed', `DNS lookup of ${host} failed (${code})`, { kind: 'transient', details: { host, errno: code }, cause: error });
  }
  if (TIMEOUT_CODES.has(code)) {
    return new AppError('timeout', `No answer from ${url.origin} in time (${code})`, { kind: 'transient', details: { host, errno: code }, cause: error });
  }
  if (CONNECT_CODES.has(code)) {
    return new AppError('connect_failed', `Could not connect to ${url.host} (${code})`, { kind: 'transient', details: { host, port: url.port, errno: code }, cause: error });
  }
  if (isTlsVerificationError(error)) return tlsError(host, error, undefined);
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS/.test(String((error as Error)?.message))) {
    const reason = /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE/.test(code)
      ? 'the server does not offer TLS 1.2 or later'
      : /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code)
        ? 'the server did not answer with TLS (plain HTTP on this port?)'
        : 'handshake failed';
    return new AppError('tls_failed', `TLS to ${host} failed: ${reason} (${code || 'no code'})`, { kind: 'permanent', details: { host, reason, tlsCode: code }, cause: error });
  }
  if (isDroppedConnection(error)) {
    return new AppError('connection_dropped', `${url.host} closed the connection (${code})`, { kind: 'transient', details: { host, errno: code }, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('connect_failed', `Request to ${url.host} failed: ${message}`, { kind: 'transient', details: { host, errno: code }, cause: error });
}

/**
 * The scheme names a server offers in its WWW-Authenticate header(s), in order, e.g. ["Negotiate", "NTLM"].
 * Parameters (realm="…", quoted commas included) are skipped.
 */
export function offeredSchemes(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const schemes: string[] = [];
  for (const value of values) {
    const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const part of unquoted.split(',')) {
      const token = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s|$)/.exec(part)?.[1];
      if (token && !/^\s*[^\s=]+\s*=/.test(part) && !schemes.some((s) => s.toLowerCase() === token.toLowerCase())) schemes.push(token);
    }
  }
  return schemes;
}

/** auth_failed naming what the server offers, e.g. "server offers Negotiate, NTLM; Basic is disabled". */
export function authFailed(url: URL, scheme: string, header: string | string[] | undefined, rejected: string): AppError {
  const offered = offeredSchemes(header);
  const offers = offered.length > 0 ? `server offers ${offered.join(', ')}` : 'server offers no authentication scheme';
  const disabled = offered.some((s) => s.toLowerCase() === scheme.toLowerCase()) ? '' : `; ${scheme} is disabled`;
  return new AppError('auth_failed', `Authentication to ${url.host} failed: ${rejected} (${offers}${disabled})`, {
    kind: 'auth',
    status: 502,
    details: { host: url.host, scheme, offered },
  });
}
