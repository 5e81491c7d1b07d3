import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../sync/jobs.ts';
import { withStranded } from './job-watch.ts';

const job: Job = {
  id: 'j', kind: 'test-and-enable', status: 'running', total: 2, done: 1, failed: 0, progress: 50, params: {}, createdBy: null,
  createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null,
  items: [
    { mailboxId: 'a', status: 'done', result: { incoming: { ok: true, detail: 'fine' } }, finishedAt: '2026-01-01T00:00:05.000Z' },
    { mailboxId: 'b', status: 'testing', result: {}, finishedAt: null },
  ],
};

describe('withStranded', () => {
  it('counts a test no worker will run as failed with its reason, and finishes the job when nothing else is left', () => {
    const seen = withStranded(job, new Map([['b', { message: 'The mailbox has no email server profile.', at: '2026-01-01T00:00:06.000Z' }]]));
    assert.deepEqual({ status: seen.status, done: seen.done, failed: seen.failed, progress: seen.progress }, { status: 'completed-with-errors', done: 1, failed: 1, progress: 100 });
    assert.deepEqual(seen.items[1], { mailboxId: 'b', status: 'failed', result: { error: 'The mailbox has no email server profile.' }, finishedAt: '2026-01-01T00:00:06.000Z' });
    assert.equal(seen.items[0], job.items[0], 'finished items stay as the store has them');
  });

  it('leaves a job alone when nothing is stranded, and never overrides a result the store has', () => {
    assert.equal(withStranded(job, new Map()), job);
    const finished: Job = { ...job, items: [job.items[0]!, { mailboxId: 'b', status: 'done', result: {}, finishedAt: 'x' }], done: 2, status: 'succeeded' };
    const seen = withStranded(finished, new Map([['b', { message: 'late', at: 'y' }]]));
    assert.equal(seen.items[1]!.status, 'done');
    assert.equal(seen.status, 'succeeded');
  });
});
