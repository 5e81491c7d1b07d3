/**
 * `dovetail demo --smoke` as a newcomer runs it: a child process over a fresh data directory that
 * starts the whole lab and Dovetail, and exits 0 only once every demo mailbox of the three profiles
 * is enabled with its customer's email tracked, its CRM email sent and its meeting synced.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Run = { code: number | null; stdout: string; stderr: string };

function runDemo(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'dovetail.js'), 'demo', ...args], { cwd: root, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('dovetail demo --smoke', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dovetail-demo-test-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('enables every demo mailbox on all three profiles and syncs the seeded email, CRM email and meetings', async () => {
    const run = await runDemo(['--smoke', '--json', '--timeout', '150', '--data-dir', dataDir]);
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    const summary = JSON.parse(run.stdout) as {
      ok: boolean;
      reason: string | null;
      profiles: Array<{ profile: string; mailboxes: number; enabled: number; failures: string[] }>;
      emailsTracked: number;
      emailsSent: number;
      appointmentsSynced: number;
      mailboxes: Array<{ address: string; enabled: boolean; tracked: number; sent: number; appointments: number }>;
    };
    assert.equal(summary.ok, true);
    assert.equal(summary.reason, null);
    const byProfile = Object.fromEntries(summary.profiles.map((p) => [p.profile, p]));
    // NTLM serves a user and the sales queue; Hybrid Modern Auth and Exchange Online one user each.
    assert.deepEqual({ mailboxes: byProfile['ntlm']?.mailboxes, enabled: byProfile['ntlm']?.enabled, failures: byProfile['ntlm']?.failures }, { mailboxes: 2, enabled: 2, failures: [] });
    assert.deepEqual({ mailboxes: byProfile['hma']?.mailboxes, enabled: byProfile['hma']?.enabled, failures: byProfile['hma']?.failures }, { mailboxes: 1, enabled: 1, failures: [] });
    assert.deepEqual({ mailboxes: byProfile['online']?.mailboxes, enabled: byProfile['online']?.enabled, failures: byProfile['online']?.failures }, { mailboxes: 1, enabled: 1, failures: [] });
    // Each mailbox: its customer's email tracked (the stranger's is not), its one CRM email sent; each user's meeting synced.
    assert.equal(summary.emailsTracked, 4);
    assert.equal(summary.emailsSent, 4);
    assert.equal(summary.appointmentsSynced, 3);
    for (const m of summary.mailboxes) {
      assert.equal(m.enabled, true, m.address);
      assert.equal(m.tracked, 1, `${m.address} tracks its customer's email only`);
      assert.equal(m.sent, 1, m.address);
    }
    // The given data directory holds the demo's store and lab CA.
    assert.ok(existsSync(join(dataDir, 'lab', 'ca', 'lab-ca-cert.pem')));
    assert.ok(readdirSync(dataDir).includes('pglite'));
  });

  it('refuses to run again over a data directory that already holds a store, with the reason and a non-zero exit', async () => {
    const run = await runDemo(['--smoke', '--data-dir', dataDir]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /already holds a Dovetail store: give the demo a new directory/);
    assert.equal(run.stdout, '');
  });
});
