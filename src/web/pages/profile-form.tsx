/**
 * New or edit an email server profile with exactly the fields of its server type and
 * authentication (Dynamics' guides: seeds 003, 001, 004), help under each field, and the API's
 * validation messages next to the field they name. Secrets are write-only: left empty, they keep
 * their stored value.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post, type Issue } from '../api-client.ts';
import { TestConnection } from '../components/test-connection.tsx';
import { ErrorNotice, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { go } from '../router.ts';
import { canAdminister, useSession } from '../session.ts';
import type { Profile, User } from '../types.ts';
import { ProfileFields, type Draft } from './profile-fields.tsx';

const blank = (serverType: Profile['serverType']): Draft => ({
  name: '', description: '', serverType, isDefaultForNewMailboxes: false, ownerUserId: '',
  auth: serverType === 'exchange-online'
    ? { type: 'app-certificate', useDefaultTenantId: false, tenantId: '', applicationId: '', cloud: 'global', certificateSource: 'pem', certificate: '', certificatePassword: '', keyVaultUri: '', keyVaultKeyName: '', keyVaultApplicationId: '', keyVaultClientSecret: '', sendCertificateChain: false }
    : { type: 'credentials', protocol: 'ntlm', userName: '', password: '' },
  autodiscover: true, autodiscoverAllowedRedirectDomains: '', incomingServerUrl: '', outgoingServerUrl: '', incomingPort: 443, outgoingPort: 443, trustedCaBundle: '',
  processEmailFrom: '', minimumPollingIntervalMinutes: 0, maximumConcurrentConnections: 10, connectionTimeoutSeconds: 100,
  moveFailedToUndeliverable: false, alertOwnerOnMajorEvents: false,
});

function fromProfile(p: Profile): Draft {
  const auth: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.auth)) auth[k] = v ?? '';
  return {
    ...blank(p.serverType), ...p, ownerUserId: p.ownerUserId ?? '', auth: auth as Draft['auth'],
    incomingServerUrl: p.incomingServerUrl ?? '', outgoingServerUrl: p.outgoingServerUrl ?? '', trustedCaBundle: p.trustedCaBundle ?? '',
    processEmailFrom: p.processEmailFrom ? p.processEmailFrom.slice(0, 16) : '',
    autodiscoverAllowedRedirectDomains: p.autodiscoverAllowedRedirectDomains.join('\n'),
  };
}

/** The request body: empty optional text becomes null, empty secrets are left out (kept). */
function toBody(d: Draft, editing: boolean): Record<string, unknown> {
  const SECRETS = ['password', 'keyVaultClientSecret', 'certificate', 'certificatePassword'];
  const NULLABLE = ['tenantId', 'keyVaultUri', 'keyVaultKeyName', 'keyVaultApplicationId'];
  const auth: Record<string, unknown> = {};
  const keyVaultUnused = d.auth.type === 'app-certificate' && d.auth['certificateSource'] !== 'key-vault';
  for (const [k, v] of Object.entries(d.auth)) {
    if (SECRETS.includes(k) && v === '') continue;
    if (keyVaultUnused && k.startsWith('keyVault')) continue;
    auth[k] = NULLABLE.includes(k) && v === '' ? (d.auth.type === 'hybrid-modern-auth' ? '' : null) : v;
  }
  const onPrem = d.serverType === 'exchange-server';
  const body: Record<string, unknown> = {
    name: d.name, description: d.description, serverType: d.serverType, auth, isDefaultForNewMailboxes: d.isDefaultForNewMailboxes,
    ownerUserId: d.ownerUserId === '' ? null : d.ownerUserId,
    // HMA names its EWS URL; Exchange Online is found through Graph, which the API models as autodiscover.
    autodiscover: !onPrem || (d.auth.type === 'credentials' && d.autodiscover),
    // Only Autodiscover with credentials uses them; hidden otherwise, and cleared.
    autodiscoverAllowedRedirectDomains: onPrem && d.auth.type === 'credentials' && d.autodiscover
      ? d.autodiscoverAllowedRedirectDomains.split(/[\s,]+/).map((x) => x.trim()).filter((x) => x !== '')
      : [],
    incomingServerUrl: d.incomingServerUrl === '' ? null : d.incomingServerUrl,
    outgoingServerUrl: d.outgoingServerUrl === '' ? null : d.outgoingServerUrl,
    incomingPort: Number(d.incomingPort), outgoingPort: Number(d.outgoingPort),
    trustedCaBundle: d.trustedCaBundle === '' ? null : d.trustedCaBundle,
    processEmailFrom: d.processEmailFrom === '' ? null : new Date(d.processEmailFrom).toISOString(),
    minimumPollingIntervalMinutes: Number(d.minimumPollingIntervalMinutes), maximumConcurrentConnections: Number(d.maximumConcurrentConnections),
    connectionTimeoutSeconds: Number(d.connectionTimeoutSeconds), moveFailedToUndeliverable: d.moveFailedToUndeliverable, alertOwnerOnMajorEvents: d.alertOwnerOnMajorEvents,
  };
  if (editing) delete body['serverType'];
  // Null clears a field: emptying the trusted CA bundle or the owner on edit removes it.
  return body;
}

/** One refused field, named by its label when it is on the form, as a link that moves focus to it. */
function SummaryItem({ field, message }: { field: string; message: string }) {
  const label = document.querySelector(`[data-field="${field}"] label`)?.textContent;
  const focus = (e: Event) => {
    e.preventDefault();
    (document.querySelector(`[data-field="${field}"] input, [data-field="${field}"] select, [data-field="${field}"] textarea`) as HTMLElement | null)?.focus();
  };
  return label ? <a href={`#${location.hash.slice(1)}`} onClick={focus}>{label}: {message}</a> : <span><code>{field}</code> {message}</span>;
}

export function ProfileFormPage({ id, serverType = 'exchange-server' }: { id?: string; serverType?: Profile['serverType'] }) {
  const session = useSession();
  const readOnly = !canAdminister(session);
  const [draft, setDraft] = useState<Draft | undefined>(id === undefined ? blank(serverType) : undefined);
  const [secretsSet, setSecretsSet] = useState<string[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [issues, setIssues] = useState<ReadonlyArray<Issue>>([]);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<User[]>('/api/users').then(setUsers, () => setUsers([]));
    if (id === undefined) {
      setDraft(blank(serverType));
      return;
    }
    get<Profile>(`/api/profiles/${id}`).then((p) => {
      setDraft(fromProfile(p));
      setSecretsSet(p.secretsSet);
    }, setError);
  }, [id, serverType]);

  if (draft === undefined) return error ? <ErrorNotice error={error} /> : <Loading />;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setIssues([]);
    setError(undefined);
    setSaved(false);
    try {
      const body = toBody(draft, id !== undefined);
      const p = id === undefined ? await post<Profile>('/api/profiles', body) : await patch<Profile>(`/api/profiles/${id}`, body);
      setSecretsSet(p.secretsSet);
      setDraft(fromProfile(p));
      setSaved(true);
      if (id === undefined) go(`/profiles/${p.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) {
        setIssues(err.issues);
        setTimeout(() => (document.querySelector('.has-error input, .has-error select, .has-error textarea') as HTMLElement | null)?.focus(), 0);
      } else setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const title = id === undefined ? `New ${draft.serverType === 'exchange-online' ? 'Exchange Online' : 'Exchange Server'} profile` : draft.name || 'Profile';
  return (
    <>
    <form onSubmit={save} class="stack" noValidate>
      <PageHeader title={title}>
        {!readOnly && <button class="primary" type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>}
      </PageHeader>
      {saved && <Notice tone="ok">Profile saved.</Notice>}
      {issues.length > 0 && (
        <Notice tone="bad">
          The profile was not saved: {issues.length === 1 ? 'one field needs' : `${issues.length} fields need`} attention.
          <ul class="error-summary">{issues.map((i) => <li key={i.field}><SummaryItem field={i.field} message={i.message} /></li>)}</ul>
        </Notice>
      )}
      <ErrorNotice error={error} />
      <fieldset disabled={readOnly || busy} class="plain">
        <ProfileFields draft={draft} set={setDraft} issues={issues} secretsSet={secretsSet} users={users} creating={id === undefined} />
      </fieldset>
    </form>
    {id !== undefined && !readOnly && <TestConnection profileId={id} />}
    </>
  );
}
