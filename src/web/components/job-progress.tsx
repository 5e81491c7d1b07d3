/**
 * Live progress of a background job (Test & Enable, Approve Email, Apply Default Email Settings):
 * polls GET /api/sync/jobs/:id until it finishes, then shows each mailbox's result, step by step.
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api-client.ts';
import type { Job } from '../types.ts';
import { StepList, stepsOf } from './step-list.tsx';
import { ErrorNotice, Status } from './ui.tsx';

const KIND = { 'test-and-enable': 'Test & Enable', 'approve-email': 'Approve Email', 'apply-default-settings': 'Apply Default Email Settings' } as Record<string, string>;
const finished = (j: Job) => j.finishedAt !== null || ['succeeded', 'completed-with-errors'].includes(j.status);

export function JobProgress({ job: initial, names = {}, onDone }: { job: Job; names?: Record<string, string>; onDone?(): void }) {
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    setJob(initial);
    if (finished(initial)) return undefined;
    let stop = false;
    const tick = async () => {
      try {
        const j = await get<Job>(`/api/sync/jobs/${initial.id}`);
        if (stop) return;
        setJob(j);
        if (finished(j)) {
          onDone?.();
          return;
        }
      } catch (e) {
        setError(e as Error);
      }
      if (!stop) setTimeout(tick, 700);
    };
    const timer = setTimeout(tick, 400);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [initial.id]);
  return (
    <section class="card job" aria-live="polite" aria-label={`${KIND[job.kind] ?? job.kind} progress`}>
      <div class="job-head">
        <strong>{KIND[job.kind] ?? job.kind}</strong> <Status value={job.status} />
        <span class="muted">{job.done} of {job.total} done{job.failed > 0 ? `, ${job.failed} failed` : ''}</span>
      </div>
      <progress max={100} value={job.progress} aria-label="Progress">{job.progress}%</progress>
      <ErrorNotice error={error} />
      {job.items && job.items.some((i) => Object.keys(i.result).length > 0) && (
        <ul class="job-items">
          {job.items.filter((i) => Object.keys(i.result).length > 0).map((i) => (
            <li key={i.mailboxId}>
              <div><strong>{names[i.mailboxId] ?? i.mailboxId}</strong> <Status value={i.status} /></div>
              <StepList steps={stepsOf(i.result)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
