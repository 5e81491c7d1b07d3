/**
 * Waiting for a job from the command line, against the Exchange lab on an embedded store: the
 * real `dovetail` process tests & enables every mailbox of a profile (the command runs the worker
 * itself, as the embedded database allows no other process), Ctrl-C stops watching and says how
 * to resume, `job watch` finishes it with JSON events and exit code 3 because one mailbox is not
 * in Exchange, and the human table says what failed and what to do; the alert wall, the audit
 * log and the filtered mailbox list show the same job.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { childEnv, runCliInProcess, runDovetail } from '../foundation/cli-process.ts';
import { projectRoot } from '../support/env.ts';

type Event = { type: string; [key: string]: unknown };
type Outcome = { mailboxId: string; emailAddress: string; status: string; checks: Array<{ check: string; ok: boolean; detail: string; remedy: string | null }> };

const parseEvents = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

/** Runs the CLI and sends Ctrl-C (SIGINT) once the first line reaches stdout. */
function runAndInterrupt(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'dovetail.js'), ...args], { env, cwd: projectRoot });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += String(d);
      if (!sent && stdout.includes('\n')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end('');
  });
}

describe('dovetail jobs with progress', () => {
  let lab: LabHandle;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const mailboxes = new Map<string, string>();
  let profileId = '';
  let loneMailbox = '';
  const ghost = 'ghost@contoso.lab';

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    dir = mkdtempSync(join(tmpdir(), 'dovetail-job-watch-'));
    // One mailbox at a time, so Ctrl-C lands while the job is running.
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data'), DOVETAIL_LOG_LEVEL: 'warn', DOVETAIL_WORKER_CONCURRENCY: '1', DOVETAIL_WORKER_POLL_MS: '100' });
    const profile = await runCliInProcess(['--json', 'profile', 'create', '--data', JSON.stringify({
      name: 'Lab NTLM', serverType: 'exchange-server', autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem,
      auth: { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc-dovetail', password: 'Lab-Service-2026!' },
    })], env);
    assert.equal(profile.code, 0, profile.stderr);
    profileId = (JSON.parse(profile.stdout) as { id: string }).id;
    // Made before the default profile is set: a mailbox without a profile.
    const lone = await runCliInProcess(['--json', 'user', 'create', '--data', JSON.stringify({ fullName: 'Lone', emailAddress: 'lone@contoso.lab' })], env);
    assert.equal(lone.code, 0, lone.stderr);
    loneMailbox = (JSON.parse(lone.stdout) as { mailboxId: string }).mailboxId;
    const settings = await runCliInProcess(['settings', 'update', '--set', `defaultProfileId=${profileId}`], env);
    assert.equal(settings.code, 0, settings.stderr);
    for (const address of [...lab.users.map((u) => u.smtp), ghost]) {
      const user = await runCliInProcess(['--json', 'user', 'create', '--data', JSON.stringify({ fullName: address.split('@')[0], emailAddress: address })], env);
      assert.equal(user.code, 0, user.stderr);
      mailboxes.set(address, (JSON.parse(user.stdout) as { mailboxId: string }).mailboxId);
    }
  });
  after(async () => {
    await lab?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('tests & enables a whole profile with progress, survives Ctrl-C, resumes with job watch, and exits 3 for the failed mailbox', async () => {
    const first = await runAndInterrupt(['--json', 'mailbox', 'test', '--profile', profileId], env);
    assert.equal(first.code, 130, first.stderr);
    const firstEvents = parseEvents(first.stdout);
    const started = firstEvents[0]!;
    assert.equal(started.type, 'started');
    const jobId = (started['job'] as { id: string }).id;
    assert.deepEqual((started['mailboxes'] as Array<{ emailAddress: string }>).map((m) => m.emailAddress).sort(), [...mailboxes.keys()].sort());
    const stop = firstEvents.at(-1)!;
    assert.equal(stop.type, 'interrupted');
    assert.equal(stop['resume'], `dovetail job watch ${jobId}`);
    assert.equal(firstEvents.filter((e) => e.type === 'result').length, 0);

    const watched = await runDovetail(['--json', 'job', 'watch', jobId], env);
    assert.equal(watched.code, 3, watched.stderr);
    const events = parseEvents(watched.stdout);
    assert.equal(events[0]!.type, 'started');
    const result = events.at(-1)!;
    assert.equal(result.type, 'result');
    assert.equal(result['exitCode'], 3);
    assert.deepEqual({ succeeded: result['succeeded'], failed: result['failed'] }, { succeeded: 3, failed: 1 });
    // Every mailbox finished exactly once across both processes, each reported when it finished.
    const items = [...firstEvents, ...events].filter((e) => e.type === 'item') as unknown as Outcome[];
    assert.deepEqual(items.map((i) => i.emailAddress).sort(), [...mailboxes.keys()].sort());
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 1);
    assert.equal(progress.at(-1)!['total'], 4);
    const outcomes = result['mailboxes'] as Outcome[];
    for (const o of outcomes.filter((x) => x.emailAddress !== ghost)) {
      assert.equal(o.status, 'succeeded', JSON.stringify(o));
      assert.deepEqual(o.checks.map((c) => [c.check, c.ok]), [['incoming email', true], ['outgoing email', true], ['org stamp', true], ['appointments, contacts and tasks', true]]);
    }
    const failed = outcomes.find((o) => o.emailAddress === ghost)!;
    assert.equal(failed.status, 'failed');
    const problem = failed.checks.find((c) => !c.ok)!;
    assert.ok(problem.detail.length > 0);
    assert.ok(problem.remedy !== null && problem.remedy.length > 0, JSON.stringify(failed));
    assert.equal(result['rerun'], `dovetail mailbox test ${mailboxes.get(ghost)}`);

    // The finished job again, as a person reads it in a log: the table, what to do, the same exit code.
    const table = await runCliInProcess(['job', 'watch', jobId], env);
    assert.equal(table.code, 3, table.stderr);
    assert.match(table.stdout, new RegExp(`^Test & Enable completed with errors: 3 succeeded, 1 failed of 4 \\(job ${jobId}\\)$`, 'm'));
    assert.match(table.stdout, /^MAILBOX +RESULT +DETAILS$/m);
    assert.match(table.stdout, /^alex\.wilber@contoso\.lab +succeeded +incoming email ok, outgoing email ok, org stamp ok, appointments, contacts and tasks ok$/m);
    assert.match(table.stdout, new RegExp(`^ghost@contoso\\.lab +failed +${problem.check}: `, 'm'));
    assert.match(table.stdout, /^ +what to do: /m);
    assert.match(table.stdout, new RegExp(`run it again for those mailboxes:\\n  dovetail mailbox test ${mailboxes.get(ghost)}\\n$`));

    // What the admin center shows about it is there on the command line too.
    const alerts = await runCliInProcess(['--json', 'alert', 'list', '--mailbox', mailboxes.get(ghost)!, '--level', 'error'], env);
    assert.equal(alerts.code, 0, alerts.stderr);
    assert.deepEqual((JSON.parse(alerts.stdout) as Array<{ code: string }>).map((a) => a.code), ['test_and_enable_failed']);
    const audit = await runCliInProcess(['--json', 'audit', 'list', '--entity-type', 'job'], env);
    assert.deepEqual((JSON.parse(audit.stdout) as Array<{ action: string; entityId: string }>).map((e) => [e.action, e.entityId]), [['job.test-and-enable', jobId]]);
    const listed = await runCliInProcess(['--json', 'mailbox', 'list', '--profile', profileId, '--owner-type', 'user'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 4);
    const stats = await runCliInProcess(['stats', '--hours', '2'], env);
    assert.equal(stats.code, 0, stats.stderr);
    const [header, ...hours] = stats.stdout.trim().split('\n');
    assert.match(header!, /^HOUR \(UTC\) +TRACKED +SENT +FAILED RUNS +FAILED ITEMS +REQUESTS +THROTTLED +ERRORS +P95$/);
    assert.equal(hours.length, 2);

    // A mailbox no worker can test does not keep the command waiting: it fails with the reason.
    const lone = await runCliInProcess(['mailbox', 'test', loneMailbox], env);
    assert.equal(lone.code, 3, lone.stderr);
    assert.match(lone.stdout, /^\[1\/1\] failed  lone@contoso\.lab  job: The mailbox has no email server profile/m);
    assert.match(lone.stdout, /^Test & Enable completed with errors: 0 succeeded, 1 failed of 1/m);

    const noWait = await runCliInProcess(['--json', 'mailbox', 'test', mailboxes.get(ghost)!, '--no-wait'], env);
    assert.equal(noWait.code, 0, noWait.stderr);
    const job = JSON.parse(noWait.stdout) as { id: string; status: string; total: number };
    assert.deepEqual({ status: job.status, total: job.total }, { status: 'running', total: 1 });
    assert.notEqual(job.id, jobId);
  });
});
