/**
 * `dovetail user|queue create|update|show` with trackEmails: --track-emails on update (and 'org'
 * to follow the org again), --set/--data on create, --json output, the refusal naming the choices.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, runCliInProcess } from '../foundation/cli-process.ts';

describe('dovetail user and queue trackEmails', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (...args: string[]) => {
    const r = await runCliInProcess(args, env);
    return r;
  };
  const json = async (...args: string[]) => {
    const r = await run(...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-track-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a user following the org, sets a choice with --track-emails, and goes back with org', async () => {
    const user = await json('user', 'create', '--data', '{"fullName":"Nancy Davolio","emailAddress":"nancy@contoso.com"}');
    assert.equal(user.trackEmails, null);
    assert.equal((await json('user', 'update', user.id, '--track-emails', 'from-crm-parties')).trackEmails, 'from-crm-parties');
    assert.equal((await json('user', 'show', user.id)).trackEmails, 'from-crm-parties');
    const human = await run('user', 'update', user.id, '--track-emails', 'none');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^updated user .* <nancy@contoso\.com>  tracks none\n$/);
    assert.equal((await json('user', 'update', user.id, '--track-emails', 'org')).trackEmails, null);
    assert.equal((await json('user', 'list')).find((u: { id: string }) => u.id === user.id).trackEmails, null);
  });

  it('creates a queue with a choice through --set and changes it', async () => {
    const queue = await json('queue', 'create', '--set', 'name=Support', '--set', 'emailAddress=support@contoso.com', '--set', 'trackEmails=all');
    assert.equal(queue.trackEmails, 'all');
    assert.equal((await json('queue', 'update', queue.id, '--track-emails', 'from-email-enabled-records')).trackEmails, 'from-email-enabled-records');
    assert.equal((await json('queue', 'show', queue.id)).trackEmails, 'from-email-enabled-records');
  });

  it('refuses a value that is not a choice, naming the choices, and changes nothing', async () => {
    const [user] = await json('user', 'list');
    const bad = await run('user', 'update', user.id, '--track-emails', 'everything');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'dovetail: trackEmails: must be one of all, responses-to-crm, from-crm-parties, from-email-enabled-records, none\n');
    assert.equal((await json('user', 'show', user.id)).trackEmails, user.trackEmails);
    const badQueue = await run('queue', 'create', '--data', '{"name":"Sales","emailAddress":"sales@contoso.com","trackEmails":"responses"}');
    assert.equal(badQueue.code, 1);
    assert.match(badQueue.stderr, /^dovetail: trackEmails: must be one of /);
  });
});
