import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../sync/jobs.ts';
import { createProgressRenderer, outcomeOf, type JobSnapshot, type ProgressMode } from './job-progress.ts';

const names = new Map([
  ['m1', 'alex@contoso.lab'],
  ['m2', 'ghost@contoso.lab'],
  ['m3', 'sales@contoso.lab'],
]);
const passed = { ok: true, detail: 'fine' };
const missing = { ok: false, detail: 'ErrorNonExistentMailbox: no mailbox', remedy: 'Check the address in Exchange.', errorCode: 'ErrorNonExistentMailbox' };

function job(items: Job['items'], status: Job['status'] = 'running'): Job {
  const done = items.filter((i) => i.status === 'done').length;
  const failed = items.filter((i) => i.status === 'failed').length;
  return {
    id: 'job-1', kind: 'test-and-enable', status, total: items.length, done, failed, progress: Math.floor(((done + failed) * 100) / items.length), params: {},
    createdBy: 'admin', createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: status === 'running' ? null : '2026-01-01T00:01:00.000Z', items,
  };
}
const pending = (id: string): Job['items'][number] => ({ mailboxId: id, status: 'testing', result: {}, finishedAt: null });
const ok = (id: string, at: string): Job['items'][number] => ({ mailboxId: id, status: 'done', result: { incoming: passed, outgoing: passed }, finishedAt: at });
const stampMissing = { ...missing, detail: 'ErrorNonExistentMailbox: no stamp' };
const bad = (id: string, at: string): Job['items'][number] => ({ mailboxId: id, status: 'failed', result: { outgoing: missing, incoming: passed, orgStamp: stampMissing, act: stampMissing }, finishedAt: at });

/** The same three looks at a job: nothing done, one done while another runs, all finished. */
function play(mode: ProgressMode): string {
  let out = '';
  const r = createProgressRenderer({ mode, write: (t) => (out += t), columns: 100 });
  const s = (j: Job, current: string[] = []): JobSnapshot => ({ job: j, names, current });
  r.update(s(job([pending('m1'), pending('m2'), pending('m3')])));
  r.update(s(job([pending('m1'), pending('m2'), pending('m3')]))); // nothing changed: nothing new
  r.update(s(job([ok('m1', '2026-01-01T00:00:10.000Z'), pending('m2'), pending('m3')]), ['m2']));
  const last = job([ok('m1', '2026-01-01T00:00:10.000Z'), bad('m2', '2026-01-01T00:00:20.000Z'), ok('m3', '2026-01-01T00:00:15.000Z')], 'completed-with-errors');
  r.finish(s(last), 3);
  return out;
}

describe('job progress', () => {
  it('reads a test report check by check, in test order, saying a repeated failure once', () => {
    const o = outcomeOf(bad('m2', 'x'), names);
    assert.equal(o.emailAddress, 'ghost@contoso.lab');
    assert.equal(o.status, 'failed');
    assert.deepEqual(o.checks.map((c) => [c.check, c.ok]), [['incoming email', true], ['outgoing email', false], ['org stamp', false]]);
    assert.equal(o.checks[1]!.remedy, 'Check the address in Exchange.');
    assert.deepEqual(outcomeOf({ mailboxId: 'm9', status: 'failed', result: { error: 'the mailbox no longer exists' }, finishedAt: 'x' }, names).checks, [
      { check: 'job', ok: false, detail: 'the mailbox no longer exists', remedy: null },
    ]);
    assert.deepEqual(outcomeOf({ mailboxId: 'm1', status: 'done', result: { approval: 'approved' }, finishedAt: 'x' }, names).checks.map((c) => c.detail), ['email approved']);
  });

  it('on a terminal redraws one line, then clears it and prints the table with what to do', () => {
    const out = play('tty');
    const frames = out.split('\r\x1b[2K').filter((f) => f !== '');
    assert.equal(frames[0], 'Test & Enable [....................] 0/3  ok 0  failed 0  waiting for a worker');
    assert.equal(frames[1], 'Test & Enable [#######.............] 1/3  ok 1  failed 0  ghost@contoso.lab');
    assert.equal(frames.length, 3, 'an unchanged look draws nothing');
    assert.ok(!frames.slice(0, 2).some((f) => f.includes('\n')), 'the progress stays on one line');
    const table = frames[2]!;
    assert.match(table, /^Test & Enable completed with errors: 2 succeeded, 1 failed of 3 \(job job-1\)\n\nMAILBOX +RESULT +DETAILS\n/);
    assert.match(table, /^alex@contoso\.lab +succeeded +incoming email ok, outgoing email ok$/m);
    assert.match(table, /^ghost@contoso\.lab +failed +outgoing email: ErrorNonExistentMailbox: no mailbox$/m);
    assert.match(table, /^ {30,}org stamp: ErrorNonExistentMailbox: no stamp\n {30,}  what to do: Check the address in Exchange\.$/m);
    assert.equal(table.split('what to do').length, 2, 'one remedy shared by several checks is said once');
    assert.match(table, /run it again for those mailboxes:\n {2}dovetail mailbox test m2\n$/);
  });

  it('writes one plain line per finished mailbox when stdout is not a terminal, in the order they finished', () => {
    const out = play('lines');
    assert.ok(!out.includes('\r') && !out.includes('\x1b'), 'no terminal control codes in a log');
    const lines = out.split('\n');
    assert.equal(lines[0], 'Test & Enable job job-1: 3 mailboxes');
    assert.equal(lines[1], '[1/3] ok      alex@contoso.lab');
    assert.equal(lines[2], '[2/3] ok      sales@contoso.lab');
    assert.equal(lines[3], '[3/3] failed  ghost@contoso.lab  outgoing email: ErrorNonExistentMailbox: no mailbox; org stamp: ErrorNonExistentMailbox: no stamp');
    assert.match(out, /^Test & Enable completed with errors/m);
  });

  it('with --json writes one event per line: started, progress, item, then the result', () => {
    const events = play('json').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(events.map((e) => e['type']), ['started', 'progress', 'item', 'progress', 'item', 'item', 'result']);
    assert.deepEqual(events[0]!['mailboxes'], [...names].map(([mailboxId, emailAddress]) => ({ mailboxId, emailAddress })));
    assert.deepEqual(events[3], { type: 'progress', jobId: 'job-1', done: 1, succeeded: 1, failed: 0, total: 3, current: ['ghost@contoso.lab'] });
    assert.deepEqual(events.filter((e) => e['type'] === 'item').map((e) => [e['emailAddress'], e['status']]), [
      ['alex@contoso.lab', 'succeeded'], ['sales@contoso.lab', 'succeeded'], ['ghost@contoso.lab', 'failed'],
    ]);
    const result = events.at(-1)!;
    assert.equal(result['exitCode'], 3);
    assert.equal(result['rerun'], 'dovetail mailbox test m2');
    assert.deepEqual((result['job'] as Record<string, unknown>)['status'], 'completed-with-errors');
    assert.ok(!('items' in (result['job'] as object)), 'the result lists mailboxes once, as outcomes');
  });

  it('says how to watch again when watching stops, in every mode', () => {
    for (const mode of ['tty', 'lines', 'json'] as const) {
      let out = '';
      const r = createProgressRenderer({ mode, write: (t) => (out += t) });
      const s: JobSnapshot = { job: job([ok('m1', 'x'), pending('m2')]), names, current: ['m2'] };
      r.update(s);
      r.interrupted(s, 'job-1', 'The workers go on with it.');
      if (mode === 'json') {
        const last = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
        assert.deepEqual(last, { type: 'interrupted', jobId: 'job-1', done: 1, succeeded: 1, failed: 0, total: 2, resume: 'dovetail job watch job-1', note: 'The workers go on with it.' });
      } else {
        assert.match(out, /Stopped watching job job-1 at 1\/2; the job was not cancelled\. The workers go on with it\.\nWatch it again with: dovetail job watch job-1\n$/);
        if (mode === 'tty') assert.ok(out.includes('\r\x1b[2KStopped watching'), 'the progress line is cleared first');
      }
    }
  });
});
