/**
 * The sync worker: claims due mailboxes under fenced leases, keeps each lease alive while it
 * works, runs the mailbox's due pipelines (Test & Enable, outgoing, incoming), records how each
 * run ended and when it runs next, and releases the lease. It also works through queued jobs,
 * delivers webhooks and prunes expired failure records. Any number of workers share one
 * PostgreSQL; the leases are the only coordination.
 */
import { AppError, toError } from '../errors.ts';
import type { MailboxDriver } from '../exchange/driver.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import type { EngineDeps } from './engine-deps.ts';
import { checkProfileFailures } from './alerts.ts';
import { runIncoming } from './incoming-pipeline.ts';
import { pruneFailures } from './item-failures.ts';
import { completeJobItems, runNextJob } from './jobs.ts';
import { claimDueMailboxes, heartbeat, release, type ClaimedMailbox, type Lease } from './leases.ts';
import { incomingEligibility, loadMailboxContext, outgoingEligibility, type MailboxContext } from './mailbox-context.ts';
import { runOutgoing } from './outgoing-pipeline.ts';
import { backoffDelay, decide, type PipelineName, type PipelineStep } from './policy.ts';
import { finishRun, type RunEnd } from './run-record.ts';
import { syncDb } from './sync-tables.ts';
import { runTestAndEnable } from './test-enable-pipeline.ts';
import { deliverDueWebhooks } from './webhook-delivery.ts';
import { runDueAct } from './act/act-runner.ts';
import { OUTBOX_CHANNEL } from '../crm/email-activities.ts';
import { startWorkerLoop, type WakeSource, type WorkerLoop } from './worker-loop.ts';

export type Worker = {
  /** Starts the worker loop (worker-loop.ts) until stop(). */
  start(): void;
  /** Stops the loop (when started) and waits for the runs in progress to finish. */
  stop(): Promise<void>;
  /**
   * Wake-ups for a loop that waits for work: new Pending Send email (PostgreSQL notifications)
   * and finished runs. start() uses it; so does src/main.ts, which runs the same loop around pass().
   */
  wakeSource: WakeSource;
  /** One round: claim what is due now and run it to the end. Returns the number of mailboxes run. */
  tick(): Promise<number>;
  /**
   * One round without waiting: claim what is due now (within free capacity) and start it in the
   * background. Returns how many mailboxes it claimed; stop() waits for the runs.
   */
  pass(): Promise<number>;
  /** Rounds until nothing is due (tests with a frozen clock). */
  runUntilIdle(maxRounds?: number): Promise<number>;
};

export function createWorker(deps: EngineDeps): Worker {
  const db = syncDb(deps.store.kysely);
  const drivers = new Map<string, { version: string; driver: Promise<MailboxDriver> }>();
  const active = new Set<Promise<void>>();
  let loop: WorkerLoop | undefined;
  let lastPrune = 0;
  // Whoever waits for work (the loop of start(), or src/main.ts's): told of new outgoing email and of finished runs.
  const waiting = new Set<() => void>();
  const wakeWaiting = (): void => {
    for (const w of waiting) w();
  };
  const wakeSource: WakeSource = async (wake) => {
    waiting.add(wake);
    // New Pending Send email wakes the loop at once on PostgreSQL. Without the listener (PGlite,
    // or while its connection is lost and being made again) the poll interval is the floor.
    const listen = deps.store.listen;
    if (listen === undefined) return async () => void waiting.delete(wake);
    let closed = false;
    let current: { stop: () => Promise<void> } | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    const again = (): void => {
      if (closed || retry !== undefined) return;
      failures++;
      retry = setTimeout(() => {
        retry = undefined;
        void subscribe();
      }, Math.min(60_000, 1_000 * 2 ** Math.min(failures - 1, 6)));
    };
    const subscribe = async (): Promise<void> => {
      const mine: { stop: () => Promise<void> } = { stop: async () => undefined };
      try {
        mine.stop = await listen(OUTBOX_CHANNEL, wake, (error) => {
          if (current !== mine) return;
          current = undefined;
          deps.log.warn({ err: error.message }, 'outbox notifications lost; polling until listening again');
          void mine.stop().catch(() => undefined);
          again();
        });
      } catch (error) {
        deps.log.warn({ err: toError(error).message }, 'cannot listen for outbox notifications; polling until listening again');
        again();
        return;
      }
      if (closed) return void (await mine.stop().catch(() => undefined));
      current = mine;
      if (failures > 0) {
        failures = 0;
        deps.log.info({}, 'listening for outbox notifications again');
        // What was queued while nobody listened was not announced: look now.
        wake();
      }
    };
    await subscribe();
    return async () => {
      closed = true;
      waiting.delete(wake);
      if (retry !== undefined) clearTimeout(retry);
      const last = current;
      current = undefined;
      await last?.stop();
    };
  };

  const driverFor = (profile: EmailServerProfile): Promise<MailboxDriver> => {
    const cached = drivers.get(profile.id);
    if (cached !== undefined && cached.version === profile.updatedAt) return cached.driver;
    if (cached !== undefined) void cached.driver.then((d) => d.close()).catch(() => undefined);
    const driver = (async () => deps.openDriver(profile))();
    drivers.set(profile.id, { version: profile.updatedAt, driver });
    // A profile that cannot be opened now may be fixed later: do not keep the failure.
    driver.catch(() => {
      if (drivers.get(profile.id)?.driver === driver) drivers.delete(profile.id);
    });
    return driver;
  };

  const runMailbox = async (claim: ClaimedMailbox): Promise<void> => {
    const lease: Lease = { mailboxId: claim.mailboxId, owner: claim.owner, epoch: claim.epoch };
    let warned = false;
    const beat = setInterval(() => {
      void heartbeat(db, lease, deps.clock.now(), deps.options.leaseTtlMs).then((kept) => {
        if (!kept && !warned) {
          warned = true;
          deps.log.warn({ mailboxId: lease.mailboxId, epoch: lease.epoch }, 'lease expired before its heartbeat; its writes stop if another worker takes it over');
        }
      }, () => undefined);
    }, Math.max(1_000, Math.floor(deps.options.leaseTtlMs / 3)));
    try {
      let ctx: MailboxContext;
      try {
        ctx = await loadMailboxContext(deps.store, claim.mailboxId);
      } catch (error) {
        // Without a profile or owner nothing can run: park every due pipeline with the reason.
        const reason = toError(error).message;
        deps.log.warn({ mailboxId: claim.mailboxId, reason }, 'mailbox cannot be synchronized');
        await db
          .updateTable('mailboxes')
          .set({ next_incoming_at: null, next_outgoing_at: null, next_test_at: null, last_error_code: isAppError(error) ? error.code : 'internal_error', last_error_message: reason, last_error_at: new Date(deps.clock.now()) })
          .where('id', '=', claim.mailboxId)
          .where('lease_epoch', '=', claim.epoch)
          .execute();
        // A Test & Enable job waiting on this mailbox gets its outcome instead of waiting forever.
        if (claim.due.test) await completeJobItems(db, claim.mailboxId, false, { error: reason }, new Date(deps.clock.now()));
        return;
      }
      // A profile the registry cannot open (unsupported authentication, missing secret) fails
      // every call with that error, so Test & Enable and the policy report it like any other.
      const driver = await driverFor(ctx.profile).catch((error: unknown) => failingDriver(isAppError(error) ? error : new AppError('driver_open_failed', toError(error).message, { kind: 'permanent' })));
      if (claim.due.test) {
        await runTestAndEnable(deps, ctx, lease, driver);
        ctx = await loadMailboxContext(deps.store, claim.mailboxId);
      }
      if (claim.due.outgoing || (claim.due.test && ctx.mailbox.nextOutgoingAt !== null)) await runPipeline(ctx, lease, 'outgoing', driver);
      if (claim.due.incoming || (claim.due.test && ctx.mailbox.nextIncomingAt !== null)) await runPipeline(ctx, lease, 'incoming', driver);
    } catch (error) {
      if (isAppError(error) && error.code === 'lease_lost') {
        deps.log.warn({ mailboxId: claim.mailboxId, epoch: claim.epoch }, 'lease lost; the run stopped without writing');
      } else {
        deps.log.error({ mailboxId: claim.mailboxId, err: toError(error).message }, 'mailbox run failed');
        // Whatever failed, do not claim the mailbox again at once: come back after a back-off.
        const later = new Date(deps.clock.now() + backoffDelay(0));
        const patch: Record<string, Date> = {};
        if (claim.due.incoming) patch['next_incoming_at'] = later;
        if (claim.due.outgoing) patch['next_outgoing_at'] = later;
        if (claim.due.test) patch['next_test_at'] = later;
        await db.updateTable('mailboxes').set(patch as never).where('id', '=', claim.mailboxId).where('lease_epoch', '=', claim.epoch).execute().catch(() => undefined);
      }
    } finally {
      clearInterval(beat);
      await release(db, lease).catch(() => undefined);
    }
  };

  const runPipeline = async (ctx: MailboxContext, lease: Lease, pipeline: 'incoming' | 'outgoing', driver: MailboxDriver): Promise<void> => {
    const startedAt = deps.clock.now();
    const eligible = pipeline === 'incoming' ? incomingEligibility(ctx) : outgoingEligibility(ctx);
    if (!eligible.ok) {
      await finishRun(deps, ctx, lease, pipeline, startedAt, { type: 'ineligible', reason: eligible.reason, ...(eligible.recheck === true ? { recheck: true } : {}) });
      return;
    }
    let end: RunEnd;
    let override;
    try {
      if (pipeline === 'incoming') {
        const r = await runIncoming(deps, ctx, lease, driver);
        end = { type: 'ok', ...r };
      } else {
        const r = await runOutgoing(deps, ctx, lease, driver);
        override = r.next;
        end = r.stop === undefined ? { type: 'ok', processed: r.processed, failed: r.failed, more: r.more } : { type: 'error', error: r.stop.error, action: r.stop.action, processed: r.processed, failed: r.failed };
      }
    } catch (error) {
      if (isAppError(error) && error.code === 'lease_lost') throw error;
      const e = isAppError(error) ? error : new AppError('internal_error', toError(error).message, { kind: 'transient', cause: error });
      if (!isAppError(error)) deps.log.error({ mailbox: ctx.mailbox.emailAddress, pipeline, err: e.message }, 'unexpected error in a pipeline run');
      const step: PipelineStep = pipeline === 'incoming' ? 'sync-folder' : 'connect';
      const failures = await db.selectFrom('mailbox_pipeline_state').select('failure_count').where('mailbox_id', '=', ctx.mailbox.id).where('pipeline', '=', pipeline).executeTakeFirst();
      end = { type: 'error', error: e, action: decide(pipeline as PipelineName, step, e, failures?.failure_count ?? 0), processed: 0, failed: 0 };
    }
    await finishRun(deps, ctx, lease, pipeline, startedAt, end, override);
    if (end.type === 'error') {
      deps.log.warn({ mailbox: ctx.mailbox.emailAddress, pipeline, code: end.error.code, action: end.action.type }, 'pipeline run failed');
      const alert = await checkProfileFailures(deps, ctx).catch((e: unknown) => {
        deps.log.error({ err: toError(e).message }, 'profile failure check failed');
        return 'none' as const;
      });
      if (alert !== 'none') deps.log.warn({ profileId: ctx.profile.id, alert }, 'more than half of the profile mailboxes failed within an hour');
    }
  };

  const housekeeping = async (): Promise<void> => {
    const now = deps.clock.now();
    while (await runNextJob(db, { clock: deps.clock, random: deps.random, owner: deps.workerId, leaseTtlMs: deps.options.leaseTtlMs }, () => deps.store.settings.get()));
    await deliverDueWebhooks(deps);
    await runDueAct(deps);
    if (now - lastPrune > 3_600_000) {
      lastPrune = now;
      await pruneFailures(db, new Date(now));
    }
  };

  const tick = async (): Promise<number> => {
    await housekeeping().catch((e: unknown) => deps.log.error({ err: toError(e).message }, 'housekeeping failed'));
    const room = deps.options.concurrency - active.size;
    if (room <= 0) return 0;
    const claims = await claimDueMailboxes(db, { owner: deps.workerId, now: deps.clock.now(), ttlMs: deps.options.leaseTtlMs, limit: room });
    const runs = claims.map((c) => {
      const p = runMailbox(c).finally(() => active.delete(p));
      active.add(p);
      return p;
    });
    await Promise.all(runs);
    return claims.length;
  };

  return {
    start() {
      if (loop !== undefined) return;
      loop = startWorkerLoop({ pass, pollMs: deps.options.pollIntervalMs, wakeSource, log: deps.log, ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }) });
    },
    async stop() {
      await loop?.stop();
      loop = undefined;
      await Promise.all([...active]);
      for (const { driver } of drivers.values()) await (await driver).close().catch(() => undefined);
      drivers.clear();
    },
    wakeSource,
    tick,
    pass,
    async runUntilIdle(maxRounds = 100) {
      let total = 0;
      for (let i = 0; i < maxRounds; i++) {
        const n = await tick();
        total += n;
        if (n === 0) return total;
      }
      return total;
    },
  };

  /** In the polling loop runs go on in the background, so a long mailbox never delays the others. */
  async function pass(): Promise<number> {
    await housekeeping().catch((e: unknown) => deps.log.error({ err: toError(e).message }, 'housekeeping failed'));
    const room = deps.options.concurrency - active.size;
    if (room <= 0) return 0;
    const claims = await claimDueMailboxes(db, { owner: deps.workerId, now: deps.clock.now(), ttlMs: deps.options.leaseTtlMs, limit: room });
    for (const c of claims) {
      const p = runMailbox(c).finally(() => {
        active.delete(p);
        // Its slot is free again: the loop need not wait for the next poll to use it.
        wakeWaiting();
      });
      active.add(p);
    }
    return claims.length;
  }
}

/** A driver whose every call fails with `error`. */
function failingDriver(error: AppError): MailboxDriver {
  return new Proxy({} as MailboxDriver, {
    get(_target, prop) {
      if (prop === 'provider') return 'ews';
      if (prop === 'close') return async () => undefined;
      if (prop === 'then') return undefined;
      return async () => {
        throw error;
      };
    },
  });
}

function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
