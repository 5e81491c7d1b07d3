/**
 * End to end across the lab: a token the Exchange Online token source gets from the lab Entra is
 * accepted by the lab Graph (which checks it with verifyLabAccessToken's claims), and the roles
 * consented in Entra decide what Graph allows.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { ExchangeOnlineTokenSource } from '../../src/auth/entra/exchange-online-token-source.ts';
import { createTrustingAgent } from '../../src/auth/entra/undici-network-client.ts';
import { startGraphLab, type GraphLab } from '../../src/lab/graph/start-graph-lab.ts';
import { EXO_APP, TENANT, startModernAuthLab, type ModernAuthLab } from './modern-auth-lab.ts';

describe('lab Entra tokens at the lab Graph', () => {
  let lab: ModernAuthLab;
  let graph: GraphLab;
  const sources: ExchangeOnlineTokenSource[] = [];

  before(async () => {
    lab = await startModernAuthLab();
    graph = await startGraphLab({
      ca: lab.ca,
      verifyToken: (token) => {
        const check = lab.entra.verifyAccessToken(token, ['https://graph.microsoft.com']);
        return check.ok ? { appId: check.claims.appid, roles: check.claims.roles } : null;
      },
    });
    graph.addMailbox(`alex@contoso.com`, { displayName: 'Alex' });
  });
  after(async () => {
    for (const source of sources) await source.close();
    await graph.close();
    await lab.close();
  });

  const getUser = async (token: string) => {
    const dispatcher = createTrustingAgent([lab.ca.caCertPem]);
    try {
      const response = await request(`${graph.url}/v1.0/users/alex@contoso.com`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
      await response.body.dump();
      return response.statusCode;
    } finally {
      await dispatcher.close();
    }
  };
  const tokenFor = async (clientId: string, roles: string[]) => {
    const cert = lab.ca.issueClientCert(clientId);
    lab.entra.directory.addApp(TENANT, { clientId, certificates: [cert.certPem], grants: { 'https://graph.microsoft.com': roles } });
    const source = new ExchangeOnlineTokenSource({ tenantId: TENANT, appId: clientId, certificate: { source: 'profile', input: { format: 'pem', pem: cert.keyPem + cert.certPem } } }, lab.env());
    sources.push(source);
    return (await source.getToken()).token;
  };

  it('is accepted with the consented role and refused without it', async () => {
    assert.equal(await getUser(await tokenFor(EXO_APP, ['User.Read.All'])), 200);
    assert.equal(await getUser(await tokenFor('ffffffff-0000-4000-8000-00000000000f', ['Mail.Read'])), 403);
  });

  it('is refused when tampered with', async () => {
    const token = await tokenFor('ffffffff-0000-4000-8000-0000000000f1', ['User.Read.All']);
    const [h, p, s] = token.split('.');
    const forged = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    assert.equal(await getUser(forged), 401);
  });
});
