import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { isAppError } from '../../src/errors.ts';
import { KeyVaultClient } from '../../src/auth/keyvault/key-vault-client.ts';
import { EntraTokenSource } from '../../src/auth/entra/entra-token-source.ts';
import { createTrustingAgent } from '../../src/auth/entra/undici-network-client.ts';
import { startLabHttpsServer, type LabHttpsServer } from '../../src/lab/tls/lab-ca.ts';
import { wellKnownResources } from '../../src/lab/entra/lab-directory.ts';
import { CERT_NAME, KV_APP, KV_SECRET, TENANT, leaks, startModernAuthLab, type ModernAuthLab } from './modern-auth-lab.ts';

const OTHER_TENANT = '99999999-8888-7777-6666-555555555555';

describe('Key Vault client: challenge handling and the lab vault', () => {
  let lab: ModernAuthLab;
  let rogue: LabHttpsServer;
  let rogueAnswer: (res: ServerResponse) => void = () => {};
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    lab = await startModernAuthLab();
    lab.entra.directory.addTenant(OTHER_TENANT);
    lab.entra.directory.addResource(OTHER_TENANT, wellKnownResources.keyVault);
    lab.entra.directory.addApp(OTHER_TENANT, { clientId: KV_APP, secrets: [KV_SECRET] });
    rogue = await startLabHttpsServer(lab.ca.issueServerCert(['127.0.0.1']), (_req, res) => rogueAnswer(res));
  });
  after(async () => {
    for (const close of closers) await close();
    await rogue.close();
    await lab.close();
  });

  const tokenSource = (tenantId: string, scope: string) => {
    const source = new EntraTokenSource({ ...lab.env(), authorityHost: lab.entra.url, knownAuthority: true, tenantId, clientId: KV_APP, scope, credential: { kind: 'secret', secret: KV_SECRET }, purpose: 'keyvault' });
    closers.push(() => source.close());
    return source;
  };
  const client = (vaultUri: string, tokenSourceFor: (tenantId: string, scope: string) => EntraTokenSource) => {
    const kv = new KeyVaultClient({ vaultUri, appId: KV_APP, tokenSourceFor, allowedAuthorityHosts: [lab.entra.host], vaultResource: 'https://vault.azure.net', trustedCaPems: [lab.ca.caCertPem], log: lab.log });
    closers.push(() => kv.close());
    return kv;
  };

  it('follows the challenge to the vault tenant and reads the certificate and key', async () => {
    const asked: string[] = [];
    const kv = client(lab.vault.vaultUri, (tenantId, scope) => {
      asked.push(`${tenantId} ${scope}`);
      return tokenSource(tenantId, scope);
    });
    const read = await kv.getCertificate(CERT_NAME);
    // Asked once per request (certificate, then secret), always for the vault tenant and resource.
    assert.deepEqual(asked, [`${TENANT} https://vault.azure.net/.default`, `${TENANT} https://vault.azure.net/.default`]);
    assert.equal(read.contentType, 'application/x-pkcs12');
    assert.match(read.version, /^[0-9a-f]{32}$/);
    assert.equal(read.certificate.certificate.checkPrivateKey(read.certificate.privateKey!), true);
    // The challenge is remembered: the second read goes straight in with the token.
    const before = lab.vault.requests;
    await kv.getCertificate(CERT_NAME);
    assert.equal(lab.vault.requests, before + 2);
  });

  it('refuses a challenge naming an authority outside the profile cloud, or another resource, and sends nothing', async () => {
    let asked = 0;
    const never = () => {
      asked++;
      return tokenSource(TENANT, 'x');
    };
    rogueAnswer = (res) => res.writeHead(401, { 'www-authenticate': `Bearer authorization="https://login.attacker.example/${TENANT}", resource="https://vault.azure.net"` }).end();
    await assert.rejects(client(`${rogue.url}/`, never).getCertificate('x'), (e) => isAppError(e, 'keyvault_challenge_untrusted') && /login\.attacker\.example/.test(e.message));
    rogueAnswer = (res) => res.writeHead(401, { 'www-authenticate': `Bearer authorization="${lab.entra.url}/${TENANT}", resource="https://graph.microsoft.com"` }).end();
    await assert.rejects(client(`${rogue.url}/`, never).getCertificate('x'), (e) => isAppError(e, 'keyvault_challenge_untrusted'));
    rogueAnswer = (res) => res.writeHead(401).end();
    await assert.rejects(client(`${rogue.url}/`, never).getCertificate('x'), (e) => isAppError(e, 'keyvault_challenge_invalid'));
    assert.equal(asked, 0);
  });

  it('says the token was refused when it comes from another tenant than the vault', async () => {
    const kv = client(lab.vault.vaultUri, (_tenantId, scope) => tokenSource(OTHER_TENANT, scope));
    await assert.rejects(kv.getCertificate(CERT_NAME), (e) => isAppError(e, 'keyvault_unauthorized') && e.kind === 'auth' && e.providerCode === 'Unauthorized');
  });

  it('rejects non-https vault URIs and non-exportable keys', async () => {
    assert.throws(() => client('http://vault.example/', () => tokenSource(TENANT, 'x')), (e) => isAppError(e, 'keyvault_uri_invalid'));
    lab.vault.importCertificate('Locked', lab.ca.issueClientCert('locked'), { exportable: false });
    await assert.rejects(client(lab.vault.vaultUri, (t, s) => tokenSource(t, s)).getCertificate('Locked'), (e) => isAppError(e, 'keyvault_key_not_exportable'));
  });

  it('has the lab vault require an api-version, like the real one', async () => {
    const dispatcher = createTrustingAgent([lab.ca.caCertPem]);
    const response = await request(`${lab.vault.vaultUri}certificates/${CERT_NAME}`, { dispatcher });
    assert.equal(response.statusCode, 400);
    assert.equal(((await response.body.json()) as { error: { code: string } }).error.code, 'MissingApiVersionParameter');
    await dispatcher.close();
  });

  it('logs names, versions and thumbprints only', () => {
    assert.ok(lab.log.lines.some((line) => line.includes('keyvault.certificate_read')));
    for (const line of lab.log.lines) assert.deepEqual(leaks(line, [KV_SECRET, lab.hmaCert.keyPem]), [], line);
  });
});
