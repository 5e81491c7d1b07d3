/**
 * The kit's Key Vault samples (../shared/conformance/keyvault, read as published): the challenge
 * parses, the published certificate bundle drives our client to the secret named by its sid, the
 * thumbprint we compute matches the published x5t, the lab's bundles and challenge have the published
 * shapes, and the published (invalid JSON) error body is tolerated.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { isAppError } from '../../src/errors.ts';
import { parseBearerChallenge } from '../../src/auth/keyvault/parse-challenge.ts';
import { KeyVaultClient } from '../../src/auth/keyvault/key-vault-client.ts';
import { loadCertificate } from '../../src/auth/certificate/load-certificate.ts';
import { createTrustingAgent } from '../../src/auth/entra/undici-network-client.ts';
import { EntraTokenSource } from '../../src/auth/entra/entra-token-source.ts';
import { startLabHttpsServer, type LabHttpsServer } from '../../src/lab/tls/lab-ca.ts';
import { CERT_NAME, KV_APP, KV_SECRET, TENANT, startModernAuthLab, type ModernAuthLab } from '../auth/modern-auth-lab.ts';

const read = (name: string) => readFileSync(conformancePath(`keyvault/${name}`), 'utf8');
const example = (name: string) => (JSON.parse(read(name)) as { responses: { '200': { body: Record<string, unknown> } } }).responses['200'].body;

function keysDeep(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [`${prefix}${key}`, ...keysDeep(child, `${prefix}${key}.`)]);
}

describe('Key Vault samples as published', { skip: conformanceSkip() }, () => {
  let lab: ModernAuthLab;
  let server: LabHttpsServer;
  const served: string[] = [];
  let answer: (path: string, response: ServerResponse) => void = () => {};

  before(async () => {
    lab = await startModernAuthLab();
    server = await startLabHttpsServer(lab.ca.issueServerCert(['127.0.0.1']), (req: IncomingMessage, res: ServerResponse) => {
      served.push(req.url ?? '');
      answer(req.url ?? '', res);
    });
  });
  after(async () => {
    await server.close();
    await lab.close();
  });

  const client = () =>
    new KeyVaultClient({
      vaultUri: `${server.url}/`,
      appId: KV_APP,
      tokenSourceFor: () => {
        throw new Error('this vault asks for no token');
      },
      allowedAuthorityHosts: [],
      vaultResource: 'https://vault.azure.net',
      trustedCaPems: [lab.ca.caCertPem],
    });

  it('parses the published 401 challenge (typographic ellipses and trailing spaces included)', () => {
    const line = read('401-challenge-as-published.txt').split('\n').find((l) => l.startsWith('WWW-Authenticate:'))!;
    assert.deepEqual(parseBearerChallenge(line.slice('WWW-Authenticate:'.length)), { authorization: '…', resource: '…' });
  });

  it('computes the published x5t from the published certificate (base64url SHA-1 of the DER)', () => {
    const bundle = example('GetCertificate-example.json');
    const pem = `-----BEGIN CERTIFICATE-----\n${String(bundle['cer']).match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    const loaded = loadCertificate({ format: 'pem', pem });
    assert.equal(Buffer.from(loaded.thumbprintSha1, 'hex').toString('base64url'), bundle['x5t']);
  });

  it('follows the published bundle to its secret by sid path, api-version 7.4, and reads the secret value as the policy says', async () => {
    const certificate = example('GetCertificate-example.json');
    const secret = example('GetSecret-example.json');
    answer = (path, res) => {
      const body = JSON.stringify(path.startsWith('/certificates/') ? certificate : secret);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    const kv = client();
    // The published secret value is "mysecretvalue", not a PFX: the client must get there and say so.
    await assert.rejects(kv.getCertificate('selfSignedCert01'), (e) => isAppError(e, 'certificate_unreadable') && e.kind === 'auth');
    await kv.close();
    assert.deepEqual(served.slice(-2), ['/certificates/selfSignedCert01?api-version=7.4', '/secrets/selfSignedCert01/f60f2a4f8ae442cfb41ca2090bd4b769?api-version=7.4']);
  });

  it('tolerates the published error body, which is not valid JSON', async () => {
    const published = read('error-body-as-published.txt');
    for (const [status, code] of [[400, 'keyvault_request_rejected'], [403, 'keyvault_access_denied']] as const) {
      answer = (_path, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(published);
      const kv = client();
      await assert.rejects(kv.getCertificate('x'), (e) => isAppError(e, code));
      await kv.close();
    }
  });

  it('has the lab vault answer with the published challenge form and bundle shapes', async () => {
    const dispatcher = createTrustingAgent([lab.ca.caCertPem]);
    const tokens = new EntraTokenSource({ ...lab.env(), authorityHost: lab.entra.url, knownAuthority: true, tenantId: TENANT, clientId: KV_APP, scope: 'https://vault.azure.net/.default', credential: { kind: 'secret', secret: KV_SECRET }, purpose: 'keyvault' });
    try {
      const get = async (path: string, token?: string) => {
        const response = await request(`${lab.vault.vaultUri}${path}`, { dispatcher, headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
      };
      const challenged = await get(`certificates/${CERT_NAME}?api-version=7.4`);
      assert.equal(challenged.status, 401);
      assert.match(String(challenged.headers['www-authenticate']), /^Bearer authorization="[^"]+", resource="[^"]+"$/);
      const token = (await tokens.getToken()).token;
      const bundle = await get(`certificates/${CERT_NAME}?api-version=7.4`, token);
      assert.equal(bundle.status, 200);
      const missingInBundle = keysDeep(example('GetCertificate-example.json')).filter((k) => !keysDeep(bundle.body).includes(k));
      assert.deepEqual(missingInBundle, []);
      const sid = new URL(String(bundle.body['sid']));
      const secret = await get(`${sid.pathname.slice(1)}?api-version=7.4`, token);
      const missingInSecret = keysDeep(example('GetSecret-example.json')).filter((k) => !keysDeep(secret.body).includes(k));
      assert.deepEqual(missingInSecret, []);
    } finally {
      await tokens.close();
      await dispatcher.close();
    }
  });
});
