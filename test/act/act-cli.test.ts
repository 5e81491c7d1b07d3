import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, runCliInProcess } from '../foundation/cli-process.ts';

describe('dovetail act', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-act-cli-'));
    env = childEnv({ DOVETAIL_DATA_DIR: join(dir, 'data') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('changes the policy, lists valves and conflicts, and refuses to confirm a valve that is not shut', async () => {
    const updated = await runCliInProcess(['--json', 'act', 'policy', 'update', '--data', '{"conflict":"crm-wins","valve":{"minItems":20}}'], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(JSON.parse(updated.stdout).conflict, 'crm-wins');
    const shown = await runCliInProcess(['--json', 'act', 'policy', 'show'], env);
    assert.deepEqual(JSON.parse(shown.stdout).valve, { minItems: 20, fraction: 0.5 });
    const valves = await runCliInProcess(['act', 'valves', 'list'], env);
    assert.match(valves.stdout, /No safety valve is shut/);
    const confirm = await runCliInProcess(['act', 'valves', 'confirm', '7d0f3a52-3f8e-4a3c-9f55-0b8f1c2d3e4f', 'task'], env);
    assert.notEqual(confirm.code, 0);
    assert.match(confirm.stderr, /not found/);
  });
});
