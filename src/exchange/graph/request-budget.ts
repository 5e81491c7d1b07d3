import type { Clock } from '../../clock.ts';

/**
 * A token bucket per mailbox on the injected clock. Exchange Online allows 10,000 Graph requests per
 * app and mailbox in 10 minutes (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits);
 * the default budget (a burst of 200 plus 6,000 per 10 minutes) keeps any 10-minute window at or below
 * 6,200, well under the limit, so other apps' traffic and our own retries still fit.
 */
export type RequestBudgetOptions = {
  /** Requests allowed at once after an idle period. */
  burst: number;
  /** Requests refilled per `perMs`. */
  refill: number;
  perMs: number;
};

export const defaultRequestBudget: RequestBudgetOptions = { burst: 200, refill: 6_000, perMs: 600_000 };

export class RequestBudget {
  readonly #clock: Clock;
  readonly #options: RequestBudgetOptions;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(clock: Clock, options: RequestBudgetOptions = defaultRequestBudget) {
    if (options.burst < 1 || options.refill <= 0 || options.perMs <= 0) throw new Error('invalid request budget');
    this.#clock = clock;
    this.#options = options;
  }

  /**
   * Takes `cost` requests from the mailbox's bucket. Returns 0 when they were available, otherwise
   * how many milliseconds to wait before asking again (nothing is taken then).
   */
  take(mailbox: string, cost = 1): number {
    const key = mailbox.toLowerCase();
    const now = this.#clock.now();
    const rate = this.#options.refill / this.#options.perMs;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#options.burst, at: now };
    const tokens = Math.min(this.#options.burst, bucket.tokens + Math.max(0, now - bucket.at) * rate);
    const need = Math.min(cost, this.#options.burst);
    if (tokens >= need) {
      this.#buckets.set(key, { tokens: tokens - need, at: now });
      return 0;
    }
    this.#buckets.set(key, { tokens, at: now });
    return Math.ceil((need - tokens) / rate);
  }
}
