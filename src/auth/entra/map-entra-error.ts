import { AppError, type ErrorKind } from '../../errors.ts';
import type { HttpExchange } from './undici-network-client.ts';

/**
 * Turns a failed token request into an AppError an administrator can act on. The AADSTS code is kept
 * as providerCode. Classification follows one rule: only an answer from Entra that says the
 * credentials or configuration are wrong is 'auth' (permanent, needs an administrator); timeouts,
 * refused connections, 5xx and 429 are transient or throttled, so an outage never reads as a bad
 * credential and never disables a mailbox.
 * Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
export type EntraErrorContext = {
  clientId: string;
  tenantId: string;
  scope: string;
  /** What the token is for, to tailor hints: 'hma' (EWS on-premises), 'graph', 'keyvault'. */
  purpose: 'hma' | 'graph' | 'keyvault';
};

type Rule = { code: string; kind: ErrorKind; message: (c: EntraErrorContext) => string };

const HMA_CHECK = 'Run the HMA readiness check (`dovetail hma check`) to see which Exchange URLs are missing.';

/** AADSTS number -> our code and advice. */
const rules: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [7000215, { code: 'entra_invalid_client_secret', kind: 'auth', message: (c) => `The client secret of application ${c.clientId} is wrong. Copy the secret's value (not its id) from the app registration, or create a new secret.` }],
  [7000222, { code: 'entra_client_secret_expired', kind: 'auth', message: (c) => `The client secret of application ${c.clientId} has expired. Create a new secret on the app registration and update the profile.` }],
  [700027, { code: 'entra_certificate_rejected', kind: 'auth', message: (c) => `Entra did not accept the certificate signing for application ${c.clientId}: it is not registered on the app, or the key does not match. Upload this certificate (public part) under Certificates & secrets of the app registration.` }],
  [700024, { code: 'entra_assertion_time_invalid', kind: 'auth', message: () => `Entra says the client assertion is outside its validity time: this machine's clock is off. Synchronize the system time (NTP).` }],
  [700021, { code: 'entra_assertion_invalid', kind: 'auth', message: (c) => `The client assertion does not name application ${c.clientId} as issuer and subject.` }],
  [50013, { code: 'entra_assertion_invalid', kind: 'auth', message: () => `Entra rejected the client assertion (audience, replay or format).` }],
  [700016, { code: 'entra_app_not_found', kind: 'auth', message: (c) => `Application ${c.clientId} was not found in tenant ${c.tenantId}. Check the application (client) id and the tenant id, and that the app is registered in that tenant and cloud.` }],
  [7000112, { code: 'entra_app_disabled', kind: 'auth', message: (c) => `Application ${c.clientId} is disabled in tenant ${c.tenantId}.` }],
  [90002, { code: 'entra_tenant_not_found', kind: 'auth', message: (c) => `Tenant ${c.tenantId} was not found. Check the tenant id, and that the profile's cloud (global, US Government, China) is the tenant's cloud.` }],
  [900023, { code: 'entra_tenant_not_found', kind: 'auth', message: (c) => `"${c.tenantId}" is not a valid tenant id or domain.` }],
  [90072, { code: 'entra_tenant_not_found', kind: 'auth', message: (c) => `The application is not in tenant ${c.tenantId}.` }],
  [70011, { code: 'entra_invalid_scope', kind: 'auth', message: (c) => scopeMessage(c) }],
  [500011, { code: 'entra_resource_not_registered', kind: 'auth', message: (c) => scopeMessage(c) }],
  [500014, { code: 'entra_resource_not_registered', kind: 'auth', message: (c) => `The resource of ${c.scope} is disabled in tenant ${c.tenantId}.` }],
  [65001, { code: 'entra_consent_missing', kind: 'auth', message: (c) => consentMessage(c) }],
  [650051, { code: 'entra_consent_missing', kind: 'auth', message: (c) => consentMessage(c) }],
  [650057, { code: 'entra_consent_missing', kind: 'auth', message: (c) => consentMessage(c) }],
  [53003, { code: 'entra_blocked_by_policy', kind: 'auth', message: (c) => `A Conditional Access policy in tenant ${c.tenantId} blocks application ${c.clientId}.` }],
  [7000218, { code: 'entra_request_invalid', kind: 'permanent', message: () => 'The token request carried no client credential.' }],
]);

function scopeMessage(c: EntraErrorContext): string {
  if (c.purpose === 'hma') {
    return `Entra does not know the resource ${c.scope} in tenant ${c.tenantId}: the Exchange on-premises URLs (the AAD resource id of the profile) must be service principal names of the "Office 365 Exchange Online" service principal. ${HMA_CHECK}`;
  }
  return `Entra does not accept the scope ${c.scope} in tenant ${c.tenantId}. Check the profile's cloud: scopes must use the cloud's own hosts.`;
}

function consentMessage(c: EntraErrorContext): string {
  const permission = c.purpose === 'graph' ? 'the Microsoft Graph application permissions' : c.purpose === 'hma' ? 'full_access_as_app (Office 365 Exchange Online)' : 'the permissions';
  return `Application ${c.clientId} has not been granted ${permission} in tenant ${c.tenantId}. An administrator must add the permission and select "Grant admin consent".`;
}

/** AADSTS code from `error_codes` or from the "AADSTSnnnn:" prefix of the description. */
export function aadstsCode(body: Record<string, unknown> | undefined): number | undefined {
  if (body === undefined) return undefined;
  const codes = body['error_codes'];
  if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0];
  const description = body['error_description'];
  const match = typeof description === 'string' ? /AADSTS(\d+)/.exec(description) : null;
  return match ? Number(match[1]) : undefined;
}

export function mapEntraError(exchange: HttpExchange | undefined, error: unknown, context: EntraErrorContext): AppError {
  const details = { clientId: context.clientId, tenantId: context.tenantId, scope: context.scope };
  if (exchange?.failure !== undefined) {
    const failure = exchange.failure;
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(failure.code)) {
      return new AppError('entra_tls_untrusted', `The certificate of ${host(exchange.url)} is not trusted (${failure.code}); a proxy may be intercepting TLS. Validation is never turned off.`, { kind: 'permanent', providerCode: failure.code, details, cause: error });
    }
    return new AppError('entra_unreachable', `Microsoft Entra ID (${host(exchange.url)}) could not be reached: ${failure.code}. This is not a credential problem; it will be retried.`, { kind: 'transient', providerCode: failure.code, details, cause: error });
  }
  const status = exchange?.status;
  const retryAfterMs = parseRetryAfter(exchange?.headers?.['retry-after']);
  const body = exchange?.errorBody;
  const providerCode = aadstsCode(body);
  const providerMessage = typeof body?.['error_description'] === 'string' ? firstLine(body['error_description']) : undefined;
  const provider = {
    ...(providerCode === undefined ? {} : { providerCode: `AADSTS${providerCode}` }),
    ...(providerMessage === undefined ? {} : { providerMessage }),
  };
  if (status === 429) {
    return new AppError('entra_throttled', 'Microsoft Entra ID is throttling token requests; retrying after the delay it asked for.', { kind: 'throttled', ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...provider, details, cause: error });
  }
  if ((status !== undefined && status >= 500) || body?.['error'] === 'temporarily_unavailable') {
    return new AppError('entra_unavailable', `Microsoft Entra ID answered HTTP ${status ?? 'error'} (service unavailable). This is not a credential problem; it will be retried.`, { kind: 'transient', ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...provider, details, cause: error });
  }
  if (providerCode !== undefined) {
    const rule = rules.get(providerCode);
    if (rule !== undefined) {
      return new AppError(rule.code, `${rule.message(context)} (AADSTS${providerCode})`, { kind: rule.kind, ...provider, details, cause: error });
    }
  }
  if (body !== undefined && status !== undefined) {
    const oauthError = typeof body['error'] === 'string' ? body['error'] : 'error';
    const code = oauthError === 'invalid_scope' ? 'entra_invalid_scope' : 'entra_request_rejected';
    const message = oauthError === 'invalid_scope' ? scopeMessage(context) : `Microsoft Entra ID refused the token request (${oauthError}${providerCode === undefined ? '' : `, AADSTS${providerCode}`}).`;
    return new AppError(code, message, { kind: 'auth', ...provider, details, cause: error });
  }
  // No HTTP answer recorded: msal failed on its own (configuration, metadata parsing).
  return new AppError('entra_client_error', `The token request could not be made: ${msalErrorCode(error)}.`, { kind: 'permanent', details, cause: error });
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? text;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function msalErrorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'errorCode' in error && typeof error.errorCode === 'string') return error.errorCode;
  return error instanceof Error ? error.name : 'unknown error';
}
