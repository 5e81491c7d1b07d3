import { constants, sign } from 'node:crypto';
import type { Clock, Random } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { LoadedCertificate } from '../certificate/load-certificate.ts';

/**
 * The signed JWT a confidential client presents instead of a secret (RFC 7523), the way Entra's
 * "certificate credentials" page describes it today: alg PS256, header x5t#S256 = base64url(SHA-256(DER)),
 * and x5c (the certificate chain, base64 DER) when the app trusts "subject name + issuer" instead of a
 * registered key. Claims: aud = the token endpoint, iss = sub = client id, jti unique, nbf/iat now, exp short.
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 *
 * We sign it ourselves (msal-node takes it through its clientAssertion callback) so time and the jti
 * come from the injected Clock/Random, and a certificate rotated in Key Vault is used on the next
 * request without rebuilding the msal application.
 */
export type ClientAssertionInput = {
  clientId: string;
  /** The token endpoint the assertion is sent to. */
  audience: string;
  certificate: LoadedCertificate;
  includeX5c: boolean;
  clock: Clock;
  random: Random;
  /** Seconds; Entra places no limit, its docs advise 5-10 minutes at most. */
  lifetimeSeconds?: number;
};

export function createClientAssertion(input: ClientAssertionInput): string {
  const key = input.certificate.privateKey;
  if (key === undefined) {
    throw new AppError('certificate_no_private_key', 'The certificate has no private key to sign the client assertion.', { kind: 'auth' });
  }
  const now = Math.floor(input.clock.now() / 1000);
  const header: Record<string, unknown> = { alg: 'PS256', typ: 'JWT', 'x5t#S256': input.certificate.x5tS256 };
  if (input.includeX5c) {
    header['x5c'] = [input.certificate.certPem, ...input.certificate.chainPems].map(pemBody);
  }
  const payload = {
    aud: input.audience,
    iss: input.clientId,
    sub: input.clientId,
    jti: input.random.uuid(),
    nbf: now,
    iat: now,
    exp: now + (input.lifetimeSeconds ?? 600),
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    // RFC 7518 section 3.5: PS256 uses a salt as long as the hash.
    saltLength: 32,
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
