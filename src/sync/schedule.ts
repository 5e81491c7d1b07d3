/**
 * When a pipeline of a mailbox runs next, and why (the "back-off reason" the API and CLI show).
 *
 * - The profile's minimum polling interval is a floor for every poll that follows a finished run.
 * - A run that found mail is followed promptly (at the floor): more mail tends to follow mail.
 * - Idle runs back off, doubling from the floor, but never beyond 15 minutes unless the
 *   administrator set a longer minimum interval.
 * - A run that is cut short with more pages waiting continues at once.
 * - Errors wait as long as sync/policy.ts says.
 */

export type RunOutcome =
  | { type: 'items'; count: number; more: boolean }
  | { type: 'idle' }
  | { type: 'error'; delayMs: number; reason: string }
  | { type: 'disabled'; reason: string };

export type ScheduleReason = 'more-pages' | 'mail-arrived' | 'idle-backoff' | 'error-backoff' | 'disabled';

export type ScheduleDecision = {
  /** null when the pipeline does not run again until someone enables it. */
  nextRunAt: number | null;
  reason: ScheduleReason;
  detail: string;
  /** Consecutive idle runs, carried to the next decision. */
  idleStreak: number;
};

export const idleBackoffCapMs = 15 * 60_000;
/** The shortest interval between two polls when the profile allows 0 minutes. */
export const promptPollMs = 5_000;
/** First idle back-off step when the profile's floor is lower. */
export const idleBackoffStartMs = 30_000;

export function pollingFloorMs(minimumPollingMinutes: number): number {
  return Math.max(promptPollMs, Math.round(minimumPollingMinutes * 60_000));
}

export function nextRun(now: number, outcome: RunOutcome, minimumPollingMinutes: number, idleStreak: number): ScheduleDecision {
  const floor = pollingFloorMs(minimumPollingMinutes);
  switch (outcome.type) {
    case 'items':
      if (outcome.more) return { nextRunAt: now, reason: 'more-pages', detail: 'more changes are waiting on the server', idleStreak: 0 };
      return {
        nextRunAt: now + floor,
        reason: 'mail-arrived',
        detail: `${outcome.count} item(s) processed; polling again at the minimum interval`,
        idleStreak: 0,
      };
    case 'idle': {
      const streak = idleStreak + 1;
      const delay = idleDelayMs(floor, streak);
      return { nextRunAt: now + delay, reason: 'idle-backoff', detail: `no changes in ${streak} run(s) in a row`, idleStreak: streak };
    }
    case 'error':
      return { nextRunAt: now + Math.max(floor, outcome.delayMs), reason: 'error-backoff', detail: outcome.reason, idleStreak };
    case 'disabled':
      return { nextRunAt: null, reason: 'disabled', detail: outcome.reason, idleStreak };
  }
}

/** Doubling from the floor, capped at 15 minutes; a floor above the cap wins (the administrator asked). */
export function idleDelayMs(floorMs: number, streak: number): number {
  const start = Math.max(floorMs, idleBackoffStartMs);
  const grown = start * 2 ** Math.max(0, Math.min(streak - 1, 20));
  return Math.max(floorMs, Math.min(grown, idleBackoffCapMs));
}
