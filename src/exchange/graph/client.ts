import { Agent, request as undiciRequest } from 'undici';
import type { Clock, Random } from '../../clock.ts';
import type { TokenSource } from '../../auth/token-source.ts';
import { AppError, toError } from '../../errors.ts';
import { operationLabel, report, type ExchangeRequestObserver } from '../../observability/exchange-requests.ts';
import { graphError, parseRetryAfter } from './error-codes.ts';
import { MailboxSemaphore } from './mailbox-semaphore.ts';
import { RequestBudget, defaultRequestBudget, type RequestBudgetOptions } from './request-budget.ts';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicyOptions } from './retry-policy.ts';

/**
 * A small Microsoft Graph client on undici (DESIGN.md section 4): one per email server profile.
 * Every call names the mailbox it touches, because Exchange Online's limits are per app and mailbox:
 * at most 4 requests in flight (MailboxSemaphore), a request budget per window (RequestBudget),
 * Retry-After honoured on 429/503/504, bounded retries with jitter, a timeout on every call, and one
 * token refresh after a 401.
 */
export type GraphClientOptions = {
  /** The cloud's Graph root, e.g. https://graph.microsoft.com (src/auth/clouds.ts), or the lab's URL. */
  root: string;
  tokens: TokenSource;
  clock: Clock;
  random: Random;
  /** PEM of the only CA to trust (the lab's); absent = the system's roots. Validation is never turned off. */
  trustedCaPem?: string;
  timeoutMs?: number;
  maxConcurrentPerMailbox?: number;
  budget?: RequestBudgetOptions;
  /** Bytes uploaded (POST/PATCH/PUT bodies) per mailbox and window. */
  uploadBudget?: RequestBudgetOptions;
  retry?: RetryPolicyOptions;
  /** How to wait; tests pass one that records the waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Told of every request sent: operation, latency to the response head, throttling (src/observability). */
  requests?: ExchangeRequestObserver;
};

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type GraphRequest = {
  method: GraphMethod;
  /** A path under /v1.0 ("/users/a@b/messages"), or an absolute URL Graph gave us (nextLink, deltaLink). */
  path: string;
  /** The mailbox the request touches: the key of the concurrency and budget limits. */
  mailbox: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body, or raw bytes with their content type in `headers`. */
  body?: unknown;
  /** For upload-session URLs, which carry their own credential: no Authorization header is sent. */
  anonymous?: boolean;
};

export type GraphResponse = {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON; otherwise undefined (see `raw`). */
  body: unknown;
  raw: Buffer;
};

export const graphVersion = 'v1.0';

/**
 * Exchange Online accepts 15 MB of uploads (PATCH, POST, PUT) per app and mailbox in 30 seconds
 * (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits); we pace at 12 MB.
 */
export const defaultUploadBudget: RequestBudgetOptions = { burst: 12 * 1024 * 1024, refill: 12 * 1024 * 1024, perMs: 30_000 };

function bodyBytes(body: unknown): number {
  if (body === undefined) return 0;
  if (Buffer.isBuffer(body)) return body.length;
  return Buffer.byteLength(JSON.stringify(body));
}

export class GraphClient {
  readonly root: string;
  readonly #options: GraphClientOptions;
  readonly #agent: Agent;
  readonly #semaphore: MailboxSemaphore;
  readonly #budget: RequestBudget;
  readonly #uploadBudget: RequestBudget;
  readonly #retry: RetryPolicyOptions;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: GraphClientOptions) {
    const root = new URL(options.root);
    if (root.protocol !== 'https:') throw new AppError('graph_root_invalid', 'The Graph root must be an https URL.', { kind: 'invalid-input' });
    this.root = root.origin;
    this.#options = options;
    this.#agent = new Agent({
      connect: options.trustedCaPem === undefined ? {} : { ca: options.trustedCaPem },
      keepAliveTimeout: 30_000,
    });
    this.#semaphore = new MailboxSemaphore(options.maxConcurrentPerMailbox ?? 4);
    this.#budget = new RequestBudget(options.clock, options.budget ?? defaultRequestBudget);
    this.#uploadBudget = new RequestBudget(options.clock, options.uploadBudget ?? defaultUploadBudget);
    this.#retry = options.retry ?? defaultRetryPolicy;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get maxConcurrentPerMailbox(): number {
    return this.#semaphore.limit;
  }

  /** Waits before retrying part of a $batch, the same way a single request waits. */
  async backOff(attempt: number, retryAfterMs: number | undefined): Promise<void> {
    await this.#sleep(retryDelayMs(attempt, retryAfterMs, this.#options.random, this.#retry));
  }

  get maxRetries(): number {
    return this.#retry.maxRetries;
  }

  now(): number {
    return this.#options.clock.now();
  }

  /** Sends one request; throws an AppError (kind from error-codes.ts) for any non-2xx answer left after retries. */
  async request(req: GraphRequest): Promise<GraphResponse> {
    return this.send(req, 1, 1);
  }

  /**
   * The retry loop shared by single requests and $batch: `permits` concurrency slots and `cost`
   * budget units are held for each attempt.
   */
  async send(req: GraphRequest, permits: number, cost: number): Promise<GraphResponse> {
    const url = this.#resolve(req);
    let refreshed = false;
    let forceRefresh = false;
    for (let attempt = 1; ; attempt++) {
      await this.#spend(this.#budget, req.mailbox, cost);
      const uploadBytes = bodyBytes(req.body);
      if (uploadBytes > 0) await this.#spend(this.#uploadBudget, req.mailbox, uploadBytes);
      const release = await this.#semaphore.acquire(req.mailbox, permits);
      let response: GraphResponse;
      try {
        response = await this.#once(req, url, forceRefresh);
        forceRefresh = false;
      } catch (error) {
        release();
        const failure = this.#networkError(req, error);
        const retryable = failure.kind === 'transient' || failure.kind === 'throttled';
        if (retryable && attempt <= this.#retry.maxRetries && this.#mayRetry(req.method, undefined)) {
          await this.#sleep(retryDelayMs(attempt, failure.retryAfterMs, this.#options.random, this.#retry));
          continue;
        }
        throw failure;
      }
      release();
      if (response.status < 400) return response;
      if (response.status === 401 && !req.anonymous && !refreshed) {
        // The token may have been revoked or rotated early: refresh once, then let a second 401 stand.
        refreshed = true;
        forceRefresh = true;
        continue;
      }
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.#options.clock.now());
      const error = graphError(response.status, response.body, {
        method: req.method,
        path: url.pathname + url.search,
        mailbox: req.mailbox,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      if (attempt <= this.#retry.maxRetries && this.#mayRetry(req.method, response.status) && (error.kind === 'throttled' || error.kind === 'transient')) {
        await this.#sleep(retryDelayMs(attempt, retryAfterMs, this.#options.random, this.#retry));
        continue;
      }
      throw error;
    }
  }

  /** Waits as long as needed for the mailbox's budget; a slow mailbox never spends another's. */
  async #spend(budget: RequestBudget, mailbox: string, cost: number): Promise<void> {
    for (;;) {
      const waitMs = budget.take(mailbox, cost);
      if (waitMs === 0) return;
      await this.#sleep(waitMs);
    }
  }

  /**
   * POST is not idempotent (a create or a send may have happened before a 5xx or a dropped connection),
   * so it is retried only when Graph says it did not run the request: 429, and 503 (service unavailable).
   */
  #mayRetry(method: GraphMethod, status: number | undefined): boolean {
    if (method !== 'POST') return true;
    return status === 429 || status === 503;
  }

  /** One HTTP exchange, reported to the request observer whatever its outcome. */
  async #once(req: GraphRequest, url: URL, forceRefresh: boolean): Promise<GraphResponse> {
    const startedAt = this.#options.clock.now();
    let headAt: number | undefined;
    try {
      const response = await this.#exchange(req, url, forceRefresh, () => {
        headAt = this.#options.clock.now();
      });
      const throttled = throttlingAnswers(response);
      report(this.#options.requests, {
        provider: 'graph',
        operation: graphOperation(req.method, url),
        outcome: throttled > 0 ? 'throttled' : response.status >= 400 ? 'error' : 'ok',
        latencyMs: (headAt ?? this.#options.clock.now()) - startedAt,
        throttled,
      });
      return response;
    } catch (error) {
      report(this.#options.requests, {
        provider: 'graph',
        operation: graphOperation(req.method, url),
        outcome: 'error',
        latencyMs: (headAt ?? this.#options.clock.now()) - startedAt,
        throttled: 0,
      });
      throw error;
    }
  }

  async #exchange(req: GraphRequest, url: URL, forceRefresh: boolean, onHead: () => void): Promise<GraphResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'client-request-id': this.#options.random.uuid(),
      ...lowerKeys(req.headers ?? {}),
    };
    if (!req.anonymous) headers['authorization'] = `Bearer ${await this.#bearer(forceRefresh)}`;
    let body: Buffer | string | undefined;
    if (Buffer.isBuffer(req.body)) {
      body = req.body;
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await undiciRequest(url, {
      method: req.method,
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#agent,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    onHead();
    const raw = Buffer.from(await response.body.arrayBuffer());
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const isJson = (flat['content-type'] ?? '').includes('json');
    let parsed: unknown;
    if (isJson && raw.length > 0) {
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.statusCode, headers: flat, body: parsed, raw };
  }

  /** The TokenSource caches and renews; after a 401 it is asked for a fresh token once. */
  async #bearer(forceRefresh: boolean): Promise<string> {
    const token = await this.#options.tokens.getToken(forceRefresh ? { forceRefresh: true } : undefined);
    return token.token;
  }

  #resolve(req: GraphRequest): URL {
    let url: URL;
    if (/^https?:\/\//i.test(req.path)) {
      url = new URL(req.path);
      // Bearer tokens go only to the configured Graph root; upload URLs (anonymous) only over https.
      if (url.protocol !== 'https:' || (!req.anonymous && url.origin !== this.root)) {
        throw new AppError('graph_foreign_url', `Refusing to send a Graph request to ${url.origin}.`, { kind: 'permanent' });
      }
    } else {
      url = new URL(`${this.root}/${graphVersion}${req.path.startsWith('/') ? '' : '/'}${req.path}`);
    }
    for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.set(name, value);
    return url;
  }

  #networkError(req: GraphRequest, error: unknown): AppError {
    if (error instanceof AppError) return error;
    const cause = toError(error);
    const tlsCode = tlsFailure(cause);
    if (tlsCode !== undefined) {
      // A certificate the profile does not trust is a configuration problem, not a passing one.
      return new AppError('graph_tls_untrusted', `The TLS certificate of ${this.root} is not trusted (${tlsCode}).`, {
        kind: 'permanent',
        cause,
        details: { mailbox: req.mailbox, tlsCode },
      });
    }
    const timedOut = cause.name === 'TimeoutError' || cause.name === 'AbortError' || /timeout/i.test(cause.message);
    return new AppError(
      timedOut ? 'graph_timeout' : 'graph_unreachable',
      `${req.method} to Microsoft Graph ${timedOut ? `timed out after ${this.#timeoutMs} ms` : `failed: ${cause.message}`}`,
      { kind: 'transient', cause, details: { mailbox: req.mailbox } },
    );
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function tlsFailure(error: Error): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return code;
  }
  return undefined;
}

/** Graph's throttling statuses (https://learn.microsoft.com/graph/throttling): 429, and 503 under load. */
const THROTTLE_STATUSES = new Set([429, 503]);

/** 1 for a refused request; for a $batch, one per refused part (each is a request Graph did not run). */
function throttlingAnswers(response: GraphResponse): number {
  if (THROTTLE_STATUSES.has(response.status)) return 1;
  const parts = (response.body as { responses?: unknown } | undefined)?.responses;
  if (response.status >= 300 || !Array.isArray(parts)) return 0;
  return parts.filter((p) => THROTTLE_STATUSES.has(Number((p as { status?: unknown } | null)?.status))).length;
}

/**
 * "GET messages/delta" from /v1.0/users/{mailbox}/mailFolders/inbox/messages/delta: the method and
 * the resource path past the mailbox, ids left out (they contain digits or punctuation, names do not).
 */
export function graphOperation(method: string, url: URL): string {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments[0] === graphVersion) segments.shift();
  if (segments[0] === 'users' || segments[0] === 'groups') segments.splice(0, 2);
  const names = segments.map((s) => decodeURIComponent(s).replace(/\(.*$/, '')).filter((s) => /^[A-Za-z$][A-Za-z.]*$/.test(s) && s.length <= 40);
  return operationLabel(`${method} ${names.join('/') || '/'}`);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
