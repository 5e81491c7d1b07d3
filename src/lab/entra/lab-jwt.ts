import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The few JWS operations the lab needs (RFC 7515/7518), on node:crypto: sign RS256 access tokens,
 * verify RS256/PS256 client assertions and access tokens. Kept small on purpose; the lab must
 * check what Entra checks, not be a general JOSE library.
 */
export type DecodedJwt = {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
};

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

export function signRs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}

export function verifyJwtSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  try {
    switch (jwt.header['alg']) {
      case 'RS256':
        return verify('sha256', data, key, jwt.signature);
      case 'PS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** A public JWK of an RSA key, as published at a jwks_uri. */
export function rsaJwk(key: KeyObject, kid: string): Record<string, unknown> {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return { kty: jwk.kty, use: 'sig', kid, n: jwk.n, e: jwk.e, alg: 'RS256' };
}

function b64(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
