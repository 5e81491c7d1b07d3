/**
 * `dovetail test-connection PROFILE` against the Exchange lab, on a temporary data directory:
 * each step printed with ✓ or ✗ and the remedy, a failed step's last request and response, every
 * step's with --trace, --json, and exit status 1 when a step fails; no credential in any output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLab, type LabHandle } from '../../../src/lab/lab.ts';
import { childEnv, runCliInProcess } from '../../foundation/cli-process.ts';
import { renderTestConnection } from '../../../src/cli/commands/test-connection.ts';
import type { TestConnectionResult } from '../../../src/diagnostics/test-connection/test-connection.ts';

const PASSWORD = 'Lab-Service-2026!';
const WRONG = 'Wrong-Password-Cli-77';
/** Every NTLM message starts with "NTLMSSP\0", which is this in base64. */
const NTLM_BLOB = 'TlRMTVNTUA';

function assertNoCredentials(output: string): void {
  for (const secret of [PASSWORD, WRONG, NTLM_BLOB, ...[PASSWORD, WRONG].map((p) => Buffer.from(p).toString('base64'))]) {
    assert.ok(!output.includes(secret), `a credential (${secret.slice(0, 3)}…) reached the output`);
  }
  assert.doesNotMatch(output, /Authorization: (?!\[redacted\])/i);
}

describe('dovetail test-connection', () => {
  let lab: LabHandle;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    dir = mkdtempSync(join(tmpdir(), 'dovetail-test-connection-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data'), DOVETAIL_LOG_LEVEL: 'warn' });
  });
  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (name: string, password: string): Promise<void> => {
    const data = {
      name, serverType: 'exchange-server', autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem,
      auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail', password },
    };
    const r = await runCliInProcess(['profile', 'create', '--data', JSON.stringify(data)], env);
    assert.equal(r.code, 0, r.stderr);
  };

  it('prints every step with a check mark and exits 0 when the profile works', async () => {
    await create('Lab NTLM', PASSWORD);
    const r = await runCliInProcess(['test-connection', 'Lab NTLM', '--mailbox', lab.users[0]!.smtp], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const step of ['tls', 'authentication', 'impersonation', 'mailbox-access', 'permissions']) assert.match(r.stdout, new RegExp(`✓ ${step} `));
    assert.match(r.stdout, /- autodiscover +Autodiscover is off/);
    assert.ok(!r.stdout.includes(PASSWORD));
  });

  it('exits 1 with --json when a step fails, and the human form marks it with ✗ and its remedy', async () => {
    await create('Lab NTLM wrong', WRONG);
    const json = await runCliInProcess(['--json', 'test-connection', 'Lab NTLM wrong', '--mailbox', lab.users[0]!.smtp], env);
    assert.equal(json.code, 1, json.stderr);
    assert.ok(!json.stdout.includes(WRONG));
    const result = JSON.parse(json.stdout) as TestConnectionResult;
    assert.equal(result.ok, false);
    assert.equal(result.steps.find((s) => s.step === 'authentication')?.ok, false);
    const text = renderTestConnection(result);
    assert.match(text, /✗ authentication +.*NTLM/);
    assert.match(text, /remedy: Check the service account/);
    assert.match(text, /· permissions +Not checked: the authentication step failed/);
  });

  it('--trace prints each step’s last request and response under it, redacted; --json carries the same traces', async () => {
    const r = await runCliInProcess(['test-connection', 'Lab NTLM', '--mailbox', lab.users[0]!.smtp, '--trace'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const authentication = r.stdout.slice(r.stdout.indexOf('✓ authentication'), r.stdout.indexOf('✓ impersonation'));
    assert.match(authentication, /^ {18}last request and response \(redacted\):$/m);
    assert.ok(authentication.includes(`> POST ${lab.ewsUrl}`), authentication);
    assert.match(authentication, /^ {20}> Authorization: \[redacted\]$/m);
    assert.match(authentication, /^ {20}< 200$/m);
    assert.match(r.stdout, /^ {20}< TLSv1\.[23], cipher /m);
    assertNoCredentials(r.stdout + r.stderr);

    const json = await runCliInProcess(['--json', 'test-connection', 'Lab NTLM', '--mailbox', lab.users[0]!.smtp], env);
    const result = JSON.parse(json.stdout) as TestConnectionResult;
    for (const step of ['tls', 'authentication', 'impersonation', 'mailbox-access', 'permissions']) {
      assert.ok((result.steps.find((s) => s.step === step)?.trace ?? '') !== '', `${step} has no trace`);
    }
    assertNoCredentials(json.stdout + json.stderr);
  });

  it('without --trace, only the failed step shows its exchange, and says --trace shows the others', async () => {
    const r = await runCliInProcess(['test-connection', 'Lab NTLM wrong', '--mailbox', lab.users[0]!.smtp], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.match(/last request and response \(redacted\):/g)?.length, 1, r.stdout);
    assert.match(r.stdout, /^ {20}! auth_failed: Authentication to 127\.0\.0\.1:\d+ failed: the server refused/m);
    assert.match(r.stdout, /\n\(--trace shows the last request and response of every step\)\n$/);
    assertNoCredentials(r.stdout + r.stderr);
  });
});
