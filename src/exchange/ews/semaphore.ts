/** Counts connections in use per key (a mailbox or the whole profile) and queues the rest in order. */
export class Semaphore {
  readonly #limit: number;
  readonly #inUse = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();
  #peak = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Highest number of slots ever held at once for any key (diagnostics and tests). */
  get peak(): number {
    return this.#peak;
  }

  inUse(key: string): number {
    return this.#inUse.get(key) ?? 0;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    const used = this.#inUse.get(key) ?? 0;
    if (used < this.#limit) {
      this.#take(key);
      return this.#releaser(key);
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, queue);
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a connection slot'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
    return this.#releaser(key);
  }

  #take(key: string): void {
    const n = (this.#inUse.get(key) ?? 0) + 1;
    this.#inUse.set(key, n);
    if (n > this.#peak) this.#peak = n;
  }

  #releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.#waiting.get(key);
      const next = queue?.shift();
      if (next) {
        // The slot passes straight to the next waiter: the count stays the same.
        next();
        return;
      }
      if (queue && queue.length === 0) this.#waiting.delete(key);
      const n = (this.#inUse.get(key) ?? 1) - 1;
      if (n <= 0) this.#inUse.delete(key);
      else this.#inUse.set(key, n);
    };
  }
}
