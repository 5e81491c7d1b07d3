/** Server profiles: the list, the default for new mailboxes, and Test & Enable of every mailbox of a profile. */
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../api-client.ts';
import { ErrorNotice, Loading, PageHeader, TableWrap, when } from '../components/ui.tsx';
import { JobProgress } from '../components/job-progress.tsx';
import { href } from '../router.ts';
import { canAdminister, useSession } from '../session.ts';
import type { Job, Mailbox, Profile } from '../types.ts';
import { useLoad } from '../use-load.ts';

export const AUTH_NAME: Record<string, string> = {
  credentials: 'Credentials with impersonation',
  'hybrid-modern-auth': 'Hybrid Modern Auth (HMA)',
  'app-certificate': 'App certificate (OAuth)',
};
export const SERVER_NAME: Record<string, string> = { 'exchange-server': 'Exchange Server (on-premises)', 'exchange-online': 'Exchange Online' };

export function ProfilesPage() {
  const session = useSession();
  const admin = canAdminister(session);
  const profiles = useLoad(() => get<Profile[]>('/api/profiles'), []);
  const mailboxes = useLoad(() => get<Mailbox[]>('/api/mailboxes'), []);
  const names = Object.fromEntries((mailboxes.data ?? []).map((m) => [m.id, m.emailAddress]));
  const [error, setError] = useState<Error | undefined>();
  const [job, setJob] = useState<Job | undefined>();
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      profiles.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title="Email server profiles">
        {admin && <a class="button primary" href={href('/profiles/new/exchange-server')}>New Exchange Server profile</a>}
        {admin && <a class="button" href={href('/profiles/new/exchange-online')}>New Exchange Online profile</a>}
      </PageHeader>
      <p class="lede">A profile says how Dovetail reaches one Exchange organization. Mailboxes use the profile they are set to; new mailboxes get the default.</p>
      <ErrorNotice error={error ?? profiles.error} />
      {job && <JobProgress job={job} names={names} onDone={() => profiles.reload()} />}
      {profiles.loading && profiles.data === undefined ? <Loading /> : (
        <TableWrap label="Email server profiles">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Server type</th><th scope="col">Authentication</th><th scope="col">Location</th><th scope="col">Updated</th>{admin && <th scope="col"><span class="sr-only">Actions</span></th>}</tr></thead>
            <tbody>
              {(profiles.data ?? []).length === 0 && <tr><td colSpan={6} class="empty">No profile yet. Create one for your Exchange organization.</td></tr>}
              {(profiles.data ?? []).map((p) => (
                <tr key={p.id}>
                  <td class="nowrap"><a href={href(`/profiles/${p.id}`)}>{p.name}</a>{p.isDefaultForNewMailboxes && <span class="badge badge-info" title="Default for new mailboxes">Default</span>}</td>
                  <td>{SERVER_NAME[p.serverType]}</td>
                  <td>{AUTH_NAME[p.auth.type]}</td>
                  <td class="truncate">{p.serverType === 'exchange-online' ? 'Microsoft Graph' : p.auth.type === 'hybrid-modern-auth' ? String(p.auth['ewsUrl']) : p.autodiscover ? 'Autodiscover' : p.incomingServerUrl}</td>
                  <td class="nowrap">{when(p.updatedAt)}</td>
                  {admin && (
                    <td class="row-actions small">
                      {!p.isDefaultForNewMailboxes && <button type="button" onClick={() => act(() => patch(`/api/profiles/${p.id}`, { isDefaultForNewMailboxes: true }))}>Set as default</button>}
                      <button type="button" onClick={() => act(async () => setJob(await post<Job>('/api/sync/jobs', { kind: 'test-and-enable', profileId: p.id })))}>Test &amp; Enable Mailboxes</button>
                      <button type="button" class="danger" onClick={() => confirm(`Delete the profile “${p.name}”?`) && act(() => del(`/api/profiles/${p.id}`))}>Delete</button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
