import { createPublicKey } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { decodeJwt, verifyJwtSignature } from './lab-jwt.ts';

/**
 * For the lab's EWS, Graph and Key Vault: checks an access token the lab Entra issued, the way a
 * resource server checks Entra tokens: signature against the published keys (JWKS, by kid), issuer,
 * audience, and time (5 minutes of skew, like Microsoft's token validation defaults).
 */
export type LabAccessTokenClaims = {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  roles: string[];
  exp: number;
  nbf: number;
  [claim: string]: unknown;
};

export type LabTokenCheck =
  | { ok: true; claims: LabAccessTokenClaims }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'wrong-issuer' | 'wrong-audience' | 'expired' | 'not-yet-valid'; message: string };

export type JsonWebKeySet = { keys: Array<Record<string, unknown>> };

export function verifyLabAccessToken(
  token: string,
  options: {
    jwks: JsonWebKeySet;
    /** Accepted audiences; compared without a trailing slash and case-insensitively, as Entra resources are. */
    audiences: string[];
    /** Accepted issuers (LabEntra.issuer(tenantId)); omit to accept any tenant of this lab Entra. */
    issuers?: string[];
    clock: Clock;
    skewSeconds?: number;
  },
): LabTokenCheck {
  const jwt = decodeJwt(token);
  if (jwt === undefined || jwt.header['alg'] !== 'RS256') return { ok: false, reason: 'malformed', message: 'not a signed JWT' };
  const jwk = options.jwks.keys.find((k) => k['kid'] === jwt.header['kid']);
  if (jwk === undefined) return { ok: false, reason: 'unknown-key', message: `no published key with kid ${String(jwt.header['kid'])}` };
  const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  if (!verifyJwtSignature(jwt, key)) return { ok: false, reason: 'bad-signature', message: 'signature does not verify' };
  const claims = jwt.payload as LabAccessTokenClaims;
  if (options.issuers !== undefined && !options.issuers.includes(String(claims.iss))) {
    return { ok: false, reason: 'wrong-issuer', message: `issuer ${String(claims.iss)} is not accepted` };
  }
  const normalize = (value: string) => value.replace(/\/+$/, '').toLowerCase();
  if (!options.audiences.map(normalize).includes(normalize(String(claims.aud)))) {
    return { ok: false, reason: 'wrong-audience', message: `audience ${String(claims.aud)} is not accepted` };
  }
  const now = Math.floor(options.clock.now() / 1000);
  const skew = options.skewSeconds ?? 300;
  if (typeof claims.exp !== 'number' || now > claims.exp + skew) return { ok: false, reason: 'expired', message: 'token expired' };
  if (typeof claims.nbf === 'number' && now + skew < claims.nbf) return { ok: false, reason: 'not-yet-valid', message: 'token not valid yet' };
  return { ok: true, claims: { ...claims, roles: Array.isArray(claims.roles) ? claims.roles : [] } };
}
