import type { LabTokenCheck } from '../entra/verify-lab-access-token.ts';
import type { BearerVerifier } from '../lab-state.ts';

/**
 * Bearer verification for the lab's EWS by the lab Entra: a token must be signed by it and issued
 * for one of `audiences` (with Hybrid Modern Auth, the on-premises EWS URL registered on the
 * "Office 365 Exchange Online" app). App-only tokens carry roles (full_access_as_app may impersonate);
 * delegated ones name the user (upn / preferred_username).
 */
export function labEntraBearer(entra: { verifyAccessToken(token: string, audiences: string[]): LabTokenCheck }, audiences: string[]): BearerVerifier {
  return (token) => {
    const check = entra.verifyAccessToken(token, audiences);
    if (!check.ok) return { ok: false, reason: check.reason };
    const c = check.claims;
    const upn = typeof c['upn'] === 'string' ? c['upn'] : typeof c['preferred_username'] === 'string' ? c['preferred_username'] : undefined;
    return { ok: true, appId: c.appid, roles: c.roles, ...(upn ? { upn } : {}) };
  };
}
