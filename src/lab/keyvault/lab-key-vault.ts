import { X509Certificate, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, systemRandom, type Clock, type Random } from '../../clock.ts';
import type { IssuedCert, LabCa } from '../tls/lab-ca.ts';
import { startLabHttpsServer } from '../tls/start-lab-https-server.ts';
import { toPfx } from '../tls/to-pfx.ts';
import type { LabEntra } from '../entra/lab-entra.ts';
import { applyFault, type LabFault } from '../entra/lab-fault.ts';

/**
 * An Azure Key Vault stand-in on 127.0.0.1 over HTTPS: certificates with versions, each with the
 * secret behind it (PFX or PEM, per the certificate policy), enabled flags, access policies (Get on
 * secrets and on certificates, checked separately as the real vault does), and the 401 Bearer
 * challenge naming the tenant's authority and the vault resource. Tokens are checked against the
 * lab Entra's keys. Response bodies follow the REST reference examples (api-version 7.4).
 * @see https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate/get-certificate
 */
export type LabKeyVault = {
  /** https://127.0.0.1:<port>/ (trailing slash, like vault URIs). */
  vaultUri: string;
  importCertificate(name: string, issued: IssuedCert, options?: { contentType?: 'application/x-pkcs12' | 'application/x-pem-file'; exportable?: boolean }): string;
  setEnabled(name: string, enabled: boolean, version?: string): void;
  /** Access policy of an application (by appid claim): Get on secrets and/or certificates. */
  setAccessPolicy(appId: string, permissions: { secrets?: Array<'get'>; certificates?: Array<'get'> }): void;
  setFault(fault: LabFault | undefined): void;
  requests: number;
  close(): Promise<void>;
};

type Version = { version: string; issued: IssuedCert; contentType: string; exportable: boolean; enabled: boolean; created: number; value?: string };

export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

export async function startLabKeyVault(options: { ca: LabCa; entra: LabEntra; tenantId: string; clock?: Clock; random?: Random; resource?: string }): Promise<LabKeyVault> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const resource = options.resource ?? KEY_VAULT_RESOURCE;
  const certificates = new Map<string, Version[]>();
  const policies = new Map<string, { secrets: Set<string>; certificates: Set<string> }>();
  let fault: LabFault | undefined;
  let base = '';
  let requests = 0;

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    requests++;
    if (fault && applyFault(fault, true, request, response, () => safeRoute(request, response))) return;
    safeRoute(request, response);
  };

  // A malformed request (bad percent-encoding, say) gets a 400, never a crashed lab.
  const safeRoute = (request: IncomingMessage, response: ServerResponse): void => {
    try {
      route(request, response);
    } catch {
      if (!response.headersSent) kvError(response, 400, 'BadParameter', 'The request is malformed.');
    }
  };

  const route = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', base);
    const [collection, rawName, rawVersion, ...rest] = url.pathname.split('/').filter(Boolean);
    if (request.method !== 'GET' || (collection !== 'certificates' && collection !== 'secrets') || !rawName || rest.length > 0) {
      return kvError(response, 404, 'NotFound', 'The requested resource was not found.');
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) return kvError(response, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    const auth = request.headers.authorization;
    const token = typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    const challenge = `Bearer authorization="${options.entra.url}/${options.tenantId}", resource="${resource}"`;
    if (token === undefined) {
      response.setHeader('www-authenticate', challenge);
      return kvError(response, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
    }
    const check = options.entra.verifyAccessToken(token, [resource]);
    if (!check.ok || check.claims.tid !== options.tenantId) {
      response.setHeader('www-authenticate', challenge);
      return kvError(response, 401, 'Unauthorized', check.ok ? `AKV10032: Invalid issuer. Expected one of ${options.entra.issuer(options.tenantId)}, found ${check.claims.iss}.` : `AKV10022: Invalid audience or token (${check.reason}).`);
    }
    const appId = check.claims.appid;
    const policy = policies.get(appId.toLowerCase());
    const permission = collection === 'certificates' ? policy?.certificates : policy?.secrets;
    if (!permission?.has('get')) {
      return kvError(response, 403, 'Forbidden', `The user, group or application 'appid=${appId};oid=${String(check.claims.oid)};iss=${check.claims.iss}' does not have ${collection} get permission on key vault 'lab;location=loopback'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`, 'AccessDenied');
    }
    const name = decodeURIComponent(rawName).toLowerCase();
    const versions = certificates.get(name);
    const entry = rawVersion === undefined ? versions?.at(-1) : versions?.find((v) => v.version === rawVersion);
    if (!entry) {
      return collection === 'certificates'
        ? kvError(response, 404, 'CertificateNotFound', `A certificate with (name/id) ${rawName}${rawVersion ? `/${rawVersion}` : ''} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command.`)
        : kvError(response, 404, 'SecretNotFound', `A secret with (name/id) ${rawName}${rawVersion ? `/${rawVersion}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`);
    }
    if (collection === 'secrets') {
      if (!entry.enabled) return kvError(response, 403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
      return sendJson(response, 200, secretBundle(base, name, entry));
    }
    return sendJson(response, 200, certificateBundle(base, name, entry));
  };

  const server = await startLabHttpsServer(options.ca.issueServerCert(['127.0.0.1', 'localhost']), handler);
  base = `${server.url}/`;
  return {
    vaultUri: base,
    importCertificate(name, issued, importOptions = {}) {
      const version = random.bytes(16).toString('hex');
      const list = certificates.get(name.toLowerCase()) ?? [];
      list.push({ version, issued, contentType: importOptions.contentType ?? 'application/x-pkcs12', exportable: importOptions.exportable ?? true, enabled: true, created: clock.now() });
      certificates.set(name.toLowerCase(), list);
      return version;
    },
    setEnabled(name, enabled, version) {
      const list = certificates.get(name.toLowerCase()) ?? [];
      const entry = version === undefined ? list.at(-1) : list.find((v) => v.version === version);
      if (!entry) throw new Error(`lab key vault: no certificate ${name}`);
      entry.enabled = enabled;
    },
    setAccessPolicy(appId, permissions) {
      policies.set(appId.toLowerCase(), { secrets: new Set(permissions.secrets ?? []), certificates: new Set(permissions.certificates ?? []) });
    },
    setFault(next) {
      fault = next;
    },
    get requests() {
      return requests;
    },
    close: () => server.close(),
  };
}

function certificateBundle(base: string, name: string, entry: Version): Record<string, unknown> {
  const x509 = new X509Certificate(entry.issued.certPem);
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const created = seconds(entry.created);
  return {
    id: `${base}certificates/${name}/${entry.version}`,
    kid: `${base}keys/${name}/${entry.version}`,
    sid: `${base}secrets/${name}/${entry.version}`,
    x5t: createHash('sha1').update(x509.raw).digest('base64url'),
    cer: x509.raw.toString('base64'),
    attributes: { enabled: entry.enabled, nbf: seconds(Date.parse(x509.validFrom)), exp: seconds(Date.parse(x509.validTo)), created, updated: created, recoveryLevel: 'Recoverable+Purgeable' },
    policy: {
      id: `${base}certificates/${name}/policy`,
      key_props: { exportable: entry.exportable, kty: 'RSA', key_size: x509.publicKey.asymmetricKeyDetails?.modulusLength ?? 2048, reuse_key: false },
      secret_props: { contentType: entry.contentType },
      x509_props: { subject: x509.subject.replace(/\n/g, ', '), ekus: [], key_usage: ['digitalSignature'], validity_months: 12 },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
      issuer: { name: 'Unknown' },
      attributes: { enabled: true, created, updated: created },
    },
  };
}

function secretBundle(base: string, name: string, entry: Version): Record<string, unknown> {
  // A non-exportable key stays in the vault: the secret then carries the certificate only.
  // Built once per version: packing a PFX runs forge's key derivation in JavaScript.
  entry.value ??= entry.contentType === 'application/x-pem-file'
    ? (entry.exportable ? entry.issued.keyPem : '') + entry.issued.certPem
    : toPfx(entry.exportable ? entry.issued : { certPem: entry.issued.certPem, keyPem: '' }).toString('base64');
  const value = entry.value;
  return {
    value,
    contentType: entry.contentType,
    id: `${base}secrets/${name}/${entry.version}`,
    kid: `${base}keys/${name}/${entry.version}`,
    managed: true,
    attributes: { enabled: entry.enabled, created: Math.floor(entry.created / 1000), updated: Math.floor(entry.created / 1000), recoveryLevel: 'Recoverable+Purgeable' },
  };
}

function kvError(response: ServerResponse, status: number, code: string, message: string, inner?: string): void {
  sendJson(response, status, { error: { code, message, ...(inner === undefined ? {} : { innererror: { code: inner } }) } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
