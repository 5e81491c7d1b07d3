import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { fixedClock } from '../../clock.ts';
import { projectRoot } from '../../../test/support/env.ts';
import { register } from './hma.ts';

const fixtures = resolve(projectRoot, 'test', 'fixtures', 'hma');
const ready = ['ready/virtual-directories.txt', 'ready/organization.txt', 'ready/service-principal.txt'].map((f) => resolve(fixtures, f));

async function run(args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  const program = new Command().exitOverride();
  register(program, {
    clock: fixedClock(Date.parse('2026-11-22T00:00:00Z')),
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    setExitCode: (n: number) => (code = n),
  });
  await program.parseAsync(['hma', 'check', ...args], { from: 'user' });
  return { code, stdout, stderr };
}

describe('dovetail hma check', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dovetail-hma-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and says READY for a ready organization', async () => {
    const r = await run(ready);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /readiness — READY/);
    assert.equal(r.stderr, '');
  });

  it('exits 1 with the findings when something is missing, and writes the script', async () => {
    const org = (await readFile(ready[1]!, 'utf8')).replace('OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False');
    const orgFile = join(dir, 'organization.txt');
    await writeFile(orgFile, org);
    const scriptFile = join(dir, 'fix.ps1');
    const r = await run([ready[0]!, orgFile, ready[2]!, '--script', scriptFile]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /NOT READY/);
    assert.match(r.stdout, /\[hma\.org\.oauth2-client-profile-disabled\]/);
    assert.match(r.stdout, /at \S+\/organization\.txt:\d+: OAuth2ClientProfileEnabled : False/);
    assert.match(r.stdout, /Remediation script written to/);
    const script = await readFile(scriptFile, 'utf8');
    assert.match(script, /Set-OrganizationConfig -OAuth2ClientProfileEnabled \$true/);
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run([...ready, '--json']);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout) as { ready: boolean; generatedAt: string; servers: { name: string }[] };
    assert.equal(report.ready, true);
    assert.equal(report.generatedAt, '2026-11-22T00:00:00.000Z');
    assert.deepEqual(report.servers.map((s) => s.name), ['EX1', 'EX2']);
  });

  it('exits 2 for garbled input, naming the file and line', async () => {
    const r = await run([...ready, resolve(fixtures, 'garbled.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /\/garbled\.txt:9: cannot read "this line was typed by hand/);
  });

  it('exits 2 for a file it cannot read, and for a bad --owa-ecp value', async () => {
    const missing = await run([join(dir, 'does-not-exist.txt')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does-not-exist\.txt: cannot read the file \(ENOENT\)/);
    const bad = await run([...ready, '--owa-ecp', 'sometimes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--owa-ecp must be auto, required or skip/);
  });

  it('makes OWA/ECP gaps errors with --owa-ecp required', async () => {
    const owa = resolve(fixtures, 'owa-ecp.txt');
    assert.equal((await run([...ready, owa])).code, 0);
    assert.equal((await run([...ready, owa, '--owa-ecp', 'required'])).code, 1);
  });

  it('with the CLI context shape (io streams, global --json), reports the exit code as a CommanderError', async () => {
    let out = '';
    const stdout = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const program = new Command().exitOverride().option('--json');
    register(program, { io: { stdout, stderr: stdout, env: {}, stdin: process.stdin }, json: () => program.opts()['json'] === true });
    await assert.rejects(
      program.parseAsync(['--json', 'hma', 'check', resolve(fixtures, 'ready/organization.txt')], { from: 'user' }),
      (e: unknown) => e instanceof CommanderError && e.exitCode === 1,
    );
    const report = JSON.parse(out) as { ready: boolean; findings: { code: string }[] };
    assert.equal(report.ready, false);
    assert.ok(report.findings.some((f) => f.code === 'hma.input.virtual-directories-missing'));

    out = '';
    const ok = new Command().exitOverride();
    register(ok, { io: { stdout, stderr: stdout, env: {}, stdin: process.stdin }, json: () => false });
    await ok.parseAsync(['hma', 'check', ...ready], { from: 'user' });
    assert.match(out, /readiness — READY/);
  });
});
