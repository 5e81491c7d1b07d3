/**
 * Mailboxes as in Dynamics' "Active Mailboxes", clearer: filter and sort by owner, type, status,
 * profile, approval and last error; select several, then Apply Default Email Settings, Edit,
 * Approve Email or Test & Enable, with the job's live progress.
 */
import { useMemo, useState } from 'preact/hooks';
import { get, post } from '../api-client.ts';
import { JobProgress } from '../components/job-progress.tsx';
import { ErrorNotice, Loading, PageHeader, TableWrap, Status, when } from '../components/ui.tsx';
import { href } from '../router.ts';
import { canAdminister, canOperate, useSession } from '../session.ts';
import type { Job, Mailbox, Profile, Queue, User } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { BulkEdit } from './bulk-edit.tsx';

type Row = Mailbox & { owner: string; profile: string; state: string };
type SortKey = 'owner' | 'emailAddress' | 'ownerType' | 'state' | 'profile' | 'approval' | 'lastErrorAt';

/** One word for the mailbox as a whole: failing if any pipeline failed, enabled once tested. */
export function overallState(m: Mailbox): string {
  const s = [m.incomingStatus, m.outgoingStatus, m.actStatus];
  if (s.includes('failure')) return 'failure';
  if (m.incomingEnabled || m.outgoingEnabled || m.actEnabled) return 'success';
  return 'not-run';
}

export function MailboxesPage() {
  const session = useSession();
  const admin = canAdminister(session);
  const [job, setJob] = useState<Job | undefined>();
  const data = useLoad(async () => {
    const [mailboxes, users, queues, profiles] = await Promise.all([
      get<Mailbox[]>('/api/mailboxes'), get<User[]>('/api/users'), get<Queue[]>('/api/queues'), get<Profile[]>('/api/profiles'),
    ]);
    const names = new Map<string, string>([...users.map((u) => [u.id, u.fullName] as const), ...queues.map((q) => [q.id, q.name] as const)]);
    const profileNames = new Map(profiles.map((p) => [p.id, p.name]));
    return {
      profiles,
      rows: mailboxes.map((m): Row => ({ ...m, owner: names.get(m.ownerId) ?? m.emailAddress, profile: m.profileId ? profileNames.get(m.profileId) ?? '—' : '—', state: overallState(m) })),
    };
  }, [], job && job.finishedAt === null ? 1500 : 5000);
  const [text, setText] = useState('');
  const [type, setType] = useState('');
  const [state, setState] = useState('');
  const [approval, setApproval] = useState('');
  const [profile, setProfile] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'owner', up: true });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  const rows = useMemo(() => {
    const t = text.trim().toLowerCase();
    const out = (data.data?.rows ?? []).filter((r) =>
      (t === '' || r.owner.toLowerCase().includes(t) || r.emailAddress.toLowerCase().includes(t) || (r.lastErrorMessage ?? '').toLowerCase().includes(t)) &&
      (type === '' || r.ownerType === type) && (state === '' || r.state === state) && (approval === '' || r.approval === approval) && (profile === '' || r.profileId === profile));
    const k = sort.key;
    out.sort((a, b) => String(a[k] ?? '').localeCompare(String(b[k] ?? '')) * (sort.up ? 1 : -1));
    return out;
  }, [data.data, text, type, state, approval, profile, sort]);

  const names = Object.fromEntries((data.data?.rows ?? []).map((r) => [r.id, `${r.owner} <${r.emailAddress}>`]));
  const ids = [...selected].filter((id) => rows.some((r) => r.id === id));
  const startJob = async (kind: string) => {
    setError(undefined);
    try {
      setJob(await post<Job>('/api/sync/jobs', { kind, mailboxIds: ids }));
      data.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.up ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="sort" onClick={() => setSort({ key, up: sort.key === key ? !sort.up : true })}>
        {label} <span aria-hidden="true">{sort.key === key ? (sort.up ? '▲' : '▼') : ''}</span>
      </button>
    </th>
  );
  const select = (label: string, value: string, onChange: (v: string) => void, options: ReadonlyArray<[string, string]>) => (
    <label class="filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">All</option>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </label>
  );

  return (
    <>
      <PageHeader title="Mailboxes" />
      {session.role === 'mailbox-owner' && (
        <p class="lede">Your sign-in sees and acts on your own mailbox only{session.me.mailboxes.length === 0 ? ', and none exists for you yet.' : `: ${session.me.mailboxes.map((m) => m.emailAddress).join(', ')}.`}</p>
      )}
      <div class="toolbar" role="search">
        <label class="filter grow"><span>Search</span><input type="search" placeholder="Owner, address or error" value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
        {select('Type', type, setType, [['user', 'Users'], ['queue', 'Queues']])}
        {select('Status', state, setState, [['success', 'Enabled'], ['failure', 'Failing'], ['not-run', 'Not tested']])}
        {select('Approval', approval, setApproval, [['approved', 'Approved'], ['pending', 'Pending'], ['rejected', 'Rejected'], ['empty', 'Not requested']])}
        {select('Profile', profile, setProfile, (data.data?.profiles ?? []).map((p) => [p.id, p.name]))}
      </div>
      {canOperate(session) && (
        <div class="bulkbar" aria-label="Actions on selected mailboxes">
          <span class="muted">{ids.length} selected</span>
          {admin && <button type="button" disabled={ids.length === 0} onClick={() => startJob('apply-default-settings')}>Apply Default Email Settings</button>}
          {admin && <button type="button" disabled={ids.length === 0} onClick={() => setEditing(true)}>Edit</button>}
          {admin && <button type="button" disabled={ids.length === 0} onClick={() => startJob('approve-email')}>Approve Email</button>}
          {admin && <button type="button" disabled={ids.length === 0} onClick={async () => { await post('/api/mailboxes/reject', { ids }).catch(setError); data.reload(); }}>Reject Email</button>}
          <button type="button" class="primary" disabled={ids.length === 0}
            onClick={() => admin ? startJob('test-and-enable') : post('/api/mailboxes/test-and-enable', { ids }).then(data.reload, setError)}>Test &amp; Enable</button>
        </div>
      )}
      {editing && <BulkEdit ids={ids} profiles={data.data?.profiles ?? []} onClose={(changed) => { setEditing(false); if (changed) data.reload(); }} />}
      <ErrorNotice error={error ?? data.error} />
      {job && <JobProgress job={job} names={names} onDone={data.reload} />}
      {data.data === undefined ? <Loading /> : (
        <TableWrap label="Mailboxes">
          <table class="mailboxes">
            <thead>
              <tr>
                <th scope="col" class="pick">
                  <input type="checkbox" aria-label="Select all shown mailboxes" checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                    onChange={(e) => setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.id)) : new Set())} />
                </th>
                {header('owner', 'Owner')}{header('emailAddress', 'Email address')}{header('ownerType', 'Type')}{header('state', 'Status')}
                <th scope="col">Incoming · Outgoing · ACT</th>{header('profile', 'Profile')}{header('approval', 'Approval')}{header('lastErrorAt', 'Last error')}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && <tr><td colSpan={9} class="empty">No mailbox matches.</td></tr>}
              {rows.map((r) => (
                <tr key={r.id} class={selected.has(r.id) ? 'selected' : ''}>
                  <td class="pick"><input type="checkbox" aria-label={`Select ${r.owner}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} /></td>
                  <td><a href={href(`/mailboxes/${r.id}`)}>{r.owner}</a></td>
                  <td>{r.emailAddress}</td>
                  <td>{r.ownerType === 'user' ? 'User' : 'Queue'}</td>
                  <td><Status value={r.state} /></td>
                  <td class="pipes"><Status value={r.incomingStatus} /> <Status value={r.outgoingStatus} /> <Status value={r.actStatus} /></td>
                  <td>{r.profile}</td>
                  <td><Status value={r.approval} /></td>
                  <td class="truncate" title={r.lastErrorMessage ?? ''}>{r.lastErrorMessage ? `${when(r.lastErrorAt)} · ${r.lastErrorMessage}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
