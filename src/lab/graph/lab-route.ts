import type { GraphLabState, LabUser } from './graph-lab-state.ts';
import type { DeltaTokens } from './delta-tokens.ts';

/** One request as a lab route sees it (also one item of a $batch). */
export type LabRequest = {
  method: string;
  /** Path under /v1.0, without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: unknown;
  rawBody: Buffer;
  appId: string;
  /** Application permissions of the caller's token. */
  roles: readonly string[];
};

export type LabResponse = {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; `raw` wins when set. */
  body?: unknown;
  raw?: { contentType: string; bytes: Buffer };
};

export type LabContext = {
  state: GraphLabState;
  tokens: DeltaTokens;
  /** https://127.0.0.1:port (no trailing slash): nextLink, deltaLink and upload URLs start with it. */
  baseUrl: () => string;
};

export type LabRoute = {
  method: string;
  /** Matched against the path; a route under /users/{id} captures the user first. */
  pattern: RegExp;
  /** Application permissions of which the token must hold one (empty: any valid token). */
  roles: readonly string[];
  /** Whether capture 1 is a mailbox (then the mailbox limits, throttling and access policy apply). */
  mailbox: boolean;
  handle(ctx: LabContext, req: LabRequest, user: LabUser | undefined, params: string[]): LabResponse | Promise<LabResponse>;
};

/** A Graph error a route raises; the server shapes it as Graph does. */
export class LabHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const mailRoles = ['Mail.ReadWrite', 'Mail.Read'] as const;
export const mailWriteRoles = ['Mail.ReadWrite'] as const;
export const sendRoles = ['Mail.Send'] as const;
export const calendarRoles = ['Calendars.ReadWrite'] as const;
export const contactRoles = ['Contacts.ReadWrite'] as const;
export const taskRoles = ['Tasks.ReadWrite.All', 'Tasks.ReadWrite'] as const;

export function itemNotFound(): LabHttpError {
  return new LabHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

/** `Prefer: odata.maxpagesize=N` (https://learn.microsoft.com/graph/delta-query-messages#optional-request-header). */
export function maxPageSize(req: LabRequest, fallback: number): number {
  const match = /odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '');
  const size = match === null ? fallback : Number(match[1]);
  return Math.max(1, Math.min(size, 1000));
}

/** Values of `id eq '…'` clauses in an $expand/$filter, OData-unescaped. */
export function idsInFilter(expression: string, field = 'id'): string[] {
  const pattern = new RegExp(`${field} eq '((?:[^']|'')*)'`, 'gi');
  return [...expression.matchAll(pattern)].map((m) => m[1]!.replace(/''/g, "'"));
}

/** Whether an If-Match header (when present) names the item's current etag. */
export function checkIfMatch(req: LabRequest, etag: string): void {
  const ifMatch = req.headers['if-match'];
  if (ifMatch === undefined || ifMatch === '*') return;
  if (ifMatch !== etag) {
    throw new LabHttpError(
      412,
      'ErrorIrresolvableConflict',
      'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    );
  }
}
