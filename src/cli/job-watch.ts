/**
 * Starting a background job from the command line and watching it to the end.
 *
 * Commands that start a job wait for it by default and show its progress (job-progress.ts);
 * --no-wait prints the job id at once. `dovetail job watch <id>` attaches to any job.
 *
 * Who runs the job while the command waits: on PostgreSQL, the workers (`dovetail worker` or
 * `dovetail start`), as for the admin center. The embedded database belongs to one process at a
 * time, so no worker can run beside the command: there the command runs the sync worker itself
 * until the job is finished or watching stops.
 *
 * Ctrl-C stops watching, never the job: the command says how to watch again and exits 130.
 */
import type { Command } from 'commander';
import { listMailboxes } from '../use-cases/mailboxes.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import type { Job } from '../sync/jobs.ts';
import { showJob, startJob, type JobRequest } from '../sync/sync-admin.ts';
import type { Runtime } from '../main.ts';
import type { CliContext } from './cli-context.ts';
import { createProgressRenderer, isFinished, jobTitles, resumeCommand, type JobSnapshot, type ProgressMode } from './job-progress.ts';

/** Exit codes of the commands that wait for a job (docs/cli.md). 1 stays "the command failed". */
export const jobExitCodes = { succeeded: 0, mailboxesFailed: 3, interrupted: 130 } as const;

/** How often the command looks at the job. */
const POLL_MS = 500;

export type WaitOptions = { wait: boolean };

/** The option every job-starting command shares. */
export function addWaitOption(cmd: Command): Command {
  return cmd.option('--no-wait', 'start the job and print its id at once, without waiting (watch it later with `dovetail job watch <id>`)');
}

/** Starts a job; then waits for it with progress, or with --no-wait prints it and how to watch it. */
export async function startAndWatch(cli: CliContext, request: JobRequest, options: WaitOptions): Promise<void> {
  if (!options.wait) {
    const job = await cli.withUseCases((ctx) => startJob(ctx, request));
    cli.print(job, () => `started ${jobTitles[job.kind]} job ${job.id} for ${job.total} mailbox${job.total === 1 ? '' : 'es'}\nwatch it with: ${resumeCommand(job.id)}`);
    return;
  }
  await watch(cli, (ctx) => startJob(ctx, request));
}

/** `dovetail job watch <id>`: attaches to a job, running or finished. */
export async function watchJob(cli: CliContext, jobId: string): Promise<void> {
  await watch(cli, (ctx) => showJob(ctx, jobId));
}

function modeOf(cli: CliContext): ProgressMode {
  if (cli.json()) return 'json';
  return cli.terminal().tty ? 'tty' : 'lines';
}

async function watch(cli: CliContext, first: (ctx: UseCaseContext) => Promise<Job>): Promise<void> {
  const mode = modeOf(cli);
  const renderer = createProgressRenderer({ mode, write: (t) => void cli.io.stdout.write(t), columns: cli.terminal().columns });
  await cli.withUseCases(async (ctx, runtime) => {
    let job = await first(ctx);
    const names = new Map((await listMailboxes(ctx, { ids: job.items.map((i) => i.mailboxId) })).map((m) => [m.id, m.emailAddress] as const));
    let snapshot: JobSnapshot = { job, names, current: [] };
    let suspects: ReadonlySet<string> = new Set();
    const stranded = new Map<string, { message: string; at: string }>();

    // Listen for Ctrl-C before the first output, so whoever reads it may interrupt at once.
    let interrupted = false;
    let wake: (() => void) | undefined;
    const onInterrupt = () => {
      interrupted = true;
      wake?.();
    };
    process.on('SIGINT', onInterrupt);
    let stopWorker: (() => Promise<void>) | undefined;
    try {
      renderer.update(snapshot);
      if (!isFinished(job) && runtime.config.databaseUrl === undefined) stopWorker = await runWorkerHere(runtime);
      while (!isFinished(job) && !interrupted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (interrupted) break;
        const stored = await showJob(ctx, job.id);
        const seen = await look(ctx, stored, runtime.clock.now(), suspects);
        suspects = seen.suspects;
        for (const [id, message] of seen.stranded) if (!stranded.has(id)) stranded.set(id, { message, at: new Date(runtime.clock.now()).toISOString() });
        job = withStranded(stored, stranded);
        snapshot = { job, names, current: seen.current.filter((id) => !stranded.has(id)) };
        if (!isFinished(job)) renderer.update(snapshot);
      }
      if (interrupted) {
        const note = stopWorker === undefined
          ? 'The workers go on with it.'
          : 'This process ran the worker for the embedded database; the job goes on when Dovetail runs again (dovetail start or dovetail worker).';
        renderer.interrupted(snapshot, job.id, note);
        cli.setExitCode(jobExitCodes.interrupted);
        return;
      }
      const code = job.failed > 0 ? jobExitCodes.mailboxesFailed : jobExitCodes.succeeded;
      renderer.finish({ job, names, current: [] }, code);
      cli.setExitCode(code);
    } finally {
      process.off('SIGINT', onInterrupt);
      // The worker finishes the mailbox runs in flight, so no lease is left to expire.
      await stopWorker?.();
    }
  });
}

type Look = { current: string[]; suspects: Set<string>; stranded: Map<string, string> };

/**
 * The mailboxes being worked on now (leased by a worker, or next in an approve/apply job), and the
 * tests no worker will ever run: a mailbox without a profile is never claimed, and one whose
 * context cannot load has its test dropped without a result. Those count as failed here, so the
 * watch ends; `suspects` must be seen twice in a row, as a test item is marked before its mailbox.
 */
async function look(ctx: UseCaseContext, job: Job, now: number, suspects: ReadonlySet<string>): Promise<Look> {
  const pending = job.items.filter((i) => i.status === 'queued' || i.status === 'testing');
  const out: Look = { current: [], suspects: new Set(), stranded: new Map() };
  if (pending.length === 0) return out;
  const mailboxes = new Map((await listMailboxes(ctx, { ids: pending.map((i) => i.mailboxId) })).map((m) => [m.id, m] as const));
  const leased = (id: string) => {
    const m = mailboxes.get(id);
    return m !== undefined && m.leaseOwner !== null && m.leaseExpiresAt !== null && Date.parse(m.leaseExpiresAt) > now;
  };
  for (const i of pending) {
    if (i.status !== 'testing') continue;
    const m = mailboxes.get(i.mailboxId);
    if (m === undefined) out.stranded.set(i.mailboxId, 'The mailbox no longer exists.');
    else if (m.profileId === null) out.stranded.set(i.mailboxId, `The mailbox has no email server profile, so it cannot be tested: give it one (or Apply Default Email Settings), then test it again.`);
    else if (m.nextTestAt === null && !leased(i.mailboxId)) {
      if (suspects.has(i.mailboxId)) out.stranded.set(i.mailboxId, `The worker could not test the mailbox${m.lastErrorMessage === null ? '' : `: ${m.lastErrorMessage}`}`);
      else out.suspects.add(i.mailboxId);
    }
  }
  out.current = pending.map((i) => i.mailboxId).filter((id) => leased(id));
  const queued = pending.find((i) => i.status === 'queued');
  if (out.current.length === 0 && job.status === 'running' && queued !== undefined) out.current = [queued.mailboxId];
  return out;
}

/** The job as the watch reports it: tests no worker will run count as failed (see look()). */
export function withStranded(job: Job, stranded: ReadonlyMap<string, { message: string; at: string }>): Job {
  if (stranded.size === 0) return job;
  const items = job.items.map((i) => {
    const s = stranded.get(i.mailboxId);
    return s !== undefined && (i.status === 'queued' || i.status === 'testing') ? { ...i, status: 'failed' as const, result: { error: s.message }, finishedAt: s.at } : i;
  });
  const done = items.filter((i) => i.status === 'done').length;
  const failed = items.filter((i) => i.status === 'failed').length;
  const finished = done + failed >= job.total;
  return {
    ...job, items, done, failed, progress: Math.floor(((done + failed) * 100) / Math.max(1, job.total)),
    ...(finished ? { status: failed > 0 ? 'completed-with-errors' as const : 'succeeded' as const } : {}),
  };
}

/** Runs the sync worker in this process over the open embedded database; returns how to stop it. */
async function runWorkerHere(runtime: Runtime): Promise<() => Promise<void>> {
  const [{ startWorker }, { syncEngineFactory }] = await Promise.all([import('../main.ts'), import('../sync/engine-factory.ts')]);
  const c = runtime.config;
  const worker = startWorker({
    store: runtime.store, clock: runtime.clock, random: runtime.random, logger: runtime.logger, metrics: runtime.metrics,
    workerId: `${c.workerId}-cli`, leaseSeconds: c.leaseSeconds, concurrency: c.workerConcurrency, pollMs: Math.min(c.workerPollMs, POLL_MS),
    engineFactory: syncEngineFactory,
  });
  return () => worker.stop();
}
