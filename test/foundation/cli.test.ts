/**
 * The command line with a temporary data directory. bin/dovetail.js runs as a child process for
 * what needs a process (the default command starting on the embedded store, a restart, the data
 * directory lock, exit codes); the record commands run through runCli in this process, which is
 * the same code without paying a Node start per command.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, runCliInProcess, runDovetail, startDovetailProcess, type CliRun } from './cli-process.ts';

const SECRET = 'Cli-Secret-3b7e1d09-never-stored-plain';
const API_SECRET = 'Api-Secret-9c1d44aa-never-stored-plain';

/** Every file under dir, read as bytes (binary database pages included). */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(Buffer.from(needle))) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

describe('dovetail command line', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const spawned = async (args: string[], stdin?: string): Promise<CliRun> => {
    const r = await runDovetail(args, env, stdin);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const run = async (args: string[], stdin?: string): Promise<CliRun> => {
    const r = await runCliInProcess(args, env, stdin);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data'), DOVETAIL_PORT: '0', DOVETAIL_WORKER_POLL_MS: '200' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts by default on the embedded store, and a profile created through the API survives a restart', async () => {
    const first = await startDovetailProcess([], env);
    let tokenRun: CliRun;
    let profileId: string;
    let firstExit: number | null = null;
    let secondExit: number | null = null;
    try {
      assert.match(first.output().stderr, /store: embedded/);
      assert.match(first.output().stderr, /dovetail token reveal-first/);
      assert.equal(statSync(join(dir, 'data', 'first-admin-token')).mode & 0o777, 0o600);
      tokenRun = await spawned(['token', 'reveal-first']);
      assert.equal(tokenRun.code, 0, tokenRun.stderr);
      const token = tokenRun.stdout.trim();
      assert.match(token, /^dvt_/);
      const again = await run(['token', 'reveal-first']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^dovetail: no first-start token .*already shown/);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${first.address}/api/profiles`, {
        method: 'POST', headers,
        body: JSON.stringify({ name: 'Through API', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'basic', userName: 'svc', password: API_SECRET } }),
      });
      const body = await created.text();
      outputs.push(body);
      assert.equal(created.status, 201, body);
      profileId = JSON.parse(body).id;
      assert.equal((await fetch(`${first.address}/healthz`)).status, 200);
      // The embedded database belongs to the running process; a second one is refused clearly.
      const busy = await spawned(['profile', 'list']);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /^dovetail: the embedded database in .* is in use by process \d+/);
      assert.equal(busy.stderr.trim().split('\n').length, 1);
    } finally {
      firstExit = await first.stop();
      outputs.push(first.output().stdout, first.output().stderr);
    }
    assert.equal(firstExit, 0, `graceful stop; stderr: ${first.output().stderr.slice(-2000)}`);

    const second = await startDovetailProcess(['start'], env);
    try {
      assert.doesNotMatch(second.output().stderr, /reveal-first/, 'the first token is made once');
      const token = tokenRun.stdout.trim();
      const r = await fetch(`${second.address}/api/profiles/${profileId}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      outputs.push(text);
      assert.equal(r.status, 200, text);
      assert.equal(JSON.parse(text).name, 'Through API');
    } finally {
      secondExit = await second.stop();
      outputs.push(second.output().stdout, second.output().stderr);
    }
    assert.equal(secondExit, 0, `graceful stop; stderr: ${second.output().stderr.slice(-2000)}`);
  });

  it('manages records with --json and fails with one line and a non-zero exit', async () => {
    const user = await run(['user', 'create', '--json', '--data', JSON.stringify({ fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' })]);
    assert.equal(user.code, 0, user.stderr);
    const { mailboxId } = JSON.parse(user.stdout);

    const file = join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify({ name: 'From CLI', serverType: 'exchange-server', auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc', password: SECRET } }));
    const profile = await run(['profile', 'create', '--file', file, '--set', 'minimumPollingIntervalMinutes=5', '--json']);
    assert.equal(profile.code, 0, profile.stderr);
    const p = JSON.parse(profile.stdout);
    assert.equal(p.minimumPollingIntervalMinutes, 5);
    assert.deepEqual(p.secretsSet, ['password']);
    rmSync(file);

    const bad = await run(['profile', 'update', p.id, '--set', 'minimumPollingIntervalMinutes=2000']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: minimumPollingIntervalMinutes: must be between 0 and 1440\n');

    const approve = await run(['mailbox', 'approve', mailboxId, '--json']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.equal(JSON.parse(approve.stdout)[0].mailbox.approval, 'approved');

    const rotate = await run(['secrets', 'rotate', '--json']);
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.equal(JSON.parse(rotate.stdout).resealed, 2, 'the CLI and API profiles are resealed');

    const list = await run(['profile', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((x: { name: string }) => x.name).sort(), ['From CLI', 'Through API']);

    const unknown = await run(['profile', 'show', '7d0f3a52-3f8e-4a3c-9f55-0b8f1c2d3e4f']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'dovetail: email server profile 7d0f3a52-3f8e-4a3c-9f55-0b8f1c2d3e4f does not exist\n');
  });

  it('leaves no secret in plain text in the data directory or any output', () => {
    assert.deepEqual(filesContaining(join(dir, 'data'), SECRET), []);
    assert.deepEqual(filesContaining(join(dir, 'data'), API_SECRET), []);
    const all = outputs.join('\n');
    assert.equal(all.includes(SECRET), false);
    assert.equal(all.includes(API_SECRET), false);
  });
});
