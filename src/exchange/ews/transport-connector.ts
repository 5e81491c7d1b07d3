import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { buildConnector } from 'undici';
import { trustRoots } from '../../auth/trust-roots.ts';
import { describeCertificate, errorCode, isTlsVerificationError, type CertificateFacts, tlsError } from './transport-errors.ts';

export type ConnectorOptions = {
  trustedCaPem?: string;
  /** Name resolution; the lab and tests map names to 127.0.0.1 with it. */
  lookup?: LookupFunction;
  connectTimeoutMs: number;
};

/**
 * Names under .invalid never resolve (RFC 6761 section 6.4): answer at once, without a query.
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.4
 */
export const defaultLookup: LookupFunction = (hostname, options, callback) => {
  if (/(^|\.)invalid\.?$/i.test(hostname)) {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
    process.nextTick(() => (callback as (e: NodeJS.ErrnoException) => void)(error));
    return;
  }
  dnsLookup(hostname, options, callback as never);
};

/**
 * The socket factory for every connection: TLS 1.2 or later, certificates validated against the
 * machine's roots (Node's, the system store, NODE_EXTRA_CA_CERTS) plus the profile's CA bundle, always. There is deliberately no way to turn
 * validation off. A refused certificate becomes a tls_failed AppError naming its subject and why.
 */
export function createConnector(options: ConnectorOptions): buildConnector.connector {
  const ca = trustRoots(options.trustedCaPem ? [options.trustedCaPem] : []);
  const lookup = options.lookup ?? defaultLookup;
  const tlsOptions = { minVersion: 'TLSv1.2' as const, rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  // No TLS session resumption: a resumed session may not present the server certificate, and NTLM
  // channel binding (Extended Protection) needs it on every connection. Connections are kept alive,
  // so full handshakes are rare.
  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup, maxCachedSessions: 0, ...tlsOptions });
  return (opts, callback) => {
    connect(opts, (error, socket) => {
      if (!error) return callback(null, socket!);
      if (!isTlsVerificationError(error)) return callback(error, null);
      const host = opts.hostname;
      if (errorCode(error) === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        return callback(tlsError(host, error, describeCertificate((error as { cert?: never }).cert)), null);
      }
      const port = Number(opts.port) || 443;
      const servername = opts.servername || (isIP(host) ? undefined : host);
      void peekCertificate({ host, port, servername, lookup, ca }).then((cert) => callback(tlsError(host, error, cert), null));
    });
  };
}

/**
 * Reads the certificate a server presents, only to name it in an error after validation already
 * refused it on the real connection. This second handshake carries no request and no credentials
 * and is closed as soon as the certificate is read, so skipping verification here trusts nothing.
 */
function peekCertificate(target: {
  host: string;
  port: number;
  servername: string | undefined;
  lookup: LookupFunction;
  ca: string[] | undefined;
}): Promise<CertificateFacts | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      lookup: target.lookup,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: false,
      ...(target.servername ? { servername: target.servername } : {}),
      ...(target.ca ? { ca: target.ca } : {}),
    });
    const done = (cert: CertificateFacts | undefined): void => {
      socket.destroy();
      resolve(cert);
    };
    socket.setTimeout(5_000, () => done(undefined));
    socket.once('secureConnect', () => done(describeCertificate(socket.getPeerCertificate())));
    socket.once('error', () => done(undefined));
  });
}
