/**
 * Hybrid Modern Auth in the lab: the lab Entra issues an app-only token for the Exchange resource,
 * the lab EWS accepts it (and impersonates), and refuses tokens for another audience.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { createLabCa } from '../../src/lab/tls/lab-ca.ts';
import { startLabEntra, type LabEntra } from '../../src/lab/entra/lab-entra.ts';
import { wellKnownResources } from '../../src/lab/entra/lab-directory.ts';
import { labEntraBearer } from '../../src/lab/http/lab-entra-bearer.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { post, soap } from './support/ews-http.ts';
import { ALEX } from './support/lab-fixture.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const EWS_RESOURCE = 'https://mail.contoso.lab';

describe('lab EWS with Bearer tokens from the lab Entra (HMA)', () => {
  let entra: LabEntra;
  let lab: LabHandle;
  let agent: Agent;
  before(async () => {
    const ca = await createLabCa();
    entra = await startLabEntra({ ca });
    entra.directory.addTenant(TENANT, { domains: ['contoso.lab'] });
    entra.directory.addResource(TENANT, { ...wellKnownResources.exchangeOnline, identifierUris: [...wellKnownResources.exchangeOnline.identifierUris, EWS_RESOURCE] });
    entra.directory.addResource(TENANT, wellKnownResources.graph);
    entra.directory.addApp(TENANT, { clientId: APP, secrets: ['s3cret-value'], grants: { [EWS_RESOURCE]: ['full_access_as_app'], 'https://graph.microsoft.com': ['Mail.Read'] } });
    lab = await startLab({ authSchemes: ['NTLM', 'Bearer'], verifyBearer: labEntraBearer(entra, [EWS_RESOURCE]) });
    agent = new Agent({ connect: { ca: [ca.caCertPem, lab.caCertPem] } });
  });
  after(async () => {
    await agent.close();
    await lab.close();
    await entra.close();
  });

  const tokenFor = async (scope: string): Promise<string> => {
    const res = await request(`${entra.url}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: APP, client_secret: 's3cret-value', scope }).toString(),
    });
    const body = (await res.body.json()) as { access_token?: string };
    assert.equal(res.statusCode, 200, JSON.stringify(body));
    return body.access_token!;
  };

  const getInbox = soap(`<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: ALEX });

  it('accepts an app-only token for the Exchange resource and impersonates with it', async () => {
    const token = await tokenFor(`${EWS_RESOURCE}/.default`);
    const r = await post(lab.ewsUrl, agent, getInbox, `Bearer ${token}`);
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /<t:DisplayName>Inbox<\/t:DisplayName>/);
    assert.equal(lab.api.requests(ALEX).at(-1)?.principal, APP);
  });

  it('refuses a token issued for another audience, with a Bearer challenge', async () => {
    const token = await tokenFor('https://graph.microsoft.com/.default');
    const r = await post(lab.ewsUrl, agent, getInbox, `Bearer ${token}`);
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /Bearer .*error="invalid_token"/);
  });
});
