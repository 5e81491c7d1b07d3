import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../clock.ts';
import { clouds } from '../../auth/clouds.ts';
import { ExchangeOnlineTokenSource } from '../../auth/entra/exchange-online-token-source.ts';
import { openGraphDriver } from '../../exchange/graph/driver.ts';
import { startLabEntra, type LabEntra } from '../entra/lab-entra.ts';
import { wellKnownResources } from '../entra/lab-directory.ts';
import { labCa } from '../../../test/contract/graph-lab-fixture.ts';
import { entraTokenVerifier } from './entra-token-verifier.ts';
import { startGraphLab, type GraphLab } from './start-graph-lab.ts';

/**
 * The whole Exchange Online path of the lab: a certificate app in the lab Entra gets an app-only
 * Graph token through msal-node, and the lab Graph accepts it and enforces the roles it carries.
 */
describe('lab Graph with tokens from the lab Entra', () => {
  const tenant = 'tenant-exo';
  let entra: LabEntra;
  let graph: GraphLab;
  let certPem: string;

  before(async () => {
    const ca = await labCa();
    entra = await startLabEntra({ ca });
    entra.directory.addTenant(tenant, { domains: ['contoso.example'] });
    entra.directory.addResource(tenant, wellKnownResources.graph);
    const cert = ca.issueClientCert('dovetail-exo');
    certPem = cert.keyPem + cert.certPem;
    entra.directory.addApp(tenant, {
      clientId: 'app-full',
      certificates: [cert.certPem],
      grants: { 'https://graph.microsoft.com': ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'Tasks.ReadWrite.All', 'User.Read.All'] },
    });
    entra.directory.addApp(tenant, { clientId: 'app-mail-only', certificates: [cert.certPem], grants: { 'https://graph.microsoft.com': ['Mail.ReadWrite'] } });
    graph = await startGraphLab({ ca, verifyToken: entraTokenVerifier((token, audiences) => entra.verifyAccessToken(token, audiences)) });
    graph.addMailbox('ivy@contoso.example');
  });
  after(async () => {
    await graph.close();
    await entra.close();
  });

  let seed = 11;
  const driverFor = (appId: string) => {
    const tokens = new ExchangeOnlineTokenSource(
      { tenantId: tenant, appId, certificate: { source: 'profile', input: { format: 'pem', pem: certPem } } },
      { cloud: clouds.global, clock: systemClock, random: seededRandom(seed++), authorityOrigin: entra.url, trustedCaPems: [graph.caCertPem] },
    );
    const driver = openGraphDriver({ root: graph.url, trustedCaPem: graph.caCertPem, tokens, clock: systemClock, random: seededRandom(seed++) });
    return { driver, close: async () => (await driver.close(), await tokens.close()) };
  };

  it('passes Test Connection with every permission granted', async () => {
    const { driver, close } = driverFor('app-full');
    try {
      const checks = await driver.testConnection('ivy@contoso.example');
      assert.deepEqual(checks.filter((c) => !c.ok), []);
    } finally {
      await close();
    }
  });

  it('names the permissions an app lacks, and the lab Graph refuses what they guard', async () => {
    const { driver, close } = driverFor('app-mail-only');
    try {
      const checks = await driver.testConnection('ivy@contoso.example');
      const permissions = checks.find((c) => c.step === 'permissions');
      assert.equal(permissions?.ok, false);
      assert.match(permissions?.detail ?? '', /Mail\.Send.*Calendars\.ReadWrite.*Contacts\.ReadWrite.*Tasks\.ReadWrite\.All/);
      assert.equal(checks.find((c) => c.step === 'mailbox-access')?.ok, true);
      assert.equal(checks.find((c) => c.step === 'calendar-access')?.ok, false);
    } finally {
      await close();
    }
  });
});
