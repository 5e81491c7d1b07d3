import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, systemRandom, type Clock, type Random } from '../../clock.ts';
import { createLabCa, startLabHttpsServer, type LabCa, type LabHttpsServer } from '../tls/lab-ca.ts';
import { DeltaTokens } from './delta-tokens.ts';
import { GraphLabState, type LabUser } from './graph-lab-state.ts';
import { LabHttpError, type LabContext, type LabRequest, type LabResponse, type LabRoute } from './lab-route.ts';
import { mailRoutes } from './mail-routes.ts';
import { actRoutes } from './act-routes.ts';
import { userRoutes } from './user-routes.ts';
import { UploadSessions } from './upload-sessions.ts';
import { Subscriptions, type NotificationRecord } from './subscriptions.ts';
import { runBatch } from './batch-route.ts';
import { GraphLabControl } from './graph-lab-control.ts';
import type { LabSend } from './mail-delivery.ts';

/**
 * The lab's Microsoft Graph: the part of Exchange Online Dovetail uses, over HTTPS on 127.0.0.1 with a
 * certificate from the lab CA. Bearer tokens are checked by an injected verifier (the lab's Entra ID
 * issues them), permissions by the token's roles, mailbox scoping by an injected access policy.
 * Exchange Online's per-app-and-mailbox limit of 4 concurrent requests is enforced (429
 * ApplicationThrottled beyond it) and its high-water mark recorded.
 */
export type VerifiedToken = { appId: string; roles: readonly string[] };

export type GraphLabOptions = {
  /** The lab CA; one is created when absent. */
  ca?: LabCa;
  verifyToken: (token: string) => VerifiedToken | null | Promise<VerifiedToken | null>;
  /** Application access policy / RBAC for Applications: whether the app may open the mailbox. Default: yes. */
  mailboxAccess?: (appId: string, mailbox: string) => boolean;
  clock?: Clock;
  random?: Random;
  /** Added to every mailbox request while it holds a concurrency slot, so parallel calls overlap. */
  latencyMs?: number;
  maxConcurrentPerMailbox?: number;
  /** CA the lab trusts when it calls notification URLs (Dovetail's webhook endpoint). */
  notificationCaPem?: string;
  tenantId?: string;
};

export type GraphLab = GraphLabControl & {
  url: string;
  /** Change notifications the lab POSTed, with the status the endpoint answered. */
  notifications: NotificationRecord[];
  caCertPem: string;
  close(): Promise<void>;
};

export async function startGraphLab(options: GraphLabOptions): Promise<GraphLab> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const ca = options.ca ?? (await createLabCa());
  const state = new GraphLabState(clock, random);
  const tokens = new DeltaTokens(random.bytes(32));
  const sends: LabSend[] = [];
  const uploads = new UploadSessions(state);
  let server: LabHttpsServer | undefined;
  const baseUrl = (): string => server?.url ?? 'https://127.0.0.1';
  const subscriptions = new Subscriptions(state, {
    baseUrl,
    tenantId: options.tenantId ?? '00000000-0000-4000-8000-000000000001',
    ...(options.notificationCaPem === undefined ? {} : { caPem: options.notificationCaPem }),
  });
  const ctx: LabContext = { state, tokens, baseUrl };
  const routes: LabRoute[] = [...userRoutes(), ...mailRoutes(sends), uploads.route(baseUrl), ...actRoutes(), ...subscriptions.routes()];
  const control = new GraphLabControl(state, sends, uploads.records, options.maxConcurrentPerMailbox ?? 4, options.latencyMs ?? 0);

  const dispatch = async (req: LabRequest, app: VerifiedToken): Promise<LabResponse> => {
    const match = findRoute(routes, req);
    if (match === undefined) throw new LabHttpError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`);
    const [route, params] = match;
    if (route.roles.length > 0 && !route.roles.some((role) => app.roles.includes(role))) {
      throw new LabHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    if (!route.mailbox) return route.handle(ctx, req, undefined, params);
    const key = decodeURIComponent(params[0]!);
    const user = state.user(key);
    if (user === undefined) throw new LabHttpError(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`);
    if (user.onPremises) {
      throw new LabHttpError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
    }
    if (options.mailboxAccess !== undefined && !options.mailboxAccess(app.appId, user.mail)) {
      // The text Exchange Online gives when an application access policy excludes the mailbox.
      throw new LabHttpError(403, 'ErrorAccessDenied', 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.');
    }
    return control.admit(app.appId, user, () => route.handle(ctx, req, user, params.slice(1)));
  };

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, errorResponse(error, clock, random, request));
      else response.destroy();
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const rawBody = await readBody(request);
    const headers = lowerHeaders(request.headers);
    if (url.pathname.startsWith('/upload/') && request.method === 'PUT') {
      send(response, uploads.put(url.pathname.slice('/upload/'.length), url.searchParams, headers, rawBody));
      return;
    }
    if (!url.pathname.startsWith('/v1.0/')) throw new LabHttpError(400, 'BadRequest', 'Invalid version: use /v1.0.');
    const bearer = /^Bearer (.+)$/i.exec(headers['authorization'] ?? '')?.[1];
    const app = bearer === undefined ? null : await options.verifyToken(bearer);
    if (app === null) throw new LabHttpError(401, 'InvalidAuthenticationToken', bearer === undefined ? 'Access token is empty.' : 'Access token validation failure.');
    const req: LabRequest = {
      method: request.method ?? 'GET',
      path: url.pathname.slice('/v1.0'.length),
      query: url.searchParams,
      headers,
      body: parseJson(rawBody, headers['content-type']),
      rawBody,
      appId: app.appId,
      roles: app.roles,
    };
    if (req.path === '/$batch' && req.method === 'POST') {
      send(response, await runBatch(req, (item) => dispatch(item, app).catch((error: unknown) => errorResponse(error, clock, random, request))));
      return;
    }
    send(response, await dispatch(req, app));
  };

  server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), handler);
  const started = server;
  return Object.assign(control, {
    url: started.url,
    caCertPem: ca.caCertPem,
    notifications: subscriptions.notifications,
    close: async () => {
      subscriptions.stop();
      await started.close();
    },
  });
}

function findRoute(routes: LabRoute[], req: LabRequest): [LabRoute, string[]] | undefined {
  for (const route of routes) {
    if (route.method !== req.method) continue;
    const match = route.pattern.exec(req.path);
    if (match !== null) return [route, match.slice(1).map((p) => p ?? '')];
  }
  return undefined;
}

/** Graph's error shape: { error: { code, message, innerError: { date, request-id, client-request-id } } }. */
export function errorResponse(error: unknown, clock: Clock, random: Random, request: { headers: IncomingMessage['headers'] }): LabResponse {
  const known = error instanceof LabHttpError ? error : new LabHttpError(500, 'InternalServerError', 'The lab failed to process the request.');
  const clientRequestId = request.headers['client-request-id'];
  return {
    status: known.status,
    headers: known.headers,
    body: {
      error: {
        code: known.code,
        message: known.message,
        innerError: {
          date: new Date(clock.now()).toISOString().slice(0, 19),
          'request-id': random.uuid(),
          'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : random.uuid(),
        },
      },
    },
  };
}

function send(response: ServerResponse, result: LabResponse): void {
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  let payload: Buffer | undefined;
  if (result.raw !== undefined) {
    headers['content-type'] = result.raw.contentType;
    payload = result.raw.bytes;
  } else if (result.body !== undefined) {
    headers['content-type'] = 'application/json; odata.metadata=minimal; charset=utf-8';
    payload = Buffer.from(JSON.stringify(result.body));
  }
  response.writeHead(result.status, headers);
  response.end(payload);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 8 * 1024 * 1024) throw new LabHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0 || !(contentType ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new LabHttpError(400, 'BadRequest', 'Unable to read JSON request payload.');
  }
}

function lowerHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export type { LabUser };
