/**
 * HTTP for EWS and Autodiscover: keep-alive connections (undici), TLS that always validates,
 * and the three ways Exchange Server accepts credentials: Basic, NTLMv2 (our own, src/auth/ntlm)
 * and Bearer tokens (Hybrid Modern Auth). Failures before a response are AppErrors that name the
 * step (dns_failed, connect_failed, tls_failed, timeout); a refused login is auth_failed and names
 * the schemes the server offers. Every other HTTP status is returned to the caller.
 */
import type { LookupFunction } from 'node:net';
import type { TokenSource } from '../../auth/token-source.ts';
import type { Clock, Random } from '../../clock.ts';
import { basicAuthorization } from '../../auth/basic.ts';
import { AppError, isAppError } from '../../errors.ts';
import { report, type ExchangeOutcome, type ExchangeRequestObserver } from '../../observability/exchange-requests.ts';
import { createConnector } from './transport-connector.ts';
import { authFailed, isDroppedConnection, networkError } from './transport-errors.ts';
import { ntlmExchange, type NtlmState } from './transport-ntlm.ts';
import { type Dispatch, drain, type RawResponse } from './transport-response.ts';
import { type Connection, createConnectionPool } from './transport-pool.ts';
import { ewsOperation, ThrottleScanner } from './transport-throttle.ts';

export type EwsAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'ntlm'; username: string; password: string; domain: string; workstation?: string }
  | { type: 'bearer'; tokens: TokenSource };

export type HttpRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
};

/**
 * Header names lower-cased; repeated headers joined with ", " (Set-Cookie with "\n"). The body must be
 * consumed or discarded by the caller (streamed, so a large response is never buffered whole).
 */
export type HttpResponse = { status: number; headers: Record<string, string>; body: AsyncIterable<Uint8Array> };

export interface EwsTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export type EwsTransportOptions = {
  auth: EwsAuth;
  trustedCaPem?: string;
  maxConnections: number;
  allowInsecureHttp?: boolean;
  clock: Clock;
  random: Random;
  /** Name resolution (defaults to the system resolver); the lab and tests point names at 127.0.0.1 with it. */
  lookup?: LookupFunction;
  /** Time allowed to open a connection (TCP + TLS); defaults to 30 s. */
  connectTimeoutMs?: number;
  /** Told of every request sent: operation, latency to the response head, throttling (src/observability). */
  requests?: ExchangeRequestObserver;
};

export function createEwsTransport(options: EwsTransportOptions): EwsTransport {
  const pool = createConnectionPool({
    maxConnections: options.maxConnections,
    connector: createConnector({
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
      ...(options.trustedCaPem ? { trustedCaPem: options.trustedCaPem } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    }),
  });
  const ntlmState: NtlmState = { credentialsProven: false, rejectionsInARow: 0 };
  const auth = options.auth;

  const dispatcher = (connection: Connection, url: URL, request: HttpRequest, signal: AbortSignal): Dispatch => {
    return async (extraHeaders, body) => {
      const response = await connection.client.request({
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...request.headers, ...extraHeaders },
        body,
        signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      return { status: response.statusCode, rawHeaders: response.headers, body: response.body };
    };
  };

  /** Sends once more on a fresh socket when the server had closed the kept-alive one under us. */
  const withReconnect = async (send: () => Promise<RawResponse>, signal: AbortSignal): Promise<RawResponse> => {
    try {
      return await send();
    } catch (error) {
      if (!isDroppedConnection(error) || signal.aborted) throw error;
      return send();
    }
  };

  const authenticated = async (connection: Connection, url: URL, request: HttpRequest, signal: AbortSignal): Promise<RawResponse> => {
    const dispatch = dispatcher(connection, url, request, signal);
    switch (auth.type) {
      case 'basic': {
        const header = { authorization: basicAuthorization(auth.username, auth.password) };
        const response = await withReconnect(() => dispatch(header, request.body), signal);
        if (response.status !== 401) return response;
        await drain(response);
        throw authFailed(url, 'Basic', response.rawHeaders['www-authenticate'], `the server refused the Basic credentials of ${auth.username}`);
      }
      case 'bearer': {
        const token = await auth.tokens.getToken();
        const response = await withReconnect(() => dispatch({ authorization: `Bearer ${token.token}` }, request.body), signal);
        if (response.status !== 401) return response;
        await drain(response);
        // The token may have been revoked or expired early: ask the token source for a new one, once.
        const fresh = await auth.tokens.getToken({ forceRefresh: true });
        const retried = await withReconnect(() => dispatch({ authorization: `Bearer ${fresh.token}` }, request.body), signal);
        if (retried.status !== 401) return retried;
        await drain(retried);
        throw authFailed(url, 'Bearer', retried.rawHeaders['www-authenticate'], 'the server refused a freshly issued access token');
      }
      case 'ntlm':
        return ntlmExchange({ connection, url, dispatch, request, signal, auth, state: ntlmState, clock: options.clock, random: options.random });
    }
  };

  return {
    async send(request) {
      if (!URL.canParse(request.url)) {
        throw new AppError('invalid_url', 'The EWS/Autodiscover URL is not a valid absolute URL', { kind: 'invalid-input' });
      }
      const url = new URL(request.url);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowInsecureHttp)) {
        throw new AppError('insecure_url_refused', `Refusing ${url.protocol} URL ${url.origin}: only https is allowed`, {
          kind: 'invalid-input',
          details: { url: url.origin },
        });
      }
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new AppError('timeout', `No answer from ${url.origin} within ${request.timeoutMs} ms`, { kind: 'transient', details: { host: url.host } }));
      }, request.timeoutMs);
      const onCallerAbort = (): void => controller.abort(request.signal?.reason);
      if (request.signal?.aborted) onCallerAbort();
      request.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onCallerAbort);
      };
      const cancelled = (): AppError => new AppError('aborted', `Request to ${url.origin} was cancelled`, { kind: 'transient', cause: request.signal?.reason });

      let startedAt = options.clock.now();
      const observed = (outcome: ExchangeOutcome, throttled: number, latencyMs: number): void =>
        report(options.requests, { provider: 'ews', operation: ewsOperation(request, url), outcome, latencyMs, throttled });
      let connection: Connection | undefined;
      try {
        connection = await pool.acquire(url.origin, controller.signal);
        // Latency is Exchange's: the wait for a free connection of our own pool is not counted.
        startedAt = options.clock.now();
        const response = await authenticated(connection, url, request, controller.signal);
        // The timeout covers the wait for the response head; while the body streams, undici's
        // bodyTimeout bounds each pause and the caller's signal still cancels.
        clearTimeout(timer);
        const latencyMs = options.clock.now() - startedAt;
        // Reported once the body is read: a throttling ResponseCode may be in it.
        const scanner = options.requests !== undefined && (response.status === 200 || response.status === 500) ? new ThrottleScanner() : undefined;
        const watch: BodyWatch = {
          chunk: (c) => scanner?.push(c),
          end: (failed) => {
            const throttled = response.status === 503 ? 1 : (scanner?.count ?? 0);
            const outcome: ExchangeOutcome = throttled > 0 ? 'throttled' : failed || response.status >= 400 ? 'error' : 'ok';
            observed(outcome, throttled, latencyMs);
          },
        };
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.rawHeaders)) {
          // Repeated headers are joined with ", " (RFC 9110), except Set-Cookie, whose values contain
          // commas (Expires=Wed, …): those are joined with "\n", which no header value can contain.
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(name.toLowerCase() === 'set-cookie' ? '\n' : ', ') : value;
        }
        const release = pool.release.bind(null, connection);
        return {
          status: response.status,
          headers,
          body: releasing(response.body, (error) => (request.signal?.aborted ? cancelled() : networkError(url, error)), () => {
            cleanup();
            release();
          }, watch),
        };
      } catch (error) {
        cleanup();
        if (connection) pool.release(connection);
        const failure: unknown = timedOut ? controller.signal.reason : request.signal?.aborted ? cancelled() : networkError(url, error);
        const throttled = isAppError(failure) && failure.kind === 'throttled' ? 1 : 0;
        observed(throttled > 0 ? 'throttled' : 'error', throttled, options.clock.now() - startedAt);
        throw failure;
      }
    },
    close: () => pool.close(),
  };
}

/** Sees the body as it streams, and hears when it ended (failed: not read to the end). */
type BodyWatch = { chunk(chunk: Uint8Array): void; end(failed: boolean): void };

/** Yields the body and gives the connection back once it is read to the end, fails, or is abandoned. */
async function* releasing(body: RawResponse['body'], mapError: (error: unknown) => Error, release: () => void, watch: BodyWatch): AsyncGenerator<Uint8Array> {
  let complete = false;
  try {
    for await (const chunk of body) {
      watch.chunk(chunk);
      yield chunk;
    }
    complete = true;
  } catch (error) {
    throw mapError(error);
  } finally {
    if (!complete) body.destroy();
    release();
    watch.end(!complete);
  }
}
