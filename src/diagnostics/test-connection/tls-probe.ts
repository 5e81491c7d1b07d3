/**
 * The tls step: a TLS handshake with the server Dovetail is about to talk to, through the very
 * connector real traffic uses (TLS 1.2+, system roots plus the profile's CA bundle, validation always
 * on), so a refused certificate is named here, with its subject and reason, before any credential is
 * sent. No request is written; the socket is closed at once.
 */
import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createConnector } from '../../exchange/ews/transport-connector.ts';
import { networkError } from '../../exchange/ews/transport-errors.ts';
import type { StepOutcome } from './steps.ts';

export async function probeTls(url: string, options: { trustedCaPem?: string; lookup?: LookupFunction; timeoutMs: number }): Promise<StepOutcome> {
  const target = new URL(url);
  if (target.protocol !== 'https:') {
    return { ok: false, detail: `${url} is not an HTTPS URL; Dovetail only connects over TLS.`, remedy: 'Use the https:// address of the server.' };
  }
  const connector = createConnector({
    connectTimeoutMs: options.timeoutMs,
    ...(options.trustedCaPem === undefined ? {} : { trustedCaPem: options.trustedCaPem }),
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
  });
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    connector({ hostname: target.hostname, host: target.host, port: target.port || '443', protocol: 'https:', servername: '' } as never, (error, s) => {
      if (error) reject(networkError(target, error));
      else resolve(s as TLSSocket);
    });
  });
  try {
    const cert = socket.getPeerCertificate();
    const subject = distinguishedName(cert.subject) ?? 'unknown subject';
    const cipher = socket.getCipher();
    // The handshake is this step's request and response: what was asked for and what the server showed.
    const trace = [
      `> TLS ClientHello to ${target.host} (server name ${target.hostname}, TLS 1.2 or later)`,
      `< ${socket.getProtocol() ?? 'TLS'}, cipher ${cipher.name}`,
      `< certificate subject: ${subject}`,
      `< issuer: ${distinguishedName(cert.issuer) ?? 'unknown'}`,
      ...(cert.subjectaltname === undefined ? [] : [`< subject alternative names: ${cert.subjectaltname}`]),
      `< valid from ${cert.valid_from} to ${cert.valid_to}`,
      `< SHA-256 fingerprint: ${cert.fingerprint256}`,
    ].join('\n');
    return { ok: true, detail: `${target.host} presented a trusted certificate "${subject}" (valid until ${cert.valid_to}) over ${socket.getProtocol() ?? 'TLS'}.`, trace };
  } finally {
    socket.destroy();
  }
}

function distinguishedName(name: Record<string, unknown> | undefined): string | undefined {
  return name === undefined ? undefined : Object.entries(name).map(([k, v]) => `${k}=${String(v)}`).join(', ');
}
