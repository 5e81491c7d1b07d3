import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { Agent, request } from 'undici';
import type { LabHandle } from '../../lab/lab.ts';
import { register } from './lab.ts';

async function run(args: string[], whileRunning: (lab: LabHandle, out: () => string) => Promise<void>): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((r) => (stop = r));
  const program = new Command().exitOverride();
  register(program, {
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    setExitCode: (n: number) => (code = n),
    waitForStop: () => stopped,
    onStarted: (lab: LabHandle) => {
      whileRunning(lab, () => stdout).finally(stop);
    },
  });
  await program.parseAsync(['lab', ...args], { from: 'user' });
  return { code, stdout, stderr };
}

describe('dovetail lab', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dovetail-lab-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the lab on HTTPS with its CA in the data dir, prints URLs and accounts, serves EWS, stops cleanly', async () => {
    const r = await run(['--data-dir', dir, '--domain', 'contoso.lab'], async (lab, out) => {
      assert.match(out(), new RegExp(`EWS: +${lab.ewsUrl.replace(/[.]/g, '\\.')}`));
      const ca = await readFile(join(dir, 'ca', 'lab-ca-cert.pem'), 'utf8');
      assert.equal(ca, lab.caCertPem);
      const agent = new Agent({ connect: { ca } });
      const res = await request(lab.ewsUrl, { method: 'POST', dispatcher: agent, body: '<x/>' });
      assert.equal(res.statusCode, 401);
      await res.body.text();
      await agent.close();
    });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /svc-dovetail +password Lab-Service-2026! +scope all mailboxes/);
    assert.match(r.stdout, /alex\.wilber@contoso\.lab/);
    assert.match(r.stdout, /Exchange lab stopped\./);
  });

  it('runs Entra ID, Key Vault and Graph beside EWS, under the same CA, and says how to reach them', async () => {
    const cloudDir = join(dir, 'cloud');
    const r = await run(['--data-dir', cloudDir, '--json'], async (_lab, out) => {
      const text = out();
      const d = JSON.parse(text.slice(0, text.indexOf('\n}') + 2)) as {
        cloud: { tenantId: string; entraUrl: string; keyVaultUri: string; graphUrl: string; hma: { keyVaultApplicationId: string; keyVaultClientSecret: string; keyVaultKeyName: string }; exchangeOnline: { certificatePath: string } };
      };
      const ca = await readFile(join(cloudDir, 'ca', 'lab-ca-cert.pem'), 'utf8');
      const agent = new Agent({ connect: { ca } });
      try {
        // The Key Vault reader gets a token from the lab Entra with its client secret...
        const tokenRes = await request(`${d.cloud.entraUrl}/${d.cloud.tenantId}/oauth2/v2.0/token`, {
          method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: d.cloud.hma.keyVaultApplicationId, client_secret: d.cloud.hma.keyVaultClientSecret, scope: 'https://vault.azure.net/.default' }).toString(),
        });
        const token = (await tokenRes.body.json()) as { access_token?: string };
        assert.equal(tokenRes.statusCode, 200, JSON.stringify(token));
        // ...and reads the Hybrid Modern Auth certificate's secret from the lab Key Vault with it.
        const secret = await request(`${d.cloud.keyVaultUri.replace(/\/$/, '')}/secrets/${d.cloud.hma.keyVaultKeyName}?api-version=7.4`, { dispatcher: agent, headers: { authorization: `Bearer ${token.access_token}` } });
        assert.equal(secret.statusCode, 200);
        assert.match(((await secret.body.json()) as { contentType: string }).contentType, /x-pem-file|x-pkcs12/);
        // Graph answers, and wants a token.
        const graph = await request(`${d.cloud.graphUrl}/v1.0/users`, { dispatcher: agent });
        assert.equal(graph.statusCode, 401);
        await graph.body.text();
        const key = await stat(d.cloud.exchangeOnline.certificatePath);
        assert.equal(key.mode & 0o777, 0o600, 'the Exchange Online app key is readable by its owner only');
      } finally {
        await agent.close();
      }
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('prints JSON and runs traffic at the given rate', async () => {
    const r = await run(['--data-dir', dir, '--json', '--traffic', '6000', '--seed', '3', '--http'], async (lab) => {
      for (let i = 0; i < 500 && lab.api.items('alex.wilber@contoso.lab', 'inbox').length + lab.api.items('megan.bowen@contoso.lab', 'inbox').length === 0; i++) {
        await new Promise((res) => setTimeout(res, 10));
      }
    });
    const json = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}') + 2)) as { ewsUrl: string; trafficPerMinute: number };
    assert.match(json.ewsUrl, /^http:\/\/127\.0\.0\.1:\d+\/EWS\/Exchange\.asmx$/);
    assert.equal(json.trafficPerMinute, 6000);
    assert.match(r.stdout, /traffic: /);
  });

  it('refuses a bad port', async () => {
    const r = await run(['--port', 'abc'], async () => {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port/);
  });
});
