/**
 * How a background job's progress looks in a terminal, in a log and to a program:
 * - tty: one line redrawn in place (done/total, succeeded, failed, the mailbox being worked on);
 * - lines: one plain line per mailbox as it finishes (stdout is a file or a pipe);
 * - json: newline-delimited JSON events, the last one the result (format in docs/cli.md).
 * Both human modes end with a table of every mailbox: its result, what failed and what to do.
 * Pure: it writes through `write` and keeps only what it has already reported.
 */
import type { Job } from '../sync/jobs.ts';

export type ProgressMode = 'tty' | 'lines' | 'json';

/** One look at the job: the job with its items, mailbox addresses, and the mailboxes being worked on now. */
export type JobSnapshot = { job: Job; names: ReadonlyMap<string, string>; current: ReadonlyArray<string> };

export type Check = { check: string; ok: boolean; detail: string; remedy: string | null };
export type MailboxOutcome = { mailboxId: string; emailAddress: string; status: 'succeeded' | 'failed' | 'pending'; checks: Check[] };

export const jobTitles: Record<Job['kind'], string> = {
  'test-and-enable': 'Test & Enable',
  'approve-email': 'Approve Email',
  'apply-default-settings': 'Apply Default Email Settings',
};

const checkLabels: Record<string, string> = {
  incoming: 'incoming email',
  outgoing: 'outgoing email',
  act: 'appointments, contacts and tasks',
  orgStamp: 'org stamp',
};

const checkOrder = ['incoming', 'outgoing', 'orgStamp', 'act'].map((k) => checkLabels[k]!);

export const isFinished = (job: Pick<Job, 'status'>): boolean => job.status === 'succeeded' || job.status === 'completed-with-errors';

/** What one mailbox's result says, check by check, whatever the job kind. */
export function outcomeOf(item: Job['items'][number], names: ReadonlyMap<string, string>): MailboxOutcome {
  const status = item.status === 'done' ? 'succeeded' : item.status === 'failed' ? 'failed' : 'pending';
  const checks: Check[] = [];
  for (const [key, value] of Object.entries(item.result)) {
    if (typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean') {
      const c = value as { ok: boolean; detail?: unknown; remedy?: unknown };
      checks.push({ check: checkLabels[key] ?? key, ok: c.ok, detail: typeof c.detail === 'string' ? c.detail : '', remedy: typeof c.remedy === 'string' && !c.ok ? c.remedy : null });
    } else if (key === 'error' && typeof value === 'string') {
      checks.push({ check: 'job', ok: false, detail: value, remedy: null });
    } else if (key === 'approval') {
      checks.push({ check: 'approval', ok: true, detail: `email ${String(value)}`, remedy: null });
    } else if (key === 'applied' && value === true) {
      checks.push({ check: 'default settings', ok: true, detail: 'applied', remedy: null });
    }
  }
  // In the order the test runs them (stored results come back in any order).
  const rank = (c: Check) => {
    const i = checkOrder.indexOf(c.check);
    return i === -1 ? checkOrder.length : i;
  };
  checks.sort((a, b) => rank(a) - rank(b));
  // A failed org stamp is reported again as the ACT failure: say it once.
  const unique = checks.filter((c, i) => c.ok || checks.findIndex((o) => !o.ok && o.detail === c.detail) === i);
  return { mailboxId: item.mailboxId, emailAddress: names.get(item.mailboxId) ?? item.mailboxId, status, checks: unique };
}

/** The command that runs the job again for the mailboxes that failed. */
export function rerunCommand(job: Pick<Job, 'kind' | 'params'>, failedIds: ReadonlyArray<string>): string {
  if (job.kind === 'test-and-enable') return `dovetail mailbox test ${failedIds.join(' ')}`;
  if (job.kind === 'apply-default-settings') return `dovetail mailbox apply-defaults ${failedIds.join(' ')}${job.params['testAndEnable'] === false ? ' --no-test' : ''}`;
  return `dovetail job start ${job.kind} ${failedIds.map((id) => `--mailbox ${id}`).join(' ')}`;
}

export const resumeCommand = (jobId: string): string => `dovetail job watch ${jobId}`;

const summary = (job: Job) => ({
  id: job.id, kind: job.kind, status: job.status, total: job.total, done: job.done, failed: job.failed, progress: job.progress,
  createdAt: job.createdAt, startedAt: job.startedAt, finishedAt: job.finishedAt,
});

export type ProgressRenderer = {
  /** A new look at the running job: reports what changed since the last one. */
  update(snapshot: JobSnapshot): void;
  /** The job finished: the last items, then the table (or the result event). */
  finish(snapshot: JobSnapshot, exitCode: number): void;
  /** Watching stopped before the job finished (Ctrl-C); the job goes on. */
  interrupted(snapshot: JobSnapshot | undefined, jobId: string, note: string): void;
};

export function createProgressRenderer(options: { mode: ProgressMode; write: (text: string) => void; columns?: number }): ProgressRenderer {
  const { mode, write } = options;
  const columns = Math.max(20, options.columns ?? 80);
  const reported = new Set<string>();
  let started = false;
  let lastProgress = '';
  let lineShown = false;
  const event = (e: Record<string, unknown>) => write(`${JSON.stringify(e)}\n`);
  const clearLine = () => {
    if (lineShown) write('\r\x1b[2K');
    lineShown = false;
  };

  const start = (s: JobSnapshot) => {
    if (started) return;
    started = true;
    if (mode === 'json') event({ type: 'started', job: summary(s.job), mailboxes: s.job.items.map((i) => ({ mailboxId: i.mailboxId, emailAddress: s.names.get(i.mailboxId) ?? i.mailboxId })) });
    else if (mode === 'lines') write(`${jobTitles[s.job.kind]} job ${s.job.id}: ${s.job.total} mailbox${s.job.total === 1 ? '' : 'es'}\n`);
  };

  const newlyFinished = (s: JobSnapshot): MailboxOutcome[] => {
    const out: MailboxOutcome[] = [];
    // In the order they finished, so lines read like a log.
    const items = s.job.items.filter((i) => i.finishedAt !== null && !reported.has(i.mailboxId)).sort((a, b) => (a.finishedAt! < b.finishedAt! ? -1 : a.finishedAt! > b.finishedAt! ? 1 : 0));
    for (const i of items) {
      reported.add(i.mailboxId);
      out.push(outcomeOf(i, s.names));
    }
    return out;
  };

  const reportItems = (s: JobSnapshot) => {
    let n = reported.size;
    for (const o of newlyFinished(s)) {
      n++;
      if (mode === 'json') event({ type: 'item', jobId: s.job.id, ...o });
      else if (mode === 'lines') {
        const failed = o.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`).join('; ');
        write(`[${n}/${s.job.total}] ${o.status === 'succeeded' ? 'ok    ' : 'failed'}  ${o.emailAddress}${failed === '' ? '' : `  ${failed}`}\n`);
      }
    }
  };

  const statusLine = (s: JobSnapshot): string => {
    const j = s.job;
    const width = 20;
    const filled = Math.round(((j.done + j.failed) / Math.max(1, j.total)) * width);
    const names = s.current.map((id) => s.names.get(id) ?? id);
    const now = names.length === 0 ? (isFinished(j) ? '' : j.done + j.failed === 0 ? '  waiting for a worker' : '') : `  ${names[0]}${names.length > 1 ? ` (+${names.length - 1} more)` : ''}`;
    const text = `${jobTitles[j.kind]} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${j.done + j.failed}/${j.total}  ok ${j.done}  failed ${j.failed}${now}`;
    return text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text;
  };

  const progress = (s: JobSnapshot) => {
    const key = `${s.job.done}/${s.job.failed}/${s.job.total}/${s.current.join(',')}`;
    if (key === lastProgress) return;
    lastProgress = key;
    if (mode === 'json') {
      event({ type: 'progress', jobId: s.job.id, done: s.job.done + s.job.failed, succeeded: s.job.done, failed: s.job.failed, total: s.job.total, current: s.current.map((id) => s.names.get(id) ?? id) });
    } else if (mode === 'tty') {
      write(`\r\x1b[2K${statusLine(s)}`);
      lineShown = true;
    }
  };

  return {
    update(s) {
      start(s);
      reportItems(s);
      progress(s);
    },
    finish(s, exitCode) {
      start(s);
      reportItems(s);
      const outcomes = s.job.items.map((i) => outcomeOf(i, s.names));
      const failedIds = outcomes.filter((o) => o.status === 'failed').map((o) => o.mailboxId);
      if (mode === 'json') {
        event({
          type: 'result', job: summary(s.job), succeeded: s.job.done, failed: s.job.failed, mailboxes: outcomes, exitCode,
          ...(failedIds.length === 0 ? {} : { rerun: rerunCommand(s.job, failedIds) }),
        });
        return;
      }
      clearLine();
      write(renderResultTable(s.job, outcomes, columns));
      if (failedIds.length > 0) write(`\nFix what failed, then run it again for those mailboxes:\n  ${rerunCommand(s.job, failedIds)}\n`);
    },
    interrupted(s, jobId, note) {
      if (mode === 'json') {
        event({ type: 'interrupted', jobId, ...(s === undefined ? {} : { done: s.job.done + s.job.failed, succeeded: s.job.done, failed: s.job.failed, total: s.job.total }), resume: resumeCommand(jobId), note });
        return;
      }
      clearLine();
      const where = s === undefined ? '' : ` at ${s.job.done + s.job.failed}/${s.job.total}`;
      write(`Stopped watching job ${jobId}${where}; the job was not cancelled. ${note}\nWatch it again with: ${resumeCommand(jobId)}\n`);
    },
  };
}

/** The per-mailbox table: address, result, and for each failure what failed and what to do. */
export function renderResultTable(job: Job, outcomes: ReadonlyArray<MailboxOutcome>, columns = 100): string {
  const verdict = job.status === 'succeeded' ? 'succeeded' : job.status === 'completed-with-errors' ? 'completed with errors' : job.status;
  const head = `${jobTitles[job.kind]} ${verdict}: ${job.done} succeeded, ${job.failed} failed of ${job.total} (job ${job.id})`;
  const width = Math.min(40, Math.max('MAILBOX'.length, ...outcomes.map((o) => o.emailAddress.length)));
  const pad = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width));
  const indent = ' '.repeat(width + 2 + 9 + 2);
  const wrap = (text: string, first: string): string[] => {
    const room = Math.max(30, columns - indent.length);
    const words = text.split(/\s+/).filter((w) => w !== '');
    const lines: string[] = [];
    let line = first;
    for (const w of words) {
      if (line.length > first.length && line.length + 1 + w.length > room) {
        lines.push(line);
        line = '  ';
      }
      line = line.length === 0 || line.endsWith(' ') ? `${line}${w}` : `${line} ${w}`;
    }
    lines.push(line);
    return lines;
  };
  const rows: string[] = [`${pad('MAILBOX')}  ${'RESULT'.padEnd(9)}  DETAILS`];
  for (const o of [...outcomes].sort((a, b) => a.emailAddress.localeCompare(b.emailAddress))) {
    const failed = o.checks.filter((c) => !c.ok);
    const details: string[] = [];
    if (o.status === 'pending') details.push('not finished');
    else if (failed.length === 0) details.push(o.checks.length === 0 ? 'done' : o.checks.map((c) => `${c.check} ok`).join(', '));
    else {
      // Checks that failed for one reason share its remedy: say what to do once, after them.
      failed.forEach((c, i) => {
        details.push(...wrap(c.detail, `${c.check}: `));
        if (c.remedy !== null && failed[i + 1]?.remedy !== c.remedy) details.push(...wrap(c.remedy, '  what to do: '));
      });
    }
    rows.push(`${pad(o.emailAddress)}  ${o.status.padEnd(9)}  ${details[0] ?? ''}`);
    for (const d of details.slice(1)) rows.push(`${indent}${d}`);
  }
  return `${head}\n\n${rows.join('\n')}\n`;
}
