import { AppError } from '../../errors.ts';

/**
 * Entra issues app-only tokens even when no application permission was consented: the token then
 * simply has no `roles` claim, and EWS or Graph refuse it later with a vaguer error. Test Connection
 * and diagnostics read the roles of the token just received (over TLS, from Entra; not a validation)
 * to say plainly that consent is missing. Tokens that are not JWTs are not judged.
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
export function appRolesOf(accessToken: string): string[] | undefined {
  const payload = accessToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return undefined;
  }
}

export function missingConsent(
  accessToken: string,
  expected: { anyOf: string[]; clientId: string; tenantId: string; resource: string },
): AppError | undefined {
  const roles = appRolesOf(accessToken);
  if (roles === undefined || expected.anyOf.some((role) => roles.includes(role))) return undefined;
  return new AppError(
    'entra_consent_missing',
    `Application ${expected.clientId} has none of ${expected.anyOf.join(', ')} for ${expected.resource} in tenant ${expected.tenantId}${roles.length === 0 ? '' : ` (it has ${roles.join(', ')})`}. An administrator must add the application permission and select "Grant admin consent".`,
    { kind: 'auth', details: { clientId: expected.clientId, tenantId: expected.tenantId, roles } },
  );
}
