import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import type { LabApp, LabKeyCredential } from './lab-directory.ts';
import { decodeJwt, verifyJwtSignature } from './lab-jwt.ts';

/**
 * How the lab Entra authenticates a confidential client, checking what Entra checks:
 * a client secret (not expired), or a client assertion JWT whose signature verifies with a
 * certificate registered on the app (found by x5t#S256 or x5t) or trusted by subject name + issuer
 * (x5c), with iss = sub = client_id, aud = this token endpoint, exp/nbf within 5 minutes of skew,
 * and a jti not seen before.
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
export type EntraFailure = { status: number; error: string; code: number; message: string };
export type CredentialCheck = { ok: true; method: 'secret' | 'certificate'; thumbprint?: string } | { ok: false; failure: EntraFailure };

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SKEW_SECONDS = 300;

export function checkClientCredential(input: {
  app: LabApp;
  form: URLSearchParams;
  /** Token endpoint URLs this request may name as aud. */
  audiences: string[];
  nowMs: number;
  seenJti: Map<string, number>;
}): CredentialCheck {
  const { app, form } = input;
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret === null && assertion === null) {
    return fail(400, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  if (secret !== null) return checkSecret(app, secret, input.nowMs);
  if (form.get('client_assertion_type') !== JWT_BEARER) {
    return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'.");
  }
  return checkAssertion({ ...input, assertion: assertion! });
}

function checkSecret(app: LabApp, secret: string, nowMs: number): CredentialCheck {
  const given = createHash('sha256').update(secret).digest();
  const match = app.secrets.find((s) => timingSafeEqual(createHash('sha256').update(s.value).digest(), given));
  if (!match) {
    return fail(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
  }
  if (match.expiresAt !== undefined && match.expiresAt < nowMs) {
    return fail(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired.`);
  }
  return { ok: true, method: 'secret' };
}

function checkAssertion(input: { app: LabApp; assertion: string; audiences: string[]; nowMs: number; seenJti: Map<string, number> }): CredentialCheck {
  const { app } = input;
  const jwt = decodeJwt(input.assertion);
  if (!jwt) return fail(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  const { header, payload } = jwt;
  if (header['alg'] !== 'PS256' && header['alg'] !== 'RS256') {
    return fail(401, 'invalid_client', 5002738, `Invalid JWT token. '${String(header['alg'])}' is not a supported signature algorithm.`);
  }
  const credential = findKey(app, header, input.nowMs);
  if ('failure' in credential) return credential;
  if (!verifyJwtSignature(jwt, credential.publicKeySource.publicKey)) {
    return fail(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  if (payload['iss'] !== app.clientId || payload['sub'] !== app.clientId) {
    return fail(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
  }
  const normalize = (value: unknown) => String(value).replace(/\/+$/, '').toLowerCase();
  if (!input.audiences.map(normalize).includes(normalize(payload['aud']))) {
    return fail(401, 'invalid_client', 700212, `Client assertion audience claim does not match Realm issuer; the audience must be the token endpoint (${input.audiences[0]}).`);
  }
  const now = Math.floor(input.nowMs / 1000);
  const exp = payload['exp'];
  const nbf = payload['nbf'];
  if (typeof exp !== 'number' || now > exp + SKEW_SECONDS || (typeof nbf === 'number' && now + SKEW_SECONDS < nbf)) {
    return fail(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(input.nowMs).toISOString()}, assertion valid from ${typeof nbf === 'number' ? new Date(nbf * 1000).toISOString() : 'unset'}, expiry time of assertion ${typeof exp === 'number' ? new Date(exp * 1000).toISOString() : 'unset'}.`);
  }
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0) return fail(401, 'invalid_client', 50013, 'Assertion is invalid: the jti claim is missing.');
  for (const [seen, until] of input.seenJti) if (until < now) input.seenJti.delete(seen);
  if (input.seenJti.has(jti)) return fail(401, 'invalid_client', 50013, 'Assertion is invalid: the assertion has already been used (jti replay).');
  input.seenJti.set(jti, exp + SKEW_SECONDS);
  return { ok: true, method: 'certificate', thumbprint: credential.thumbprint };
}

type KeyLookup = { publicKeySource: X509Certificate; thumbprint: string } | { ok: false; failure: EntraFailure };

function findKey(app: LabApp, header: Record<string, unknown>, nowMs: number): KeyLookup {
  const byS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const bySha1 = typeof header['x5t'] === 'string' ? header['x5t'] : undefined;
  const registered: LabKeyCredential | undefined = app.certificates.find(
    (c) => (byS256 !== undefined && c.x5tS256 === byS256) || (bySha1 !== undefined && c.x5t === bySha1),
  );
  if (registered) {
    if (new Date(registered.certificate.validTo).getTime() < nowMs) {
      return fail(401, 'invalid_client', 700027, `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprintHex(registered)}']`);
    }
    return { publicKeySource: registered.certificate, thumbprint: thumbprintHex(registered) };
  }
  const x5c = header['x5c'];
  if (Array.isArray(x5c) && typeof x5c[0] === 'string' && app.subjectIssuerTrust.length > 0) {
    const leaf = safeCertificate(x5c[0]);
    if (leaf) {
      const hash = createHash('sha256').update(leaf.raw).digest('base64url');
      const trusted = app.subjectIssuerTrust.some((t) => {
        const issuer = new X509Certificate(t.issuerCertPem);
        return sameSubject(leaf.subject, t.subject) && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey);
      });
      const valid = new Date(leaf.validFrom).getTime() <= nowMs && nowMs <= new Date(leaf.validTo).getTime();
      if (trusted && valid && (byS256 === undefined || byS256 === hash)) {
        return { publicKeySource: leaf, thumbprint: createHash('sha1').update(leaf.raw).digest('hex').toUpperCase() };
      }
    }
  }
  const thumbprint = byS256 ?? bySha1 ?? 'none';
  return fail(401, 'invalid_client', 700027, `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`);
}

function thumbprintHex(credential: LabKeyCredential): string {
  return createHash('sha1').update(credential.certificate.raw).digest('hex').toUpperCase();
}

function safeCertificate(base64Der: string): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(base64Der, 'base64'));
  } catch {
    return undefined;
  }
}

function sameSubject(subject: string, wanted: string): boolean {
  const norm = (s: string) => s.replace(/^CN=/i, '').replace(/\n/g, ',').trim().toLowerCase();
  return norm(subject) === norm(wanted);
}

function fail(status: number, error: string, code: number, message: string): { ok: false; failure: EntraFailure } {
  return { ok: false, failure: { status, error, code, message } };
}
