import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { idleBackoffCapMs, nextRun, pollingFloorMs } from './schedule.ts';

const now = 1_800_000_000_000;

describe('schedule', () => {
  it('polls again at the minimum interval after mail arrived', () => {
    const d = nextRun(now, { type: 'items', count: 3, more: false }, 2, 4);
    assert.equal(d.nextRunAt, now + 2 * 60_000);
    assert.equal(d.reason, 'mail-arrived');
    assert.equal(d.idleStreak, 0);
  });

  it('continues at once when more pages wait', () => {
    const d = nextRun(now, { type: 'items', count: 100, more: true }, 10, 0);
    assert.equal(d.nextRunAt, now);
    assert.equal(d.reason, 'more-pages');
  });

  it('backs off idle mailboxes by doubling, never beyond 15 minutes', () => {
    let streak = 0;
    let last = 0;
    for (let i = 0; i < 30; i++) {
      const d = nextRun(now, { type: 'idle' }, 1, streak);
      assert.equal(d.reason, 'idle-backoff');
      const delay = d.nextRunAt! - now;
      assert.ok(delay >= last, 'never shrinks while idle');
      assert.ok(delay <= idleBackoffCapMs);
      assert.ok(delay >= 60_000, 'never below the floor');
      last = delay;
      streak = d.idleStreak;
    }
    assert.equal(last, idleBackoffCapMs);
  });

  it('lets an administrator floor above 15 minutes win', () => {
    const d = nextRun(now, { type: 'idle' }, 60, 10);
    assert.equal(d.nextRunAt, now + 60 * 60_000);
  });

  it('resets the idle streak when mail arrives', () => {
    const idle = nextRun(now, { type: 'idle' }, 0, 6);
    assert.equal(idle.idleStreak, 7);
    const busy = nextRun(now, { type: 'items', count: 1, more: false }, 0, idle.idleStreak);
    assert.equal(busy.idleStreak, 0);
    assert.equal(busy.nextRunAt, now + pollingFloorMs(0));
  });

  it('waits out errors, at least the floor', () => {
    assert.equal(nextRun(now, { type: 'error', delayMs: 1000, reason: 'x' }, 5, 0).nextRunAt, now + 5 * 60_000);
    const d = nextRun(now, { type: 'error', delayMs: 600_000, reason: 'throttled' }, 1, 2);
    assert.equal(d.nextRunAt, now + 600_000);
    assert.equal(d.reason, 'error-backoff');
    assert.equal(d.detail, 'throttled');
  });

  it('stops a disabled pipeline', () => {
    assert.equal(nextRun(now, { type: 'disabled', reason: 'auth' }, 1, 0).nextRunAt, null);
  });
});
