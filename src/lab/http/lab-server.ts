import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BearerVerifier, LabState } from '../lab-state.ts';
import { execute, ewsFault, isReply, prepare, type EwsReply } from '../ews/ews-endpoint.ts';
import { busyResponse } from '../ews/busy-response.ts';
import { envelope } from '../ews/soap.ts';
import { authenticate, type AuthScheme, type ExtendedProtection } from './authenticate.ts';
import { handleAutodiscover } from '../autodiscover/autodiscover-endpoint.ts';
import { getStreamingEvents, isStreaming } from '../ews/operations/get-streaming-events.ts';

export type LabServerOptions = {
  lab: LabState;
  authSchemes: readonly AuthScheme[];
  verifyBearer?: BearerVerifier;
  extendedProtection?: ExtendedProtection;
  /** Base URL clients reach the lab at (https://127.0.0.1:port). */
  baseUrl(): string;
};

const MAX_BODY = 50 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The request handler behind the lab's HTTPS server: EWS, Autodiscover, fault injection, throttling. */
export function labRequestHandler(options: LabServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { lab } = options;
  const requestOf = new WeakMap<ServerResponse, IncomingMessage>();
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`lab error: ${(error as Error).message}`);
      } else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.toLowerCase();
    if (path.startsWith('/autodiscover/') || path.startsWith('/redirected/autodiscover/')) {
      const body = req.method === 'POST' ? await readBody(req) : '';
      // Fault rules for operation 'Autodiscover' make an endpoint fail the way an unreachable or busy one does.
      const rule = lab.takeFault(['drop', 'http503', 'latency'], 'Autodiscover', undefined);
      if (rule?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (rule?.kind === 'http503') {
        res.writeHead(503, { 'Content-Type': 'text/html' });
        res.end('<html><body><h1>Service Unavailable</h1></body></html>');
        return;
      }
      if (rule?.kind === 'latency') await sleep(rule.latencyMs ?? 100);
      await handleAutodiscover({ lab, req, res, body, path, baseUrl: options.baseUrl(), authSchemes: options.authSchemes, verifyBearer: options.verifyBearer, extendedProtection: options.extendedProtection ?? 'allow' });
      return;
    }
    if (path !== '/ews/exchange.asmx') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' });
      res.end();
      return;
    }
    const body = await readBody(req);
    requestOf.set(res, req);
    const auth = await authenticate(lab, options.authSchemes, options.verifyBearer, req, res, options.extendedProtection);
    if (!auth.ok) return;
    const principal = auth.principal;
    const prelude = prepare(lab, principal, body);
    if (isReply(prelude)) {
      send(res, prelude, principal.name);
      return;
    }
    const rule = lab.takeFault(['drop', 'http503', 'serverBusy', 'serverBusyMessage', 'malformedXml', 'unauthorized', 'latency'], prelude.operation, prelude.mailbox);
    if (rule?.kind === 'drop') {
      record(res, principal.name, prelude.mailbox, prelude.operation, 0, []);
      req.socket.destroy();
      return;
    }
    if (rule?.kind === 'http503') {
      record(res, principal.name, prelude.mailbox, prelude.operation, 503, []);
      res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '1' });
      res.end('<html><body><h1>Service Unavailable</h1></body></html>');
      return;
    }
    if (rule?.kind === 'unauthorized') {
      record(res, principal.name, prelude.mailbox, prelude.operation, 401, []);
      res.writeHead(401, { 'WWW-Authenticate': options.authSchemes.map((s) => (s === 'Basic' ? 'Basic realm="exlab"' : s)), 'Content-Length': '0' });
      res.end();
      return;
    }
    if (rule?.kind === 'serverBusy') {
      const backOff = rule.backOffMs ?? 30000;
      send(res, ewsFault('ErrorServerBusy', 'The server cannot service this request right now. Try again later.', [['BackOffMilliseconds', String(backOff)]]), principal.name, prelude.operation, prelude.mailbox);
      return;
    }
    if (rule?.kind === 'serverBusyMessage') {
      const inner = busyResponse(prelude.operation, rule.backOffMs ?? 5000);
      send(res, { status: 200, body: envelope(lab.build, inner), operation: prelude.operation, mailbox: prelude.mailbox, codes: ['ErrorServerBusy'] }, principal.name);
      return;
    }
    if (isStreaming(prelude.operation)) {
      await getStreamingEvents(prelude.call, req, res);
      record(res, principal.name, prelude.mailbox, prelude.operation, 200, []);
      return;
    }
    // EWSMaxConcurrency: a connection counts from request receipt to response; the service account
    // has a budget per target mailbox (separate from the user's own) since Exchange 2010 SP2 RU4.
    // https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange
    // The refusal's text and values: https://github.com/OfficeDev/ews-managed-api/issues/293
    const budget = principal.smtp?.toLowerCase() === prelude.mailbox.toLowerCase() ? principal.name.toLowerCase() : `${principal.name.toLowerCase()}->${prelude.mailbox.toLowerCase()}`;
    const open = lab.inFlight.get(budget) ?? 0;
    if (open >= lab.maxConcurrency) {
      const limit = String(lab.maxConcurrency);
      send(
        res,
        ewsFault('ErrorExceededConnectionCount', 'You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed.', [
          ['Policy', 'MaxConcurrency'],
          ['MaxConcurrencyLimit', limit],
          ['ErrorMessage', `This operation exceeds the throttling budget for policy part 'MaxConcurrency', policy value '${limit}',  Budget type: 'Ews'.  Suggested backoff time 0 ms.`],
        ]),
        principal.name,
        prelude.operation,
        prelude.mailbox,
      );
      return;
    }
    lab.inFlight.set(budget, open + 1);
    const high = Math.max(lab.highWater.get(budget) ?? 0, open + 1);
    lab.highWater.set(budget, high);
    try {
      if (rule?.kind === 'latency') await sleep(rule.latencyMs ?? 100);
      if (lab.gate) await lab.gate;
      const reply = await execute(prelude);
      if (rule?.kind === 'malformedXml') {
        reply.body = reply.body.slice(0, Math.floor(reply.body.length / 2)) + '<t:Broken attr="';
      }
      send(res, reply, principal.name, prelude.operation, prelude.mailbox);
    } finally {
      lab.inFlight.set(budget, (lab.inFlight.get(budget) ?? 1) - 1);
    }
  }

  function record(res: ServerResponse, principal: string, mailbox: string | undefined, operation: string, status: number, codes: string[]): void {
    const req = requestOf.get(res);
    const h = req?.headers ?? {};
    const path = req?.url?.split('?')[0];
    const anchor = typeof h['x-anchormailbox'] === 'string' ? h['x-anchormailbox'] : undefined;
    const cookie = /X-BackEndOverrideCookie=([^;]+)/.exec(String(h['cookie'] ?? ''))?.[1];
    lab.requests.push({
      at: lab.clock.now(),
      principal,
      ...(mailbox ? { mailbox } : {}),
      operation,
      ...(path ? { path } : {}),
      httpStatus: status,
      responseCodes: codes,
      ...(anchor ? { anchorMailbox: anchor } : {}),
      ...(h['x-preferserveraffinity'] === 'true' ? { preferServerAffinity: true } : {}),
      ...(cookie ? { backEndCookie: cookie } : {}),
    });
  }

  /**
   * Affinity: with X-PreferServerAffinity the answer names the backend in X-BackEndOverrideCookie, as in
   * ews-samples/Subscribe-affinity-first-response.http.txt; the lab has one backend.
   */
  function affinityHeaders(res: ServerResponse): Record<string, string> {
    if (requestOf.get(res)?.headers['x-preferserveraffinity'] !== 'true') return {};
    const secure = options.baseUrl().startsWith('https:') ? ' secure;' : '';
    return { 'Set-Cookie': `X-BackEndOverrideCookie=EXLAB01.${lab.domain}~1941996295; path=/;${secure} HttpOnly` };
  }

  function send(res: ServerResponse, reply: EwsReply, principal: string, operation?: string, mailbox?: string): void {
    record(res, principal, reply.mailbox ?? mailbox, reply.operation ?? operation ?? 'unknown', reply.status, reply.codes);
    lab.replyLog?.push({ operation: reply.operation ?? operation ?? 'unknown', body: reply.body });
    // request-id and X-BEServer are what Exchange answers with; clients log them for support cases.
    res.writeHead(reply.status, { ...affinityHeaders(res), 'request-id': lab.random.uuid(), 'X-BEServer': 'EXLAB01', 'Content-Type': 'text/xml; charset=utf-8', 'X-Lab-Build': `${lab.build.major}.${lab.build.minor}.${lab.build.build}.${lab.build.revision}` });
    res.end(reply.body);
  }
}
