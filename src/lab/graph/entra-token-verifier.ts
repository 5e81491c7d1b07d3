import type { LabTokenCheck } from '../entra/verify-lab-access-token.ts';
import type { VerifiedToken } from './start-graph-lab.ts';

/**
 * Plugs the lab Entra's token check into the lab Graph: a token is accepted when the lab Entra issued
 * it for Microsoft Graph (audience https://graph.microsoft.com or Graph's app id, as Entra writes
 * either), and its `roles` are the application permissions the lab Graph enforces.
 */
export const graphAudiences = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

export function entraTokenVerifier(
  verifyAccessToken: (token: string, audiences: string[]) => LabTokenCheck,
  audiences: string[] = graphAudiences,
): (token: string) => VerifiedToken | null {
  return (token) => {
    const check = verifyAccessToken(token, audiences);
    return check.ok ? { appId: check.claims.appid, roles: check.claims.roles } : null;
  };
}
