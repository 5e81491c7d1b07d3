import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../clock.ts';
import { RequestBudget, defaultRequestBudget } from './request-budget.ts';

describe('RequestBudget', () => {
  it('allows the burst, then asks to wait for the refill', () => {
    const clock = fixedClock(0);
    const budget = new RequestBudget(clock, { burst: 3, refill: 1, perMs: 1_000 });
    assert.equal(budget.take('a@x'), 0);
    assert.equal(budget.take('a@x'), 0);
    assert.equal(budget.take('a@x'), 0);
    assert.equal(budget.take('a@x'), 1_000);
    clock.advance(1_000);
    assert.equal(budget.take('a@x'), 0);
  });

  it('keeps mailboxes apart', () => {
    const budget = new RequestBudget(fixedClock(0), { burst: 1, refill: 1, perMs: 1_000 });
    assert.equal(budget.take('a@x'), 0);
    assert.equal(budget.take('b@x'), 0);
    assert.ok(budget.take('A@X') > 0, 'addresses compare case-insensitively');
  });

  it('by default admits well under 10,000 requests in any 10 minutes', () => {
    const clock = fixedClock(0);
    const budget = new RequestBudget(clock, defaultRequestBudget);
    let admitted = 0;
    // One attempt every 10 ms for 10 minutes: far more than the budget.
    for (let t = 0; t < 600_000; t += 10) {
      clock.set(t);
      if (budget.take('a@x') === 0) admitted++;
    }
    assert.ok(admitted <= 6_200, `admitted ${admitted}`);
    assert.ok(admitted >= 6_000, `admitted ${admitted}`);
  });
});
