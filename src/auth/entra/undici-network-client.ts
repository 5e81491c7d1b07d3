import { trustRoots } from '../trust-roots.ts';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * What happened on the wire for one request msal-node made: kept so errors can be classified from
 * facts (HTTP status, Retry-After, the Entra error body, a refused connection) rather than from
 * msal's wrapped error, which drops the cause of network failures. Bodies of successful token
 * responses are not kept: they hold the access token.
 */
export type HttpExchange = {
  method: 'GET' | 'POST';
  url: string;
  status?: number;
  headers?: Record<string, string>;
  /** Parsed JSON of non-2xx responses (Entra errors carry no secrets). */
  errorBody?: Record<string, unknown>;
  /** `expires_in` of a successful token response, in seconds. */
  expiresIn?: number;
  /** Transport failure: code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, CERT_HAS_EXPIRED...) and message. */
  failure?: { code: string; message: string };
};

export type UndiciNetworkClientOptions = {
  /** Extra CAs to trust besides the public roots (the lab CA). Validation is never turned off. */
  trustedCaPems?: string[];
  /** A dispatcher to use instead of building one (tests, proxies). */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  onExchange?: (exchange: HttpExchange) => void;
};

const MAX_BODY_BYTES = 1_048_576;

/**
 * msal-node's network module on undici, so Entra endpoints can be reached with a CA we choose (the
 * lab's, on loopback) while TLS stays fully validated, with bounded time and size.
 */
export class UndiciNetworkClient implements INetworkModule {
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #timeoutMs: number;
  readonly #onExchange: ((exchange: HttpExchange) => void) | undefined;

  constructor(options: UndiciNetworkClientOptions = {}) {
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createTrustingAgent(options.trustedCaPems);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#onExchange = options.onExchange;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const timeoutMs = timeout ?? this.#timeoutMs;
    const exchange: HttpExchange = { method, url: stripQuery(url) };
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method,
        dispatcher: this.#dispatcher,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      exchange.failure = { code: err.code ?? err.name, message: err.message };
      this.#onExchange?.(exchange);
      throw new Error(`${method} ${exchange.url} failed: ${exchange.failure.code}`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    exchange.status = response.statusCode;
    exchange.headers = headers;
    let text: string;
    try {
      text = await readBounded(response.body);
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      exchange.failure = { code: err.code ?? err.name, message: err.message };
      this.#onExchange?.(exchange);
      throw new Error(`${method} ${exchange.url} failed while reading the response: ${exchange.failure.code}`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
      if (body === null || typeof body !== 'object') throw new Error('not an object');
    } catch {
      // A proxy's or load balancer's HTML error page: give msal an error body so it stops here.
      body = { error: 'non_json_response', error_description: `HTTP ${response.statusCode} with a non-JSON body` };
    }
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    if (!ok) exchange.errorBody = body;
    if (ok && body['expires_in'] !== undefined) exchange.expiresIn = Number(body['expires_in']);
    this.#onExchange?.(exchange);
    return { headers, body: body as T, status: response.statusCode };
  }
}

/**
 * An undici Agent that trusts the machine's roots plus the given CAs (the lab's), TLS 1.2 or later,
 * always validating. Shared by the Entra and Key Vault clients.
 */
export function createTrustingAgent(trustedCaPems: string[] = []): Agent {
  return new Agent({
    connect: { ca: trustRoots(trustedCaPems), minVersion: 'TLSv1.2', rejectUnauthorized: true },
  });
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw Object.assign(new Error('response body too large'), { code: 'BODY_TOO_LARGE' });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function stripQuery(url: string): string {
  const index = url.indexOf('?');
  return index < 0 ? url : url.slice(0, index);
}
