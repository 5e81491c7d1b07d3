/** An alert wall (errors, warnings, information), for one mailbox, one profile or everything. */
import { useState } from 'preact/hooks';
import { get, post, query } from '../api-client.ts';
import { canOperate, useSession } from '../session.ts';
import type { Alert } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { ErrorNotice, Loading, Status, when } from './ui.tsx';

/** Alerts that ask someone to act in the mailbox's appointments, contacts and tasks section, and the link that gets them there. */
const ACT_ACTIONS: Record<string, string> = {
  act_safety_valve: 'Review and confirm on the mailbox page',
  act_conflict: 'Choose the side to keep on the mailbox page',
};

export type AlertFilter = { targetType?: 'mailbox' | 'profile'; targetId?: string; level?: string };

export function AlertWall({ filter, compact = false, names = {} }: { filter: AlertFilter; compact?: boolean; names?: Record<string, string> }) {
  const session = useSession();
  const [error, setError] = useState<Error | undefined>();
  const alerts = useLoad(() => get<Alert[]>(`/api/alerts${query({ ...filter, limit: compact ? 10 : 200 })}`), [filter.targetType, filter.targetId, filter.level], 5000);
  if (alerts.data === undefined) return alerts.error ? <ErrorNotice error={alerts.error} /> : <Loading />;
  if (alerts.data.length === 0) return <p class="muted">No alert.</p>;
  return (
    <>
      <ErrorNotice error={error} />
      <ul class={`alerts${compact ? ' compact' : ''}`}>
        {alerts.data.map((a) => (
          <li key={a.id} class={`alert alert-${a.level}`}>
            <div class="alert-head">
              <Status value={a.level} />
              {!compact && <span class="muted">{a.targetType === 'mailbox' ? 'Mailbox' : 'Profile'} <a href={`#/${a.targetType === 'mailbox' ? 'mailboxes' : 'profiles'}/${a.targetId}`}>{names[a.targetId] ?? a.targetId.slice(0, 8)}</a></span>}
              <time class="muted" dateTime={a.createdAt}>{when(a.createdAt)}</time>
              {canOperate(session) && <button type="button" class="link" onClick={() => post(`/api/alerts/${a.id}/dismiss`).then(alerts.reload, setError)}>Dismiss</button>}
            </div>
            <p class="alert-message">{a.message}</p>
            {!compact && a.targetType === 'mailbox' && ACT_ACTIONS[a.code] && <p class="alert-action"><a href={`#/mailboxes/${a.targetId}`}>{ACT_ACTIONS[a.code]}</a></p>}
          </li>
        ))}
      </ul>
    </>
  );
}
