import { AppError } from '../../errors.ts';

/**
 * Key Vault answers mapped to what an administrator must do. Permanent problems (access policy,
 * missing or disabled certificate) are 'auth'; 429/5xx and network failures are transient, so a
 * Key Vault outage never reads as a wrong secret.
 * Error body: { "error": { "code", "message", "innererror": { "code" } } }
 * @see https://learn.microsoft.com/azure/key-vault/general/rest-error-codes
 */
export type KeyVaultFailure =
  | { kind: 'network'; code: string }
  | { kind: 'http'; status: number; body: unknown; retryAfter?: string };

export type KeyVaultErrorContext = {
  vault: string;
  /** What we asked for: the certificate bundle or the secret behind it. */
  object: 'certificate' | 'secret';
  name: string;
  appId: string;
};

export function mapKeyVaultError(failure: KeyVaultFailure, context: KeyVaultErrorContext): AppError {
  const details = { vault: context.vault, name: context.name, object: context.object, appId: context.appId };
  if (failure.kind === 'network') {
    return new AppError('keyvault_unreachable', `Key Vault ${context.vault} could not be reached (${failure.code}). This is not a credential problem; it will be retried.`, { kind: 'transient', providerCode: failure.code, details });
  }
  const { status } = failure;
  const error = readError(failure.body);
  const provider = {
    ...(error.code === undefined ? {} : { providerCode: error.inner ?? error.code }),
    ...(error.message === undefined ? {} : { providerMessage: error.message }),
  };
  const retryAfterMs = failure.retryAfter !== undefined && Number.isFinite(Number(failure.retryAfter)) ? Number(failure.retryAfter) * 1000 : undefined;
  if (status === 429) {
    return new AppError('keyvault_throttled', `Key Vault ${context.vault} is throttling requests; retrying after the delay it asked for.`, { kind: 'throttled', ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...provider, details });
  }
  if (status >= 500) {
    return new AppError('keyvault_unavailable', `Key Vault ${context.vault} answered HTTP ${status}. This is not a credential problem; it will be retried.`, { kind: 'transient', ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...provider, details });
  }
  if (status === 401) {
    return new AppError('keyvault_unauthorized', `Key Vault ${context.vault} did not accept the token of application ${context.appId}. The Key Vault application must be registered in the vault's own tenant.`, { kind: 'auth', ...provider, details });
  }
  if (status === 403) {
    if (error.inner === 'SecretDisabled' || /disabled/i.test(error.message ?? '')) {
      return new AppError('keyvault_secret_disabled', `The secret behind certificate "${context.name}" in Key Vault ${context.vault} is disabled. Enable the current version of the certificate in Key Vault.`, { kind: 'auth', ...provider, details });
    }
    if (error.inner === 'ForbiddenByFirewall' || /firewall|network/i.test(error.message ?? '')) {
      return new AppError('keyvault_firewall', `Key Vault ${context.vault} refuses connections from this server's address (firewall / network rules).`, { kind: 'auth', ...provider, details });
    }
    const plural = context.object === 'certificate' ? 'Certificate' : 'Secret';
    return new AppError('keyvault_access_denied', `Application ${context.appId} may not read ${context.object}s in Key Vault ${context.vault}. Add an access policy for it with Get under both Secret permissions and Certificate permissions (the ${plural} permission is the one missing now), or the matching RBAC roles.`, { kind: 'auth', ...provider, details });
  }
  if (status === 404) {
    if (context.object === 'certificate') {
      return new AppError('keyvault_certificate_not_found', `Key Vault ${context.vault} has no certificate named "${context.name}". Check the Key Vault key name of the profile (it is the certificate's name, case-insensitive).`, { kind: 'auth', ...provider, details });
    }
    return new AppError('keyvault_secret_not_found', `Key Vault ${context.vault} has no secret behind certificate "${context.name}" (it was deleted or purged).`, { kind: 'auth', ...provider, details });
  }
  return new AppError('keyvault_request_rejected', `Key Vault ${context.vault} refused the request (HTTP ${status}${error.code ? `, ${error.code}` : ''}).`, { kind: 'permanent', ...provider, details });
}

function readError(body: unknown): { code?: string; message?: string; inner?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const e = error as { code?: unknown; message?: unknown; innererror?: { code?: unknown } };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.message === 'string' ? { message: e.message } : {}),
    ...(typeof e.innererror?.code === 'string' ? { inner: e.innererror.code } : {}),
  };
}
