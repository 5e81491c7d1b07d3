import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { systemClock, systemRandom, type Clock, type Random } from '../clock.ts';
import { createLabCa, startLabHttpsServer, type IssuedCert, type LabCa } from './tls/lab-ca.ts';
import { LabApi } from './lab-api.ts';
import { LabState, type BearerVerifier, type ServiceAccount } from './lab-state.ts';
import type { ServerBuild } from './ews/soap.ts';
import type { AuthScheme, ExtendedProtection } from './http/authenticate.ts';
import { labRequestHandler } from './http/lab-server.ts';

export type LabUser = { smtp: string; displayName: string; userName?: string; password: string };

export type LabOptions = {
  /** The lab's mail domain (default contoso.lab). */
  domain?: string;
  port?: number;
  /** Where the lab CA is kept (reused across runs); in memory when absent. */
  dataDir?: string;
  /** Plain HTTP instead of HTTPS: only behind this explicit flag. */
  insecureHttp?: boolean;
  authSchemes?: AuthScheme[];
  /** NTLM channel bindings: checked when sent ('allow', default), required, or ignored. */
  extendedProtection?: ExtendedProtection;
  /** Verifies Bearer tokens (e.g. the lab Entra's verifyLabAccessToken). */
  verifyBearer?: BearerVerifier;
  /** Mailbox users; default: a small org (see DEFAULT_USERS). */
  users?: LabUser[];
  serviceAccounts?: ServiceAccount[];
  build?: ServerBuild;
  clock?: Clock;
  random?: Random;
};

export type LabHandle = {
  baseUrl: string;
  ewsUrl: string;
  autodiscoverUrl: string;
  autodiscoverXmlUrl: string;
  caCertPem: string;
  /** Path of the CA certificate when dataDir was given. */
  caCertPath?: string;
  domain: string;
  users: LabUser[];
  serviceAccounts: ServiceAccount[];
  api: LabApi;
  state: LabState;
  close(): Promise<void>;
};

export function defaultUsers(domain: string): LabUser[] {
  return [
    { smtp: `alex.wilber@${domain}`, displayName: 'Alex Wilber', userName: 'alexw', password: 'Lab-Alex-2026!' },
    { smtp: `megan.bowen@${domain}`, displayName: 'Megan Bowen', userName: 'meganb', password: 'Lab-Megan-2026!' },
    { smtp: `sales@${domain}`, displayName: 'Sales Queue', userName: 'sales', password: 'Lab-Sales-2026!' },
  ];
}

export function defaultServiceAccounts(domain: string): ServiceAccount[] {
  return [
    { userName: 'svc-dovetail', password: 'Lab-Service-2026!', impersonation: 'all' },
    { userName: 'svc-limited', password: 'Lab-Limited-2026!', impersonation: [`alex.wilber@${domain}`] },
  ];
}

/**
 * Starts the Exchange lab: EWS at /EWS/Exchange.asmx and Autodiscover (SOAP and POX) on
 * 127.0.0.1 over HTTPS with the lab CA. Redirect cases: addresses @legacy.<domain> answer
 * RedirectAddress to @<domain>; addresses @fabrikam.lab answer RedirectUrl to /redirected/….
 */
export async function startLab(options: LabOptions = {}): Promise<LabHandle> {
  const domain = (options.domain ?? 'contoso.lab').toLowerCase();
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const state = new LabState({ domain, clock, random, ...(options.build ? { build: options.build } : {}) });
  const users = options.users ?? defaultUsers(domain);
  for (const u of users) state.addMailbox({ smtp: u.smtp, displayName: u.displayName, userName: u.userName ?? u.smtp.split('@')[0]!, password: u.password });
  const serviceAccounts = options.serviceAccounts ?? defaultServiceAccounts(domain);
  for (const s of serviceAccounts) state.addServiceAccount(s);
  state.redirectAddressDomains.set(`legacy.${domain}`, domain);
  state.redirectUrlDomains.add('fabrikam.lab');

  const authSchemes = options.authSchemes ?? (options.verifyBearer ? ['NTLM', 'Basic', 'Bearer'] : ['NTLM', 'Basic']);
  let baseUrl = '';
  const handler = labRequestHandler({
    lab: state,
    authSchemes,
    ...(options.verifyBearer ? { verifyBearer: options.verifyBearer } : {}),
    ...(options.extendedProtection ? { extendedProtection: options.extendedProtection } : {}),
    baseUrl: () => baseUrl,
  });

  // Certificates come from the system clock: TLS peers judge validity by real time.
  const ca = options.dataDir ? await createLabCa({ dir: join(options.dataDir, 'ca') }) : await inMemoryCa();
  let close: () => Promise<void>;
  let setCertificate: (which: 'valid' | 'expired') => void;
  if (options.insecureHttp) {
    const server: HttpServer = createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    setCertificate = () => {
      throw new Error('the lab runs plain HTTP: no certificate to change');
    };
  } else {
    const valid = options.dataDir ? ca.issueServerCert(serverNames(domain)) : await inMemoryServerCert(ca, domain);
    let expired: { certPem: string; keyPem: string } | undefined;
    const https = await startLabHttpsServerOnPort(valid, handler, options.port ?? 0);
    baseUrl = https.url;
    close = https.close;
    setCertificate = (which) => {
      if (which === 'expired') {
        const now = systemClock.now();
        expired ??= ca.issueServerCert(['127.0.0.1', 'localhost'], { notBefore: new Date(now - 30 * 86_400_000), notAfter: new Date(now - 86_400_000) });
        https.server.setSecureContext({ cert: expired.certPem, key: expired.keyPem });
      } else https.server.setSecureContext({ cert: valid.certPem, key: valid.keyPem });
    };
  }
  const api = new LabApi(state, (which) => setCertificate(which));
  const handle: LabHandle = {
    baseUrl,
    ewsUrl: `${baseUrl}/EWS/Exchange.asmx`,
    autodiscoverUrl: `${baseUrl}/autodiscover/autodiscover.svc`,
    autodiscoverXmlUrl: `${baseUrl}/autodiscover/autodiscover.xml`,
    caCertPem: ca.caCertPem,
    domain,
    users,
    serviceAccounts,
    api,
    state,
    close: () => close(),
  };
  if (options.dataDir) handle.caCertPath = join(options.dataDir, 'ca', 'lab-ca-cert.pem');
  return handle;
}

/** startLabHttpsServer listens on an ephemeral port; the CLI may ask for a fixed one. */
async function startLabHttpsServerOnPort(
  cert: { certPem: string; keyPem: string },
  handler: Parameters<typeof startLabHttpsServer>[1],
  port: number,
): Promise<{ server: HttpsServer; url: string; close(): Promise<void> }> {
  if (port === 0) return startLabHttpsServer(cert, handler);
  const { createServer } = await import('node:https');
  const server = createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.2' }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    url: `https://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function serverNames(domain: string): string[] {
  return ['127.0.0.1', 'localhost', `mail.${domain}`, `autodiscover.${domain}`];
}

/**
 * Labs without a data directory (tests) share one CA and one certificate per domain within a process:
 * RSA key generation is most of a lab's start-up time.
 */
let memoryCa: Promise<LabCa> | undefined;
const memoryCerts = new Map<string, IssuedCert>();

function inMemoryCa(): Promise<LabCa> {
  memoryCa ??= createLabCa();
  return memoryCa;
}

async function inMemoryServerCert(ca: LabCa, domain: string): Promise<IssuedCert> {
  let cert = memoryCerts.get(domain);
  if (!cert) {
    cert = ca.issueServerCert(serverNames(domain));
    memoryCerts.set(domain, cert);
  }
  return cert;
}
