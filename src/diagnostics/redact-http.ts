/**
 * The last request and response of a Test Connection step as an administrator reads them, in the
 * `>` / `<` form of `curl -v`: method and URL, the status, the headers that explain an answer, and
 * bodies cut to a readable size, all passed through redact(). The EWS transport and the Graph client
 * add credentials after a trace sees the request, so an Authorization value is never in hand here:
 * it is shown as `[redacted]`, and redact() still runs on everything in case one slips in elsewhere.
 */
import { isAppError } from '../errors.ts';
import { redact } from './redact.ts';

/** Characters of each body kept in a trace; the rest is counted, not shown. */
export const TRACE_BODY_LIMIT = 2000;

export type HttpExchange = {
  method: string;
  url: string;
  /** The request sends credentials (added by the transport, never recorded). */
  authenticated: boolean;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** The start of the response body (TRACE_BODY_LIMIT characters at most)… */
  responseBody?: string;
  /** …and its full length in bytes, when known. */
  responseBytes?: number;
  /** What went wrong when there is no response to show, or after it (a refused login, a timeout). */
  error?: string;
};

/** Headers that say nothing about why a request passed or failed. */
const NOISE = new Set([
  'date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'cache-control', 'pragma', 'expires', 'vary',
  'x-powered-by', 'x-aspnet-version', 'strict-transport-security', 'accept-encoding', 'host',
]);

function headerLines(prefix: string, headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => !NOISE.has(name.toLowerCase()) && name.toLowerCase() !== 'authorization')
    .map(([name, value]) => `${prefix} ${name}: ${value.replace(/\r?\n/g, ' ')}`);
}

function trimmed(prefix: string, body: string, totalBytes?: number): string[] {
  const shown = body.length > TRACE_BODY_LIMIT ? body.slice(0, TRACE_BODY_LIMIT) : body;
  const total = totalBytes ?? Buffer.byteLength(body);
  const cut = total > Buffer.byteLength(shown) ? [`${prefix} … (${total} bytes in all; the first ${TRACE_BODY_LIMIT} characters are shown)`] : [];
  return [...shown.split(/\r?\n/).map((line) => `${prefix} ${line}`), ...cut];
}

/** One exchange as redacted text. `knownSecrets` are exact values to remove too (the profile's own). */
export function formatHttpExchange(exchange: HttpExchange, knownSecrets: readonly string[] = []): string {
  const lines = [`> ${exchange.method} ${exchange.url}`];
  if (exchange.authenticated) lines.push('> Authorization: [redacted]');
  lines.push(...headerLines('>', exchange.requestHeaders));
  if (exchange.requestBody !== undefined && exchange.requestBody !== '') lines.push('>', ...trimmed('>', exchange.requestBody));
  if (exchange.status !== undefined) {
    lines.push(`< ${exchange.status}`, ...headerLines('<', exchange.responseHeaders ?? {}));
    if (exchange.responseBody !== undefined && exchange.responseBody !== '') lines.push('<', ...trimmed('<', exchange.responseBody, exchange.responseBytes));
  }
  if (exchange.error !== undefined) lines.push(`! ${exchange.error}`);
  return redact(lines.join('\n'), knownSecrets);
}

/** How a failed request reads in a trace: the error's code, message and provider code. */
export function exchangeError(error: unknown): string {
  if (!isAppError(error)) return error instanceof Error ? error.message : String(error);
  const provider = error.providerCode === undefined ? '' : ` [${error.providerCode}]`;
  return `${error.code}${provider}: ${error.message}`;
}

/** Keeps the last exchange it is handed, for the step that made it. */
export class ExchangeTap {
  #last: HttpExchange | undefined;

  record(exchange: HttpExchange): void {
    this.#last = exchange;
  }

  get last(): HttpExchange | undefined {
    return this.#last;
  }

  /** The last exchange as redacted text, or undefined when there was none. */
  trace(knownSecrets: readonly string[] = []): string | undefined {
    return this.#last === undefined ? undefined : formatHttpExchange(this.#last, knownSecrets);
  }
}

/**
 * What an access token says about itself, for the authentication step's trace: the claims that
 * decide access (audience, tenant, application, roles, expiry), never the token or its signature.
 * Tokens that are not JWTs are described as such.
 */
export function describeAccessToken(token: string, expiresAt: number): string {
  const payload = token.split('.')[1];
  let claims: Record<string, unknown> | undefined;
  try {
    claims = payload === undefined ? undefined : (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
  } catch {
    claims = undefined;
  }
  const lines = [`< access token [redacted], valid until ${new Date(expiresAt).toISOString()}`];
  if (claims === undefined || claims === null || typeof claims !== 'object') return `${lines[0]} (not a JWT: no claims to show)`;
  for (const name of ['aud', 'iss', 'tid', 'appid', 'azp', 'roles', 'scp', 'idtyp']) {
    const value = claims[name];
    if (value === undefined) continue;
    lines.push(`< ${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  if (claims['roles'] === undefined) lines.push('< roles: (none: no application permission was consented)');
  return redact(lines.join('\n'));
}
