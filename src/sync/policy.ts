/**
 * What an error means at each step of a pipeline (DESIGN.md section 5). Drivers classify
 * provider errors into kinds once (ews/response-codes.ts, graph/error-codes.ts); this table is
 * the only place that turns a kind into an action, the same for every provider.
 *
 * Rules that hold for every row:
 * - a transient or throttled error never disables anything: it is retried with back-off;
 * - errors that an administrator must fix (credentials, impersonation, mailbox gone) disable the
 *   affected pipeline at once and raise an alert that says what to fix, also when an item step
 *   raised them;
 * - a cursor the server forgot becomes a full re-enumeration of that folder;
 * - an error about one item fails that item only (recorded, retried later), never the page.
 */
import type { ErrorKind } from '../errors.ts';

export type PipelineName = 'incoming' | 'outgoing' | 'act';

/**
 * Where the error happened. Mailbox-wide steps ('connect', 'sync-folder', 'org-stamp') speak for
 * the whole pipeline; item steps speak for one email or item.
 */
export type PipelineStep =
  | 'connect'
  | 'sync-folder'
  | 'org-stamp'
  | 'fetch-item'
  | 'track-item'
  | 'mark-item'
  | 'send'
  | 'find-sent';

export const itemSteps: ReadonlySet<PipelineStep> = new Set(['fetch-item', 'track-item', 'mark-item', 'send', 'find-sent']);

export type ClassifiedError = {
  kind: ErrorKind;
  code: string;
  providerCode?: string | undefined;
  retryAfterMs?: number | undefined;
};

export type PolicyAction =
  /** Try the same work again after `delayMs`; `alert` is set when someone should know (quota). */
  | { type: 'retry'; delayMs: number; reason: string; alert?: PolicyAlert }
  /** Stop the pipeline until an administrator acts (Test & Enable again). */
  | { type: 'disable-pipeline'; reason: string; alert: PolicyAlert }
  /** Drop the folder's cursor and enumerate it again from the start (dedupe keeps it idempotent). */
  | { type: 're-enumerate'; reason: string }
  /** Record the failure for this item and go on with the rest; the item is retried on request. */
  | { type: 'fail-item'; reason: string; retryable: boolean }
  /** The item is gone or already in the wanted state: nothing to do. */
  | { type: 'skip-item'; reason: string };

export type PolicyAlert = { level: 'error' | 'warning' | 'information'; message: string; remedy: string };

/** Transient back-off: 30 s doubling, never more than 15 minutes. */
export const backoffBaseMs = 30_000;
export const backoffMaxMs = 15 * 60_000;

export function backoffDelay(attempt: number, baseMs = backoffBaseMs, maxMs = backoffMaxMs): number {
  const n = Math.max(0, Math.min(attempt, 30));
  return Math.min(maxMs, baseMs * 2 ** n);
}

/**
 * Provider codes that mean "this mailbox may not send more right now". They arrive as throttled
 * or permanent depending on the server: Exchange answers ErrorQuotaExceeded when the mailbox is
 * full, and the submission-quota codes when the per-day recipient limit is hit. Either way the
 * email must wait, not fail.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
 */
const sendQuotaCodes: ReadonlySet<string> = new Set([
  'ErrorQuotaExceeded',
  'ErrorSubmissionQuotaExceeded',
  'ErrorMessageSubmissionBlocked',
  'ErrorExceededMessageLimit',
  'ErrorExceededMessageLimitShowTierUpgrade',
]);

/** Codes we use ourselves for the same situation, whatever the provider. */
const ownQuotaCodes: ReadonlySet<string> = new Set(['send_quota_exceeded', 'submission_limit_exceeded', 'mailbox_full']);

export function isSendQuotaError(error: ClassifiedError): boolean {
  if (ownQuotaCodes.has(error.code)) return true;
  return error.providerCode !== undefined && sendQuotaCodes.has(error.providerCode);
}

/**
 * Provider codes that say the mailbox itself is gone or out of reach, whichever step raised
 * them: a send or a GetItem answered ErrorNonExistentMailbox speaks for every item of the
 * mailbox, so the pipeline stops with an alert instead of failing (or skipping) email one by one.
 */
const mailboxGoneProviderCodes: ReadonlySet<string> = new Set([
  'ErrorNonExistentMailbox',
  'ErrorInvalidUser',
  'Request_ResourceNotFound',
  'MailboxNotEnabledForRESTAPI',
  'ErrorMailboxNotEnabledForRESTAPI',
  'MailboxNotSupportedForRESTAPI',
]);
const mailboxGoneCodes: ReadonlySet<string> = new Set(['mailbox_not_found', 'graph_mailbox_not_found', 'graph_mailbox_not_in_cloud']);

export function isMailboxGone(error: ClassifiedError): boolean {
  return mailboxGoneCodes.has(error.code) || (error.providerCode !== undefined && mailboxGoneProviderCodes.has(error.providerCode));
}

const remedies: Record<'auth' | 'not-found' | 'permanent' | 'invalid-input', string> = {
  auth: 'Check the credentials of the email server profile and that the account may impersonate this mailbox (ApplicationImpersonation), then Test & Enable the mailbox.',
  'not-found': 'The mailbox was not found on the server: check its email address and that it exists in Exchange, then Test & Enable the mailbox.',
  permanent: 'The server refused the request for a reason retrying will not fix: read the error code, correct the mailbox or profile, then Test & Enable the mailbox.',
  'invalid-input': 'The mailbox or profile settings are not valid for this server: correct them, then Test & Enable the mailbox.',
};

/**
 * Decides what to do with an error raised at `step` of `pipeline`.
 * `attempt` counts the consecutive failures so far (0 for the first), for back-off.
 */
export function decide(pipeline: PipelineName, step: PipelineStep, error: ClassifiedError, attempt: number): PolicyAction {
  const isItem = itemSteps.has(step);

  if (step === 'send' && isSendQuotaError(error)) {
    return {
      type: 'retry',
      delayMs: Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt, 5 * 60_000, 60 * 60_000)),
      reason: `sending is over quota (${error.providerCode ?? error.code}); the email stays queued`,
      alert: {
        level: 'warning',
        message: `Outgoing email is waiting: the mailbox reached a sending limit (${error.providerCode ?? error.code}).`,
        remedy: 'Dovetail retries by itself. If this persists, raise the mailbox quota or the submission limit in Exchange.',
      },
    };
  }

  switch (error.kind) {
    case 'transient':
    case 'conflict':
      // A conflict at item level means someone changed the item between read and write:
      // the next run reads it again. At mailbox level it is a race with ourselves; retry.
      return { type: 'retry', delayMs: backoffDelay(attempt), reason: `${error.kind} error ${error.code}` };
    case 'throttled':
      return {
        type: 'retry',
        delayMs: Math.min(backoffMaxMs, Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt))),
        reason: `throttled by the server (${error.providerCode ?? error.code})`,
      };
    case 'cursor-invalid':
      if (step === 'sync-folder') return { type: 're-enumerate', reason: 'the server no longer knows the folder cursor' };
      return { type: 'retry', delayMs: backoffDelay(attempt), reason: `unexpected cursor error at ${step}` };
    case 'not-found':
      if (isMailboxGone(error)) return disable(pipeline, 'not-found', error);
      if (step === 'find-sent') return { type: 'skip-item', reason: 'not in Sent Items' };
      if (isItem) return { type: 'skip-item', reason: 'the item no longer exists in Exchange' };
      return disable(pipeline, 'not-found', error);
    case 'auth':
      return disable(pipeline, 'auth', error);
    case 'permanent':
    case 'invalid-input':
      if (isItem) return { type: 'fail-item', reason: `${error.code}${error.providerCode ? ` (${error.providerCode})` : ''}`, retryable: true };
      return disable(pipeline, error.kind, error);
  }
}

function disable(pipeline: PipelineName, kind: keyof typeof remedies, error: ClassifiedError): PolicyAction {
  const what = pipeline === 'act' ? 'Appointments, contacts and tasks' : pipeline === 'incoming' ? 'Incoming email' : 'Outgoing email';
  return {
    type: 'disable-pipeline',
    reason: `${kind} error ${error.code}`,
    alert: {
      level: 'error',
      message: `${what} processing was disabled for this mailbox: ${error.providerCode ?? error.code}.`,
      remedy: remedies[kind],
    },
  };
}
