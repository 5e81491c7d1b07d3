/**
 * The settings of the user or queue that owns a mailbox: which incoming email its mailbox tracks
 * (PATCH /api/users/{id} or /api/queues/{id}, administrators), or the org's choice when it has none.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, type Issue } from '../api-client.ts';
import { TRACK } from '../pages/settings.tsx';
import type { Mailbox, OwnerTrackEmails, Queue, Settings, User } from '../types.ts';
import { ErrorNotice, Field, Loading, Notice } from './ui.tsx';

const OWNER_TRACK: Record<OwnerTrackEmails, string> = { ...TRACK, none: 'No email messages' };
const FOLLOW = '';

export function OwnerSettings({ mailbox, canChange }: { mailbox: Mailbox; canChange: boolean }) {
  const path = `/api/${mailbox.ownerType === 'user' ? 'users' : 'queues'}/${mailbox.ownerId}`;
  const noun = mailbox.ownerType === 'user' ? 'User' : 'Queue';
  const [owner, setOwner] = useState<User | Queue | undefined>();
  const [org, setOrg] = useState<Settings['trackEmails'] | undefined>();
  const [value, setValue] = useState<string>(FOLLOW);
  const [issues, setIssues] = useState<ReadonlyArray<Issue>>([]);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<User | Queue>(path).then((o) => { setOwner(o); setValue(o.trackEmails ?? FOLLOW); }, setError);
    get<Settings>('/api/settings/email').then((s) => setOrg(s.trackEmails), setError);
  }, [path]);
  if (owner === undefined || org === undefined) return error ? <ErrorNotice error={error} /> : <Loading />;
  const save = async (e: Event) => {
    e.preventDefault();
    setIssues([]);
    setError(undefined);
    setSaved(false);
    try {
      const next = await patch<User | Queue>(path, { trackEmails: value === FOLLOW ? null : value });
      setOwner(next);
      setValue(next.trackEmails ?? FOLLOW);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) setIssues(err.issues);
      else setError(err as Error);
    }
  };
  const name = 'fullName' in owner ? owner.fullName : owner.name;
  return (
    <form class="card" onSubmit={save} noValidate aria-labelledby="owner-settings-title">
      <h2 id="owner-settings-title">{noun} settings</h2>
      <fieldset class="plain" disabled={!canChange}>
        <Field label="Track" name="trackEmails" issues={issues}
          help={`Which incoming email of ${name}'s mailbox becomes an email activity. Following the email settings, it tracks what the org tracks; a choice here wins over it for this mailbox only.${canChange ? '' : ' An administrator changes it.'}`}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={value} onChange={(e) => { setSaved(false); setValue(e.currentTarget.value); }}>
              <option value={FOLLOW}>As the email settings: {OWNER_TRACK[org]}</option>
              {Object.entries(OWNER_TRACK).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          )}
        </Field>
      </fieldset>
      {saved && <Notice tone="ok">{noun} settings saved.</Notice>}
      <ErrorNotice error={error} />
      {canChange && <div class="actions"><button type="submit">Save {noun.toLowerCase()} settings</button></div>}
    </form>
  );
}
