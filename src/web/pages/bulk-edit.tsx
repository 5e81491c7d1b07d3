/** "Change multiple records": profile, delivery methods and "process email from" of the selected mailboxes at once. */
import { useState } from 'preact/hooks';
import { post } from '../api-client.ts';
import { ErrorNotice } from '../components/ui.tsx';
import type { MailboxResult, Profile } from '../types.ts';

const KEEP = '';

export function BulkEdit({ ids, profiles, onClose }: { ids: string[]; profiles: Profile[]; onClose(changed: boolean): void }) {
  const [profileId, setProfileId] = useState(KEEP);
  const [incoming, setIncoming] = useState(KEEP);
  const [outgoing, setOutgoing] = useState(KEEP);
  const [act, setAct] = useState(KEEP);
  const [fromMode, setFromMode] = useState<'' | 'clear' | 'set'>(KEEP);
  const [from, setFrom] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [failed, setFailed] = useState<MailboxResult[]>([]);
  const apply = async (e: Event) => {
    e.preventDefault();
    const changes: Record<string, unknown> = {};
    if (profileId !== KEEP) changes['profileId'] = profileId === 'none' ? null : profileId;
    if (incoming !== KEEP) changes['incomingMethod'] = incoming;
    if (outgoing !== KEEP) changes['outgoingMethod'] = outgoing;
    if (act !== KEEP) changes['actMethod'] = act;
    if (fromMode === 'clear') changes['processEmailFrom'] = null;
    if (fromMode === 'set') {
      if (from === '') {
        setError(new Error('Choose the date and time to process email from.'));
        return;
      }
      changes['processEmailFrom'] = new Date(from).toISOString();
    }
    try {
      const results = await post<MailboxResult[]>('/api/mailboxes/bulk-edit', { ids, changes });
      const bad = results.filter((r) => !r.ok);
      if (bad.length === 0) onClose(true);
      else setFailed(bad);
    } catch (err) {
      setError(err as Error);
    }
  };
  const method = (label: string, value: string, set: (v: string) => void) => (
    <label class="field">
      <span class="label">{label}</span>
      <select value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value={KEEP}>Keep as is</option>
        <option value="server-side-sync">Server-side synchronization</option>
        <option value="none">None</option>
      </select>
    </label>
  );
  return (
    <section class="card dialog" role="dialog" aria-labelledby="bulk-title">
      <form onSubmit={apply}>
      <h2 id="bulk-title">Change {ids.length} mailbox{ids.length === 1 ? '' : 'es'}</h2>
      <label class="field">
        <span class="label">Server profile</span>
        <select value={profileId} onChange={(e) => setProfileId(e.currentTarget.value)}>
          <option value={KEEP}>Keep as is</option>
          <option value="none">No profile</option>
          {profiles.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </label>
      {method('Incoming email', incoming, setIncoming)}
      {method('Outgoing email', outgoing, setOutgoing)}
      {method('Appointments, contacts and tasks', act, setAct)}
      <label class="field">
        <span class="label">Process email from</span>
        <select value={fromMode} aria-describedby="bulk-from-help" onChange={(e) => setFromMode(e.currentTarget.value as '' | 'clear' | 'set')}>
          <option value={KEEP}>Keep as is</option>
          <option value="clear">None (follow the profile)</option>
          <option value="set">From a date and time…</option>
        </select>
        <span class="help" id="bulk-from-help">Email received before this is left alone; incoming email starts at the later of this and the profile's.</span>
      </label>
      {fromMode === 'set' && (
        <label class="field">
          <span class="label">Process email received after</span>
          <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
      )}
      <ErrorNotice error={error} />
      {failed.length > 0 && <ul class="error-text">{failed.map((f) => <li key={f.id}>{f.id}: {f.error?.message}</li>)}</ul>}
      <div class="actions">
        <button type="submit" class="primary">Change</button>
        <button type="button" onClick={() => onClose(failed.length > 0)}>Cancel</button>
      </div>
      </form>
    </section>
  );
}
