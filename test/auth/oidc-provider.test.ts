/**
 * Our certificate credential against an independent, standards OAuth server: oidc-provider, set up
 * for the client credentials grant with private_key_jwt client authentication (RFC 7523) and PS256.
 * msal-node is the client (protocol mode OIDC, the issuer as a known authority) with our
 * PS256 / x5t#S256 assertion, so the assertion is checked by code that is not ours.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { systemClock, systemRandom, fixedClock } from '../../src/clock.ts';
import { isAppError } from '../../src/errors.ts';
import { EntraTokenSource } from '../../src/auth/entra/entra-token-source.ts';
import { loadCertificate, type LoadedCertificate } from '../../src/auth/certificate/load-certificate.ts';
import { createLabCa, startLabHttpsServer, type LabCa, type LabHttpsServer } from '../../src/lab/tls/lab-ca.ts';
import { captureLog, leaks } from './modern-auth-lab.ts';

const SCOPE = 'https://api.dovetail.lab/.default';
const CLIENT_ID = 'dovetail-app';

describe('client credentials with private_key_jwt against oidc-provider', () => {
  let ca: LabCa;
  let server: LabHttpsServer;
  let registered: LoadedCertificate;
  let issuer: string;
  const log = captureLog();
  const sources: EntraTokenSource[] = [];

  before(async () => {
    ca = await createLabCa();
    const issued = ca.issueClientCert('oidc client');
    registered = loadCertificate({ format: 'pem', pem: issued.keyPem + issued.certPem });
    const jwk = { ...createPublicKey(issued.certPem).export({ format: 'jwk' }), use: 'sig', alg: 'PS256' };
    let provider: Provider | undefined;
    server = await startLabHttpsServer(ca.issueServerCert(['127.0.0.1']), (req, res) => {
      void provider!.callback()(req, res);
    });
    issuer = server.url;
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'PS256',
          scope: SCOPE,
          jwks: { keys: [jwk] },
        },
      ],
      scopes: [SCOPE],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
      ttl: { ClientCredentials: 3600 },
      jwks: { keys: [{ ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })), use: 'sig', kid: 'lab' }] },
    });
  });
  after(async () => {
    for (const source of sources) await source.close();
    await server.close();
  });

  const source = (certificate: LoadedCertificate, clock = systemClock) => {
    const created = new EntraTokenSource({
      authorityHost: issuer,
      genericOidc: true,
      knownAuthority: true,
      tenantId: 'unused',
      clientId: CLIENT_ID,
      scope: SCOPE,
      credential: { kind: 'certificate', current: async () => certificate },
      purpose: 'graph',
      clock,
      random: systemRandom,
      log,
      trustedCaPems: [ca.caCertPem],
    });
    sources.push(created);
    return created;
  };

  it('gets an access token with msal-node and our PS256 assertion', async () => {
    const token = await source(registered).getToken();
    assert.ok(token.token.length > 20);
    assert.ok(token.expiresAt > systemClock.now());
  });

  it('is refused by oidc-provider when the assertion is signed with another key', async () => {
    const other = ca.issueClientCert('oidc client');
    await assert.rejects(
      source(loadCertificate({ format: 'pem', pem: other.keyPem + other.certPem })).getToken(),
      (e) => isAppError(e) && e.kind === 'auth' && e.code === 'entra_request_rejected' && /invalid_client/.test(e.message),
    );
  });

  // oidc-provider keeps its reasons to itself ("client authentication failed"); the first test passes
  // with the same certificate on the right clock, so here only the time differs.
  it('is refused by oidc-provider when our clock has the assertion expired', async () => {
    const past = fixedClock(systemClock.now() - 60 * 60_000);
    await assert.rejects(source(registered, past).getToken(), (e) => isAppError(e) && e.kind === 'auth' && /invalid_client/.test(e.message));
  });

  it('leaves no token or assertion in the log', () => {
    for (const line of log.lines) assert.deepEqual(leaks(line, []), [], line);
  });
});
