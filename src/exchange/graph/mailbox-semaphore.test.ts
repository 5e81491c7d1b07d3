import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxSemaphore } from './mailbox-semaphore.ts';

describe('MailboxSemaphore', () => {
  it('never holds more than the limit for one mailbox and serves waiters in order', async () => {
    const semaphore = new MailboxSemaphore(4);
    let inFlight = 0;
    let highWater = 0;
    const order: number[] = [];
    const tasks = Array.from({ length: 20 }, async (_, i) => {
      const release = await semaphore.acquire('a@x');
      inFlight++;
      highWater = Math.max(highWater, inFlight);
      order.push(i);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      release();
    });
    await Promise.all(tasks);
    assert.equal(highWater, 4);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.equal(semaphore.inUse('a@x'), 0);
  });

  it('lets a batch take several permits and other mailboxes proceed', async () => {
    const semaphore = new MailboxSemaphore(4);
    const batch = await semaphore.acquire('a@x', 4);
    let single = false;
    const waiting = semaphore.acquire('a@x').then((release) => {
      single = true;
      release();
    });
    const other = await semaphore.acquire('b@x');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(single, false, 'a@x is full while the batch runs');
    batch();
    await waiting;
    assert.equal(single, true);
    other();
  });
});
