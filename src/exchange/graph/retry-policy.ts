import type { Random } from '../../clock.ts';

/**
 * How long to wait before retry number `attempt` (1-based). When the server said how long
 * (Retry-After on 429/503/504, https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling)
 * we wait exactly that plus a little jitter, never less; otherwise exponential back-off with full jitter,
 * so that several workers throttled together do not come back in step.
 */
export type RetryPolicyOptions = {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicyOptions = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 60_000 };

export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: Random,
  options: RetryPolicyOptions = defaultRetryPolicy,
): number {
  const fraction = random.bytes(4).readUInt32BE(0) / 0x1_0000_0000;
  if (retryAfterMs !== undefined) {
    // Up to 10% (at most one second) on top of what the server asked for, never below it.
    return retryAfterMs + Math.floor(fraction * Math.min(1_000, retryAfterMs * 0.1 + 50));
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(fraction * ceiling);
}
