/**
 * At most `limit` requests in flight per mailbox. Exchange Online answers the fifth concurrent
 * request of one app to one mailbox with 429 ApplicationThrottled
 * (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits: 4 concurrent requests).
 * Waiters are served first come, first served; a $batch may take several permits at once.
 */
export class MailboxSemaphore {
  readonly #limit: number;
  readonly #state = new Map<string, { inUse: number; waiters: Array<{ count: number; wake: () => void }> }>();

  constructor(limit = 4) {
    if (limit < 1) throw new Error('limit must be at least 1');
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Resolves with a release function once `count` permits for the mailbox are held. */
  async acquire(mailbox: string, count = 1): Promise<() => void> {
    const key = mailbox.toLowerCase();
    const want = Math.min(Math.max(1, count), this.#limit);
    let state = this.#state.get(key);
    if (state === undefined) {
      state = { inUse: 0, waiters: [] };
      this.#state.set(key, state);
    }
    const current = state;
    if (current.waiters.length === 0 && current.inUse + want <= this.#limit) {
      current.inUse += want;
    } else {
      await new Promise<void>((wake) => current.waiters.push({ count: want, wake }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      current.inUse -= want;
      this.#wake(key, current);
    };
  }

  /** Permits in use for a mailbox (for tests and metrics). */
  inUse(mailbox: string): number {
    return this.#state.get(mailbox.toLowerCase())?.inUse ?? 0;
  }

  #wake(key: string, state: { inUse: number; waiters: Array<{ count: number; wake: () => void }> }): void {
    while (state.waiters.length > 0) {
      const next = state.waiters[0]!;
      if (state.inUse + next.count > this.#limit) break;
      state.waiters.shift();
      state.inUse += next.count;
      next.wake();
    }
    if (state.inUse === 0 && state.waiters.length === 0) this.#state.delete(key);
  }
}
