/**
 * The CRM and sync commands of the command line (runCli in this process, on PostgreSQL): records,
 * a draft sent to the outbox, the mailbox schedule, a job, and --json output; failures exit
 * non-zero with one line.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/index.ts';
import { childEnv } from '../foundation/cli-process.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('dovetail email, contact, job and schedule commands', { skip: postgresSkip() }, () => {
  let pgdb: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
    const code = await runCli(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, stdin: Readable.from([]) });
    return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
  };
  before(async () => {
    pgdb = await createTestDatabase('dovetail_cli_sync');
    dir = mkdtempSync(join(tmpdir(), 'dovetail-cli-sync-'));
    env = childEnv({ DATABASE_URL: pgdb.url, DOVETAIL_SECRET_KEY: randomBytes(32).toString('base64'), DOVETAIL_DATA_DIR: dir });
  });
  after(async () => {
    await pgdb?.drop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('creates and finds a contact, drafts and sends an email, and shows the schedule and a job', async () => {
    const c = await run('--json', 'contact', 'create', '--data', '{"firstName":"Pat","lastName":"Customer","emailAddresses":["pat@customer.example"]}');
    assert.equal(c.code, 0, c.stderr);
    const found = (await run('--json', 'contact', 'list', '--email', 'PAT@customer.example')).json() as Array<{ id: string }>;
    assert.deepEqual(found.map((x) => x.id), [(c.json() as { id: string }).id]);

    const user = await run('--json', 'user', 'create', '--data', '{"fullName":"Sam","emailAddress":"sam@us.example"}');
    assert.equal(user.code, 0, user.stderr);
    const mailboxId = (user.json() as { mailboxId: string }).mailboxId;
    const draft = await run('--json', 'email', 'draft', '--data', JSON.stringify({ mailboxId, to: [{ address: 'pat@customer.example' }], subject: 'Hello', body: 'x' }));
    assert.equal(draft.code, 0, draft.stderr);
    const draftId = (draft.json() as { id: string }).id;
    const sent = await run('--json', 'email', 'send', draftId);
    assert.equal((sent.json() as { status: string }).status, 'pending-send');
    const list = (await run('--json', 'email', 'list', '--status', 'pending-send')).json() as Array<{ id: string; parties: Array<{ role: string; partyType: string | null }> }>;
    assert.deepEqual(list.map((e) => e.id), [draftId]);
    assert.equal(list[0]!.parties.find((p) => p.role === 'to')?.partyType, 'contact');

    const schedule = await run('schedule', 'show', mailboxId);
    assert.equal(schedule.code, 0, schedule.stderr);
    assert.match(schedule.stdout, /^outgoing .*next \d{4}-/m);
    const job = await run('--json', 'job', 'start', 'test-and-enable', '--mailbox', mailboxId, '--no-wait');
    assert.equal(job.code, 0, job.stderr);
    const shown = (await run('--json', 'job', 'show', (job.json() as { id: string }).id)).json() as { items: Array<{ status: string }> };
    // The mailbox has no server profile, so its Test & Enable item fails at once (no worker could run it).
    assert.equal(shown.items[0]?.status, 'failed');

    const again = await run('email', 'send', draftId);
    assert.notEqual(again.code, 0);
    assert.equal(again.stderr.trim().split('\n').length, 1);
    assert.match(again.stderr, /pending-send/);
  });
});
