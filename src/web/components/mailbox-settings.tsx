/** A mailbox's own settings that its owner may change too: where incoming email starts. */
import { useState } from 'preact/hooks';
import { ApiError, patch, type Issue } from '../api-client.ts';
import type { Mailbox, Profile } from '../types.ts';
import { ErrorNotice, Field, Notice, when } from './ui.tsx';

/** datetime-local wants local "YYYY-MM-DDTHH:mm". */
function toLocalInput(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function MailboxSettings({ mailbox, profile, canChange, onSaved }: { mailbox: Mailbox; profile: Profile | undefined; canChange: boolean; onSaved(): void }) {
  const [value, setValue] = useState(toLocalInput(mailbox.processEmailFrom));
  const [issues, setIssues] = useState<ReadonlyArray<Issue>>([]);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setIssues([]);
    setError(undefined);
    setSaved(false);
    try {
      await patch<Mailbox>(`/api/mailboxes/${mailbox.id}`, { processEmailFrom: value === '' ? null : new Date(value).toISOString() });
      setSaved(true);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) setIssues(err.issues);
      else setError(err as Error);
    }
  };
  const profileFrom = profile?.processEmailFrom ?? null;
  return (
    <form class="card" onSubmit={save} noValidate>
      <h2>Mailbox settings</h2>
      <fieldset class="plain" disabled={!canChange}>
        <Field label="Process email from" name="processEmailFrom" issues={issues}
          help={`Email received before this date and time is left alone. Incoming email starts at the later of this and the profile's (${profileFrom === null ? 'the profile sets none' : `the profile's is ${when(profileFrom)}`}). Leave empty to follow the profile.`}>
          {(id, d) => <input id={id} type="datetime-local" aria-describedby={d} value={value} onInput={(e) => { setSaved(false); setValue(e.currentTarget.value); }} />}
        </Field>
      </fieldset>
      {saved && <Notice tone="ok">Mailbox settings saved.</Notice>}
      <ErrorNotice error={error} />
      {canChange && <div class="actions"><button type="submit">Save mailbox settings</button></div>}
    </form>
  );
}
