/**
 * The loop every sync worker runs (`dovetail worker`, `dovetail start`, the demo and the tests):
 * passes back to back while they claim work; otherwise it waits the poll interval. The wait ends
 * early on a wake-up: a PostgreSQL notification of new outgoing email, a run that finished (its
 * slot is free again), or stop(). Wake-ups are subscribed before the first pass, so work queued
 * while the loop starts is seen by that pass or wakes the wait after it.
 */
import { toError } from '../errors.ts';

export type LoopLog = {
  debug?(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
};

/** Calls wake whenever there may be new work; the result ends the subscription. */
export type WakeSource = (wake: () => void) => Promise<(() => Promise<void>) | undefined>;

export type LoopDeps = {
  /** One round; resolves to how many mailboxes it claimed (0: nothing to do now). */
  pass(): Promise<number>;
  pollMs: number;
  wakeSource?: WakeSource;
  /** Waits ms, ending early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  log: LoopLog;
};

export type WorkerLoop = {
  /** Ends the current wait (or the next one) at once. */
  wake(): void;
  /** Completed passes, failed ones included. */
  passes(): number;
  /** The error of the last pass, undefined when it succeeded. */
  lastError(): Error | undefined;
  /** Ends the wait, lets the pass in flight finish and ends the wake-up subscription. */
  stop(): Promise<void>;
};

export function startWorkerLoop(deps: LoopDeps): WorkerLoop {
  const sleep = deps.sleep ?? abortableSleep;
  let running = true;
  let passes = 0;
  let lastError: Error | undefined;
  let napping: AbortController | undefined;
  let wokenEarly = false;
  const wake = (): void => {
    if (napping !== undefined) napping.abort();
    else wokenEarly = true;
  };
  const nap = async (): Promise<void> => {
    if (wokenEarly || !running) return;
    napping = new AbortController();
    deps.log.debug?.({ pollMs: deps.pollMs }, 'worker idle; waiting for work or the next poll');
    try {
      await sleep(deps.pollMs, napping.signal);
    } finally {
      napping = undefined;
    }
  };
  const loop = (async () => {
    const unsubscribe = deps.wakeSource === undefined ? undefined : await deps.wakeSource(wake).catch((error: unknown) => {
      deps.log.warn({ err: toError(error).message }, 'cannot subscribe to wake-ups; polling only');
      return undefined;
    });
    try {
      while (running) {
        // A wake-up from here on may announce work this pass does not see: it makes the nap end at once.
        wokenEarly = false;
        let claimed = 0;
        try {
          claimed = await deps.pass();
          lastError = undefined;
        } catch (error) {
          lastError = toError(error);
          deps.log.error({ err: lastError.message }, 'worker round failed');
        }
        passes++;
        if (claimed === 0) await nap();
      }
    } finally {
      await unsubscribe?.().catch(() => undefined);
    }
  })();
  return {
    wake,
    passes: () => passes,
    lastError: () => lastError,
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
