import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, systemRandom, type Clock, type Random } from '../../clock.ts';
import type { LabCa } from '../tls/lab-ca.ts';
import { startLabHttpsServer } from '../tls/start-lab-https-server.ts';
import { checkClientCredential, type EntraFailure } from './check-client-credential.ts';
import { LabDirectory, type LabTenant } from './lab-directory.ts';
import { rsaJwk, signRs256 } from './lab-jwt.ts';
import { verifyLabAccessToken, type JsonWebKeySet, type LabTokenCheck } from './verify-lab-access-token.ts';
import { applyFault, type LabFault } from './lab-fault.ts';

/**
 * A Microsoft Entra ID stand-in on 127.0.0.1 over HTTPS: the v2 (and v1) token endpoints for the
 * client credentials grant, the OpenID metadata and instance discovery msal-node reads, and the
 * signing keys (JWKS) resource servers use. Errors have Entra's published shape: error,
 * error_description starting "AADSTSnnnn:", error_codes, timestamp, trace_id, correlation_id, error_uri.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
export type LabEntra = {
  /** https://127.0.0.1:<port> */
  url: string;
  /** host:port, for msal's knownAuthorities. */
  host: string;
  directory: LabDirectory;
  jwks: JsonWebKeySet;
  issuer(tenantId: string): string;
  /** Checks a token this lab issued (for the lab's EWS, Graph and Key Vault). */
  verifyAccessToken(token: string, audiences: string[]): LabTokenCheck;
  setFault(fault: LabFault | undefined): void;
  /** Decoded client assertions received (header and claims; never the signature), newest last. */
  assertions: Array<{ header: Record<string, unknown>; payload: Record<string, unknown> }>;
  /** Parameter names of each token request (never values), newest last. */
  tokenRequestParameters: string[][];
  tokenRequests: number;
  close(): Promise<void>;
};

export type { LabFault } from './lab-fault.ts';

const TOKEN_LIFETIME_SECONDS = 3599;

export async function startLabEntra(options: { ca: LabCa; clock?: Clock; random?: Random }): Promise<LabEntra> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const directory = new LabDirectory(() => random.uuid());
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = random.bytes(12).toString('base64url');
  const jwks: JsonWebKeySet = { keys: [rsaJwk(signingKey, kid)] };
  const seenJti = new Map<string, number>();
  let fault: LabFault | undefined;
  let url = '';

  const state = { assertions: [] as LabEntra['assertions'], tokenRequestParameters: [] as string[][], tokenRequests: 0 };
  const issuer = (tenantId: string) => `${url}/${tenantId}/v2.0`;

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', url).pathname;
    const isToken = request.method === 'POST' && /\/oauth2\/(v2\.0\/)?token$/.test(path);
    if (fault && applyFault(fault, isToken, request, response, () => safeRoute(request, response, path))) return;
    safeRoute(request, response, path);
  };

  // A malformed request (bad percent-encoding, say) gets a 400, never a crashed lab.
  const safeRoute = (request: IncomingMessage, response: ServerResponse, path: string): void => {
    try {
      route(request, response, path);
    } catch {
      if (!response.headersSent) sendJson(response, 400, { error: 'invalid_request' });
    }
  };

  const route = (request: IncomingMessage, response: ServerResponse, path: string): void => {
    const segments = path.split('/').filter(Boolean);
    const context = { clock, random, request, response, url };
    if (request.method === 'GET' && path === '/common/discovery/instance') {
      return sendJson(response, 200, instanceDiscovery(url, new URL(request.url ?? '/', url).searchParams));
    }
    if (request.method === 'GET' && (path.endsWith('/discovery/v2.0/keys') || path.endsWith('/discovery/keys'))) {
      return sendJson(response, 200, jwks);
    }
    const tenantSegment = segments[0] ?? '';
    const tenant = directory.findTenant(decodeURIComponent(tenantSegment));
    if (request.method === 'GET' && /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(path)) {
      if (!tenant) return sendError(context, tenantNotFound(tenantSegment));
      return sendJson(response, 200, openIdConfiguration(url, tenantSegment, tenant));
    }
    if (request.method === 'POST' && /^\/[^/]+\/oauth2\/(v2\.0\/)?token$/.test(path)) {
      state.tokenRequests++;
      readForm(request)
        .then((form) => {
          state.tokenRequestParameters.push([...new Set(form.keys())]);
          const v2 = path.includes('/v2.0/');
          const result = issueToken({ form, v2, tenant, tenantSegment });
          if ('failure' in result) return sendError(context, result.failure);
          return sendJson(response, 200, result.body);
        })
        .catch(() => sendError(context, { status: 400, error: 'invalid_request', code: 900144, message: 'The request body could not be read.' }));
      return;
    }
    sendJson(response, 404, { error: 'not_found' });
  };

  const issueToken = (input: { form: URLSearchParams; v2: boolean; tenant: LabTenant | undefined; tenantSegment: string }):
    | { body: Record<string, unknown> }
    | { failure: EntraFailure } => {
    const { form, v2, tenant, tenantSegment } = input;
    if (!tenant) return { failure: tenantNotFound(tenantSegment) };
    if (form.get('grant_type') !== 'client_credentials') {
      return { failure: { status: 400, error: 'unsupported_grant_type', code: 70003, message: `The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.` } };
    }
    if (v2 && form.has('resource')) return { failure: { status: 400, error: 'invalid_request', code: 901002, message: "The 'resource' request parameter isn't supported." } };
    const clientId = form.get('client_id') ?? '';
    const app = tenant.apps.get(clientId.toLowerCase());
    if (!app) {
      return { failure: { status: 400, error: 'unauthorized_client', code: 700016, message: `Application with identifier '${clientId}' was not found in the directory '${tenant.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.` } };
    }
    if (app.disabled) return { failure: { status: 400, error: 'unauthorized_client', code: 7000112, message: `Application '${clientId}' is disabled.` } };
    const assertion = form.get('client_assertion');
    if (assertion !== null) {
      const decoded = decodeForLog(assertion);
      if (decoded) state.assertions.push(decoded);
    }
    const audiences = [tenantSegment, tenant.id, ...tenant.domains].flatMap((t) => [`${url}/${t}/oauth2/v2.0/token`, `${url}/${t}/oauth2/token`]);
    const credential = checkClientCredential({ app, form, audiences, nowMs: clock.now(), seenJti });
    if (!credential.ok) return { failure: credential.failure };
    const requested = v2 ? parseScope(form.get('scope')) : form.get('resource');
    if (requested === undefined || requested === null) {
      return { failure: { status: 400, error: 'invalid_scope', code: 70011, message: `The provided value for the input parameter 'scope' isn't valid. The scope ${form.get('scope') ?? ''} isn't valid. For client credentials, the scope must be a resource identifier with the .default suffix.` } };
    }
    const resource = directory.findResource(tenant, requested);
    if (!resource) {
      return { failure: { status: 400, error: 'invalid_resource', code: 500011, message: `The resource principal named ${requested} was not found in the tenant named ${tenant.id}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.` } };
    }
    const now = Math.floor(clock.now() / 1000);
    const roles = app.grants.get(resource.appId) ?? [];
    const claims: Record<string, unknown> = {
      aud: requested,
      iss: issuer(tenant.id),
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      appid: app.clientId,
      appidacr: credential.method === 'secret' ? '1' : '2',
      idtyp: 'app',
      oid: app.objectId,
      sub: app.objectId,
      tid: tenant.id,
      ver: '1.0',
      ...(roles.length > 0 ? { roles } : {}),
    };
    const accessToken = signRs256({ typ: 'JWT', alg: 'RS256', kid }, claims, signingKey as KeyObject);
    if (v2) return { body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: accessToken } };
    // The v1 endpoint answers with string-typed numbers and echoes the resource.
    return { body: { access_token: accessToken, token_type: 'Bearer', expires_in: String(TOKEN_LIFETIME_SECONDS), expires_on: String(now + TOKEN_LIFETIME_SECONDS), resource: requested } };
  };

  const server = await startLabHttpsServer(options.ca.issueServerCert(['127.0.0.1', 'localhost']), handler);
  url = server.url;
  return {
    url,
    host: `127.0.0.1:${server.port}`,
    directory,
    jwks,
    issuer,
    verifyAccessToken: (token, audiences) => verifyLabAccessToken(token, { jwks, audiences, clock }),
    setFault: (next) => {
      fault = next;
    },
    get assertions() {
      return state.assertions;
    },
    get tokenRequestParameters() {
      return state.tokenRequestParameters;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    close: () => server.close(),
  };
}

/** "https://x/.default" -> "https://x"; one resource only, as Entra requires for client credentials. */
function parseScope(scope: string | null): string | undefined {
  if (scope === null) return undefined;
  const parts = scope.split(' ').filter(Boolean);
  if (parts.length !== 1 || !parts[0]!.endsWith('/.default')) return undefined;
  return parts[0]!.slice(0, -'/.default'.length);
}

function tenantNotFound(tenant: string): EntraFailure {
  return { status: 400, error: 'invalid_request', code: 90002, message: `Tenant '${decodeURIComponent(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.` };
}

function openIdConfiguration(url: string, tenantSegment: string, tenant: LabTenant): Record<string, unknown> {
  const base = `${url}/${tenantSegment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${url}/${tenant.id}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'lab.dovetail',
  };
}

function instanceDiscovery(url: string, query: URLSearchParams): Record<string, unknown> {
  const host = new URL(url).host;
  const authorize = query.get('authorization_endpoint') ?? `${url}/common/oauth2/v2.0/authorize`;
  return {
    tenant_discovery_endpoint: authorize.replace(/oauth2\/v2\.0\/authorize$/, 'v2.0/.well-known/openid-configuration'),
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

function decodeForLog(assertion: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = assertion.split('.');
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendError(context: { clock: Clock; random: Random; request: IncomingMessage; response: ServerResponse; url: string }, failure: EntraFailure): void {
  const timestamp = new Date(context.clock.now()).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  const traceId = context.random.uuid();
  const header = context.request.headers['client-request-id'];
  const correlationId = typeof header === 'string' && header.length > 0 ? header : context.random.uuid();
  sendJson(context.response, failure.status, {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${context.url}/error?code=${failure.code}`,
  });
}
