import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { createAuthenticateMessage, createNegotiateMessage, tlsChannelBindings } from '../../src/auth/ntlm/index.ts';
import { connect } from 'node:tls';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { basic, post, soap } from './support/ews-http.ts';
import { ALEX, MEGAN } from './support/lab-fixture.ts';

const GET_INBOX = soap(`<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, { impersonate: ALEX });

function challengeOf(header: string | string[] | undefined): Buffer {
  const values = Array.isArray(header) ? header : [header ?? ''];
  const ntlm = values.find((v) => v.startsWith('NTLM '));
  if (!ntlm) throw new Error(`no NTLM challenge in ${JSON.stringify(values)}`);
  return Buffer.from(ntlm.slice(5), 'base64');
}

async function ntlmHandshake(lab: LabHandle, user: string, password: string, channelBindings?: Buffer): Promise<{ agent: Agent; status: number; followUp?: number }> {
  // One connection: NTLM authenticates the connection, so the three legs must share it.
  const agent = new Agent({ connect: { ca: lab.caCertPem }, connections: 1, pipelining: 1 });
  const negotiate = createNegotiateMessage();
  const first = await post(lab.ewsUrl, agent, GET_INBOX, `NTLM ${negotiate.toString('base64')}`);
  assert.equal(first.status, 401);
  const auth = createAuthenticateMessage({
    negotiateMessage: negotiate,
    challengeMessage: challengeOf(first.headers['www-authenticate']),
    credentials: { username: user, password, domain: 'CONTOSO' },
    clock: fixedClock(Date.parse('2026-11-22T00:00:00Z')),
    random: seededRandom(7),
    ...(channelBindings ? { channelBindings } : {}),
  });
  const second = await post(lab.ewsUrl, agent, GET_INBOX, `NTLM ${auth.message.toString('base64')}`);
  if (second.status !== 200) return { agent, status: second.status };
  const third = await post(lab.ewsUrl, agent, GET_INBOX, undefined);
  return { agent, status: second.status, followUp: third.status };
}

describe('lab authentication: NTLMv2, Basic, Bearer', () => {
  let lab: LabHandle;
  before(async () => {
    lab = await startLab({
      authSchemes: ['NTLM', 'Basic', 'Bearer'],
      verifyBearer: (token) => {
        if (token === 'app-token') return { ok: true, appId: 'app-1', roles: ['full_access_as_app'] };
        if (token === 'megan-token') return { ok: true, upn: MEGAN };
        return { ok: false, reason: 'bad signature' };
      },
    });
  });
  after(async () => {
    await lab.close();
  });

  it('verifies the NTProofStr: right password authenticates the connection, wrong one gets 401', async () => {
    const good = await ntlmHandshake(lab, 'svc-dovetail', 'Lab-Service-2026!');
    assert.equal(good.status, 200);
    assert.equal(good.followUp, 200, 'the authenticated keep-alive connection needs no new handshake');
    await good.agent.close();
    const bad = await ntlmHandshake(lab, 'svc-dovetail', 'wrong password');
    assert.equal(bad.status, 401);
    await bad.agent.close();
    const unknown = await ntlmHandshake(lab, 'nobody', 'x');
    assert.equal(unknown.status, 401);
    await unknown.agent.close();
  });

  it('answers 401 listing every enabled scheme, and accepts Basic', async () => {
    const agent = new Agent({ connect: { ca: lab.caCertPem } });
    const none = await post(lab.ewsUrl, agent, GET_INBOX, undefined);
    assert.equal(none.status, 401);
    assert.deepEqual(none.headers['www-authenticate'], ['NTLM', 'Basic realm="exlab"', 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"']);
    assert.equal((await post(lab.ewsUrl, agent, GET_INBOX, basic('svc-dovetail', 'Lab-Service-2026!'))).status, 200);
    assert.equal((await post(lab.ewsUrl, agent, GET_INBOX, basic('svc-dovetail', 'nope'))).status, 401);
    await agent.close();
  });

  it('accepts Bearer tokens through the injected verifier: app-only impersonates, a user token reaches its own mailbox', async () => {
    const agent = new Agent({ connect: { ca: lab.caCertPem } });
    assert.equal((await post(lab.ewsUrl, agent, GET_INBOX, 'Bearer app-token')).status, 200);
    const own = soap(`<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`);
    assert.equal((await post(lab.ewsUrl, agent, own, 'Bearer megan-token')).status, 200);
    const denied = await post(lab.ewsUrl, agent, GET_INBOX, 'Bearer megan-token');
    assert.equal(denied.status, 500);
    assert.match(denied.body, /a:ErrorImpersonateUserDenied/);
    const bad = await post(lab.ewsUrl, agent, GET_INBOX, 'Bearer forged');
    assert.equal(bad.status, 401);
    assert.match(String(bad.headers['www-authenticate']), /error="invalid_token"/);
    await agent.close();
  });

  it('checks NTLM channel bindings (Extended Protection) against its certificate', async () => {
    const ep = await startLab({ extendedProtection: 'require' });
    const port = Number(new URL(ep.ewsUrl).port);
    const der = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: ep.caCertPem, servername: 'localhost' }, () => {
        resolve(socket.getPeerCertificate().raw);
        socket.end();
      });
      socket.on('error', reject);
    });
    const none = await ntlmHandshake(ep, 'svc-dovetail', 'Lab-Service-2026!');
    assert.equal(none.status, 401, 'required bindings missing');
    await none.agent.close();
    const right = await ntlmHandshake(ep, 'svc-dovetail', 'Lab-Service-2026!', tlsChannelBindings(der));
    assert.equal(right.status, 200);
    await right.agent.close();
    await ep.close();
    const wrong = await ntlmHandshake(lab, 'svc-dovetail', 'Lab-Service-2026!', Buffer.alloc(16, 7));
    assert.equal(wrong.status, 401, 'bindings of another certificate are refused even when optional');
    await wrong.agent.close();
  });

  it('refuses Basic when the lab disables it, naming only the schemes it offers', async () => {
    const ntlmOnly = await startLab({ authSchemes: ['NTLM'] });
    const agent = new Agent({ connect: { ca: ntlmOnly.caCertPem } });
    const r = await post(ntlmOnly.ewsUrl, agent, GET_INBOX, basic('svc-dovetail', 'Lab-Service-2026!'));
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'NTLM');
    await agent.close();
    await ntlmOnly.close();
  });
});
