import { AppError, type ErrorKind } from '../../errors.ts';

/**
 * EWS ResponseCode -> error kind. Codes are the names of t:ResponseCodeType in messages.xsd;
 * meanings from https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
 * Anything not listed is 'permanent': retrying an unknown failure forever hides it.
 */
export const responseCodeKinds: Readonly<Record<string, ErrorKind>> = {
  // The server or a store behind it is momentarily unable to answer; the same request may succeed later.
  ErrorInternalServerTransientError: 'transient',
  ErrorInternalServerError: 'transient',
  ErrorConnectionFailed: 'transient',
  ErrorMailboxStoreUnavailable: 'transient',
  ErrorMailboxMoveInProgress: 'transient',
  ErrorMailboxFailover: 'transient',
  ErrorADUnavailable: 'transient',
  ErrorADOperation: 'transient',
  ErrorServiceUnavailable: 'transient',
  ErrorTimeoutExpired: 'transient',
  ErrorRequestAborted: 'transient',
  ErrorProxyRequestProcessingFailed: 'transient',
  ErrorProxyCallFailed: 'transient',
  ErrorNoRespondingCASInDestinationSite: 'transient',
  ErrorNotEnoughMemory: 'transient',
  ErrorInsufficientResources: 'transient',
  ErrorNewEventStreamConnectionOpened: 'transient',
  // Processing stopped after an earlier item failed; the item itself was never tried.
  ErrorBatchProcessingStopped: 'transient',
  // Throttling policy (EWSPercentTimeIn*, EWSMaxConcurrency, EWSMaxSubscriptions):
  // https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange
  ErrorServerBusy: 'throttled',
  ErrorExceededConnectionCount: 'throttled',
  ErrorExceededSubscriptionCount: 'throttled',
  ErrorTooManyObjectsOpened: 'throttled',
  ErrorSubmissionQuotaExceeded: 'throttled',
  // The account behind the connection cannot sign in.
  ErrorAccountDisabled: 'auth',
  ErrorPasswordExpired: 'auth',
  ErrorPasswordChangeRequired: 'auth',
  ErrorInvalidAuthorizationContext: 'auth',
  ErrorInvalidSerializedAccessToken: 'auth',
  ErrorProxyTokenExpired: 'auth',
  ErrorInvalidCrossForestCredentials: 'auth',
  ErrorInvalidClientSecurityContext: 'auth',
  ErrorNoOAuthServerAvailableForRequest: 'auth',
  // The thing named is gone (or was never visible to this account).
  ErrorItemNotFound: 'not-found',
  ErrorFolderNotFound: 'not-found',
  ErrorParentFolderNotFound: 'not-found',
  ErrorSyncFolderNotFound: 'not-found',
  ErrorToFolderNotFound: 'not-found',
  ErrorSavedItemFolderNotFound: 'not-found',
  ErrorInvalidAttachmentId: 'not-found',
  ErrorSubscriptionNotFound: 'not-found',
  ErrorEventNotFound: 'not-found',
  ErrorManagedFolderNotFound: 'not-found',
  // No mailbox behind the address: the same kind Graph gives (404 ErrorInvalidUser), so the sync
  // engine treats a vanished mailbox alike on both providers (test/contract).
  ErrorNonExistentMailbox: 'not-found',
  // A cursor the server no longer accepts: start over without it (DESIGN.md section 5).
  ErrorInvalidSyncStateData: 'cursor-invalid',
  ErrorInvalidWatermark: 'cursor-invalid',
  ErrorInvalidSubscription: 'cursor-invalid',
  ErrorExpiredSubscription: 'cursor-invalid',
  ErrorSubscriptionUnsubscribed: 'cursor-invalid',
  // The item changed since we read it: refetch, re-plan, retry.
  ErrorIrresolvableConflict: 'conflict',
  ErrorStaleObject: 'conflict',
  ErrorChangeKeyRequiredForWriteOperations: 'conflict',
  ErrorChangeKeyRequired: 'conflict',
  // "a change key that cannot be parsed": the stored version is unusable, and refetching the item gives a good one.
  ErrorInvalidChangeKey: 'conflict',
  // The account may not open this mailbox: an administrator must grant ApplicationImpersonation (or
  // fix the credentials). Kind auth, as Graph reports a 403 for a mailbox outside an application access
  // policy, so sync/policy.ts gives both providers the same remedy (the contract suite checks it).
  ErrorImpersonateUserDenied: 'auth',
  ErrorImpersonationDenied: 'auth',
  ErrorImpersonationFailed: 'auth',
  ErrorAccessDenied: 'auth',
  // Configuration an administrator must fix; retrying changes nothing.
  ErrorSendAsDenied: 'permanent',
  ErrorQuotaExceeded: 'permanent',
  ErrorMessageSizeExceeded: 'permanent',
  ErrorSchemaValidation: 'permanent',
  ErrorInvalidIdMalformed: 'permanent',
  // EWSFindCountLimit: the same search would hit the same limit; page or narrow it instead.
  ErrorExceededFindCountLimit: 'permanent',
  ErrorInvalidServerVersion: 'permanent',
  ErrorInvalidSchemaVersionForMailboxVersion: 'permanent',
};

export function responseCodeKind(code: string): ErrorKind {
  return responseCodeKinds[code] ?? 'permanent';
}

/** A stable Dovetail code from an EWS ResponseCode: ErrorItemNotFound -> ews_item_not_found. */
export function stableCode(responseCode: string): string {
  const base = responseCode.replace(/^Error/, '');
  return `ews_${base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase()}`;
}

export type EwsErrorFacts = { responseCode: string; innerResponseCode?: string; messageText?: string; backOffMs?: number; operation?: string; status?: number };

/** The AppError for a failed ResponseMessage or SOAP fault, keeping Exchange's code and text verbatim. */
export function ewsError(facts: EwsErrorFacts): AppError {
  // An inner code (ErrorInternalServerError wrapping ErrorServerBusy) says more than the outer one.
  const kind = responseCodeKind(facts.innerResponseCode ?? facts.responseCode);
  const what = facts.operation ? `${facts.operation} failed` : 'Exchange request failed';
  return new AppError(stableCode(facts.responseCode), `${what}: ${facts.responseCode}${facts.messageText ? ` (${facts.messageText})` : ''}`, {
    kind,
    providerCode: facts.responseCode,
    ...(facts.messageText === undefined ? {} : { providerMessage: facts.messageText }),
    ...(facts.backOffMs === undefined ? {} : { retryAfterMs: facts.backOffMs }),
    ...(facts.status === undefined && facts.innerResponseCode === undefined
      ? {}
      : { details: { ...(facts.status === undefined ? {} : { httpStatus: facts.status }), ...(facts.innerResponseCode === undefined ? {} : { innerResponseCode: facts.innerResponseCode }) } }),
  });
}
