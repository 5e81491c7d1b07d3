import { AppError, type ErrorKind } from '../../errors.ts';

/**
 * Microsoft Graph failures, classified once into the kinds sync/policy.ts knows (DESIGN.md section 5),
 * the same kinds the EWS driver produces from its ResponseCodes.
 *
 * Graph error bodies look like { error: { code, message, innerError: { date, request-id, client-request-id } } }
 * (https://learn.microsoft.com/graph/errors). The Outlook part of Graph answers with Exchange's own
 * codes (ErrorItemNotFound, ErrorIrresolvableConflict, ...), the directory part with Request_* codes.
 */
export type GraphErrorRule = {
  /** Our stable code. */
  code: string;
  kind: ErrorKind;
  /** What to tell an administrator when the code surfaces in Test Connection or an alert. */
  hint?: string;
};

/** Provider codes that decide the kind regardless of (or more precisely than) the HTTP status. */
export const graphErrorCodes: Readonly<Record<string, GraphErrorRule>> = {
  // A user exists in the directory but its mailbox is on-premises, soft-deleted or not licensed:
  // Graph's Outlook endpoints cannot reach it. https://learn.microsoft.com/graph/api/resources/mail-api-overview
  MailboxNotEnabledForRESTAPI: {
    code: 'graph_mailbox_not_in_cloud',
    kind: 'not-found',
    hint: 'The mailbox is not hosted in Exchange Online (on-premises, unlicensed or inactive); Graph cannot reach it.',
  },
  ErrorMailboxNotEnabledForRESTAPI: {
    code: 'graph_mailbox_not_in_cloud',
    kind: 'not-found',
    hint: 'The mailbox is not hosted in Exchange Online (on-premises, unlicensed or inactive); Graph cannot reach it.',
  },
  MailboxNotSupportedForRESTAPI: {
    code: 'graph_mailbox_not_in_cloud',
    kind: 'not-found',
    hint: 'This kind of mailbox is not supported by the Graph mail API.',
  },
  ErrorInvalidUser: { code: 'graph_mailbox_not_found', kind: 'not-found' },
  Request_ResourceNotFound: { code: 'graph_mailbox_not_found', kind: 'not-found' },
  ResourceNotFound: { code: 'graph_not_found', kind: 'not-found' },
  ErrorItemNotFound: { code: 'graph_not_found', kind: 'not-found' },
  ErrorFolderNotFound: { code: 'graph_not_found', kind: 'not-found' },
  // Delta tokens the server no longer knows: start a full enumeration.
  // https://learn.microsoft.com/graph/delta-query-overview#synchronization-reset
  syncStateNotFound: { code: 'graph_cursor_invalid', kind: 'cursor-invalid' },
  SyncStateNotFound: { code: 'graph_cursor_invalid', kind: 'cursor-invalid' },
  resyncRequired: { code: 'graph_cursor_invalid', kind: 'cursor-invalid' },
  ErrorInvalidSyncStateData: { code: 'graph_cursor_invalid', kind: 'cursor-invalid' },
  syncStateInvalid: { code: 'graph_cursor_invalid', kind: 'cursor-invalid' },
  ErrorIrresolvableConflict: { code: 'graph_conflict', kind: 'conflict' },
  ErrorFolderExists: { code: 'graph_conflict', kind: 'conflict' },
  // Application access policy / RBAC for Applications scoping: the app may not touch this mailbox.
  // https://learn.microsoft.com/graph/auth-limit-mailbox-access
  ErrorAccessDenied: {
    code: 'graph_access_denied',
    kind: 'auth',
    hint: 'The app is not allowed to open this mailbox: check the application access policy or RBAC for Applications scope, and the granted application permissions.',
  },
  Authorization_RequestDenied: { code: 'graph_access_denied', kind: 'auth' },
  InvalidAuthenticationToken: { code: 'graph_unauthenticated', kind: 'auth' },
  ApplicationThrottled: { code: 'graph_throttled', kind: 'throttled' },
  TooManyRequests: { code: 'graph_throttled', kind: 'throttled' },
  ErrorExceededMessageLimit: { code: 'graph_throttled', kind: 'throttled' },
  ErrorMessageSizeExceeded: { code: 'graph_too_large', kind: 'permanent' },
};

const byStatus = (status: number): GraphErrorRule => {
  if (status === 401) return { code: 'graph_unauthenticated', kind: 'auth' };
  if (status === 403) return { code: 'graph_access_denied', kind: 'auth' };
  if (status === 404) return { code: 'graph_not_found', kind: 'not-found' };
  if (status === 410) return { code: 'graph_cursor_invalid', kind: 'cursor-invalid' };
  if (status === 409 || status === 412) return { code: 'graph_conflict', kind: 'conflict' };
  if (status === 429 || status === 503 || status === 504) return { code: 'graph_throttled', kind: 'throttled' };
  if (status >= 500) return { code: 'graph_transient', kind: 'transient' };
  if (status === 400 || status === 422) return { code: 'graph_bad_request', kind: 'permanent' };
  return { code: 'graph_error', kind: 'permanent' };
};

/**
 * The rule for a status and provider code. A code-specific rule wins when it does not contradict
 * the status class: a 404 carrying MailboxNotEnabledForRESTAPI is a mailbox problem, not a missing item;
 * a 5xx is never turned into a permanent failure by its code.
 */
export function classifyGraphError(status: number, providerCode: string | undefined): GraphErrorRule {
  const statusRule = byStatus(status);
  const codeRule = providerCode === undefined ? undefined : graphErrorCodes[providerCode];
  if (codeRule === undefined) return statusRule;
  if (status >= 500 && codeRule.kind !== 'throttled' && codeRule.kind !== 'transient') return statusRule;
  if (status === 429) return statusRule;
  return codeRule;
}

export type GraphErrorBody = {
  error?: { code?: unknown; message?: unknown; innerError?: unknown; innererror?: unknown };
};

/** Reads Retry-After as Graph sends it: seconds, possibly fractional ("2.128"), or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Builds the AppError for one failed Graph response (or one failed $batch item). */
export function graphError(
  status: number,
  body: unknown,
  context: { method: string; path: string; mailbox?: string; retryAfterMs?: number },
): AppError {
  const error = (body as GraphErrorBody | null | undefined)?.error;
  const providerCode = typeof error?.code === 'string' ? error.code : undefined;
  const providerMessage = typeof error?.message === 'string' ? error.message : undefined;
  const inner = (error?.innerError ?? error?.innererror) as Record<string, unknown> | undefined;
  const requestId = typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined;
  const rule = classifyGraphError(status, providerCode);
  const what = `${context.method} ${redactPath(context.path)}`;
  const message =
    `Microsoft Graph answered ${status}${providerCode === undefined ? '' : ` ${providerCode}`} to ${what}` +
    (providerMessage === undefined ? '' : `: ${providerMessage}`);
  return new AppError(rule.code, message, {
    kind: rule.kind,
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(providerMessage === undefined ? {} : { providerMessage }),
    ...(context.retryAfterMs === undefined ? {} : { retryAfterMs: context.retryAfterMs }),
    details: {
      httpStatus: status,
      ...(context.mailbox === undefined ? {} : { mailbox: context.mailbox }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(rule.hint === undefined ? {} : { hint: rule.hint }),
    },
  });
}

/** Paths never carry secrets, but delta and upload URLs carry opaque tokens we keep out of messages. */
function redactPath(path: string): string {
  return path.replace(/([?&]\$?(deltatoken|skiptoken|authtoken|token|sig)=)[^&]*/gi, '$1…');
}
