/** One mailbox: statuses, schedule (next runs, back-off, lease), recent runs, failures with retry, its owner's tracking choice, appointments/contacts/tasks (valves, conflicts, filters), emails and its alert wall. */
import { useState } from 'preact/hooks';
import { get, post, query } from '../api-client.ts';
import { ActMailbox } from '../components/act-mailbox.tsx';
import { AlertWall } from '../components/alert-wall.tsx';
import { JobProgress } from '../components/job-progress.tsx';
import { MailboxSettings } from '../components/mailbox-settings.tsx';
import { OwnerSettings } from '../components/owner-settings.tsx';
import { ErrorNotice, Loading, PageHeader, TableWrap, Status, when } from '../components/ui.tsx';
import { href } from '../router.ts';
import { canAdminister, canChangeMailbox, useSession } from '../session.ts';
import type { Email, Failure, Job, Mailbox, Profile, Schedule } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { overallState } from './mailboxes.tsx';

/** Bytes as KB or MB, the units of the attachment size setting. */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`;
}

const PIPELINE = { incoming: 'Incoming email', outgoing: 'Outgoing email', act: 'Appointments, contacts and tasks', test: 'Test & Enable' } as Record<string, string>;

export function MailboxPage({ id }: { id: string }) {
  const session = useSession();
  const [job, setJob] = useState<Job | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const d = useLoad(async () => {
    const m = await get<Mailbox>(`/api/mailboxes/${id}`);
    const [schedule, failures, emails, profile] = await Promise.all([
      get<Schedule>(`/api/mailboxes/${id}/schedule`),
      get<Failure[]>(`/api/sync/failures${query({ mailboxId: id })}`),
      get<Email[]>(`/api/emails${query({ mailboxId: id, limit: 10 })}`),
      m.profileId ? get<Profile>(`/api/profiles/${m.profileId}`) : Promise.resolve(undefined),
    ]);
    return { m, schedule, failures, emails, profile };
  }, [id], 3000);
  if (d.data === undefined) return d.error ? <ErrorNotice error={d.error} /> : <Loading />;
  const { m, schedule, failures, emails, profile } = d.data;
  const run = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      d.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title={m.emailAddress}>
        {canAdminister(session) && m.approval !== 'approved' && <button type="button" onClick={() => run(() => post('/api/mailboxes/approve', { ids: [id] }))}>Approve Email</button>}
        {canChangeMailbox(session, id) && (
          <button type="button" class="primary" onClick={() => run(async () => canAdminister(session)
            ? setJob(await post<Job>('/api/sync/jobs', { kind: 'test-and-enable', mailboxIds: [id] }))
            : post('/api/mailboxes/test-and-enable', { ids: [id] }))}>Test &amp; Enable</button>
        )}
      </PageHeader>
      <ErrorNotice error={error ?? d.error} />
      {job && <JobProgress job={job} names={{ [id]: m.emailAddress }} onDone={d.reload} />}
      <div class="grid-2">
        <section class="card">
          <h2>Status</h2>
          <dl class="facts">
            <dt>Mailbox</dt><dd><Status value={overallState(m)} /></dd>
            <dt>Incoming email</dt><dd><Status value={m.incomingStatus} /> <span class="muted">{m.incomingMethod === 'none' ? 'not synchronized' : m.incomingEnabled ? 'enabled' : 'disabled'}</span></dd>
            <dt>Outgoing email</dt><dd><Status value={m.outgoingStatus} /> <span class="muted">{m.outgoingMethod === 'none' ? 'not synchronized' : m.outgoingEnabled ? 'enabled' : 'disabled'}</span></dd>
            <dt>Appointments, contacts, tasks</dt><dd><Status value={m.actStatus} /> <span class="muted">{m.actMethod === 'none' ? 'not synchronized' : m.actEnabled ? 'enabled' : 'disabled'}</span></dd>
            <dt>Approval</dt><dd><Status value={m.approval} /></dd>
            <dt>Profile</dt><dd>{profile ? <a href={href(`/profiles/${profile.id}`)}>{profile.name}</a> : 'None'}</dd>
            <dt>Owner</dt><dd>{m.ownerType === 'user' ? 'User' : 'Queue'}</dd>
          </dl>
          {m.lastErrorMessage && <p class="error-text"><strong>Last error</strong> ({when(m.lastErrorAt)}): {m.lastErrorMessage} <code>{m.lastErrorCode}</code></p>}
        </section>
        <section class="card">
          <h2>Schedule</h2>
          <TableWrap label="Schedule">
            <table class="compact">
              <thead><tr><th scope="col">Pipeline</th><th scope="col">Next run</th><th scope="col">Why</th></tr></thead>
              <tbody>
                {schedule.pipelines.map((p) => (
                  <tr key={p.pipeline}>
                    <td>{PIPELINE[p.pipeline] ?? p.pipeline}</td>
                    <td>{when(p.nextRunAt)}</td>
                    <td>{p.reason ? p.reason.replace(/-/g, ' ') : '—'}{p.consecutiveFailures > 0 ? ` · backing off after ${p.consecutiveFailures} failure${p.consecutiveFailures === 1 ? '' : 's'}` : ''}{p.detail ? <span class="muted"> {p.detail}</span> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p class="muted">{schedule.lease ? `Leased by ${schedule.lease.holder} (epoch ${schedule.lease.epoch}) until ${when(schedule.lease.expiresAt)}.` : 'Not leased: no worker is processing it right now.'}
            {' '}Last cycle: {schedule.lastCycle.processed} processed, {schedule.lastCycle.failed} failed{schedule.lastCycle.at ? ` (${when(schedule.lastCycle.at)})` : ''}.</p>
        </section>
      </div>
      <div class="grid-2">
        <MailboxSettings key={m.id} mailbox={m} profile={profile} canChange={canChangeMailbox(session, id)} onSaved={d.reload} />
        <OwnerSettings key={`owner-${m.id}`} mailbox={m} canChange={canAdminister(session)} />
      </div>
      {m.ownerType === 'user' && <ActMailbox key={m.id} mailbox={m} />}
      <section class="card">
        <h2>Alerts</h2>
        <AlertWall filter={{ targetType: 'mailbox', targetId: id }} compact />
      </section>
      <section class="card">
        <h2>Recent runs</h2>
        <TableWrap label="Recent runs">
          <table class="compact">
            <thead><tr><th scope="col">Pipeline</th><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Processed</th><th scope="col">Failed</th><th scope="col">Worker</th></tr></thead>
            <tbody>
              {schedule.recentRuns.length === 0 && <tr><td colSpan={6} class="empty">No run yet.</td></tr>}
              {schedule.recentRuns.map((r) => (
                <tr key={`${r.pipeline}-${r.startedAt}`}>
                  <td>{PIPELINE[r.pipeline] ?? r.pipeline}</td><td>{when(r.startedAt)}</td><td>{r.outcome.replace(/-/g, ' ')}{r.errorCode ? <code> {r.errorCode}</code> : null}</td>
                  <td>{r.itemsProcessed}</td><td>{r.itemsFailed}</td><td class="muted">{r.worker}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <div class="grid-2">
        <section class="card">
          <h2>Items that failed</h2>
          {failures.length === 0 ? <p class="muted">No failed item.</p> : (
            <ul class="failures">
              {failures.map((f) => (
                <li key={f.id}>
                  <strong>{f.subject || '(no subject)'}</strong> <Status value={f.status === 'failed' ? 'failure' : f.status} />
                  <p>{f.errorMessage} <code>{f.errorCode}{f.providerCode ? ` / ${f.providerCode}` : ''}</code></p>
                  <p class="muted">{f.attempts} attempt{f.attempts === 1 ? '' : 's'}, last {when(f.lastFailedAt)}</p>
                  {canAdminister(session) && f.status === 'failed' && <button type="button" onClick={() => run(() => post(`/api/sync/failures/${f.id}/retry`))}>Retry</button>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card">
          <h2>Recent email</h2>
          {emails.length === 0 ? <p class="muted">No email tracked or sent yet.</p> : (
            <ul class="emails">
              {emails.map((e) => (
                <li key={e.id}>
                  <span class="badge badge-muted">{e.direction === 'incoming' ? 'Tracked' : 'Sent'}</span> <strong>{e.subject || '(no subject)'}</strong>
                  <span class="muted"> · {e.status} · {when(e.receivedAt ?? e.sentAt ?? e.createdAt)}{e.correlationMethod ? ` · linked by ${e.correlationMethod}` : ''}</span>
                  {e.omittedAttachments.length > 0 && (
                    <ul class="omitted" aria-label={`Attachments not stored with ${e.subject || 'this email'}`}>
                      {e.omittedAttachments.map((a, i) => (
                        <li key={`${a.name}-${i}`}>
                          <strong>{a.name}</strong> ({size(a.size)}) not stored: {a.reason === 'over-size-limit' ? `larger than the maximum attachment size of ${Math.round(a.limitBytes / 1024).toLocaleString()} KB in the email settings` : a.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
