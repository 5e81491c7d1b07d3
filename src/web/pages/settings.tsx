/** Org email settings: synchronization methods, approval rules, tracking, correlation, address resolution, attachments and alerts. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, type Issue } from '../api-client.ts';
import { ErrorNotice, Field, issueFor, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { href } from '../router.ts';
import { canAdminister, useSession } from '../session.ts';
import type { AlertLevel, Profile, Settings } from '../types.ts';

/** The org's (and each user's or queue's) choices of which incoming email is tracked. */
export const TRACK = {
  all: 'All email messages',
  'responses-to-crm': 'Email messages in response to CRM email',
  'from-crm-parties': 'Email messages from CRM leads, contacts and accounts',
  'from-email-enabled-records': 'Email messages from CRM records that are email enabled',
} as const;

const SENDER_RULE = {
  oldest: 'The oldest record',
  newest: 'The most recently created record',
  unresolved: 'Leave the sender unresolved',
} as const;
const RECIPIENT_RULE = { all: 'All matching records', unresolved: 'Leave the address unresolved' } as const;
const LEVELS: ReadonlyArray<[AlertLevel, string, string]> = [
  ['error', 'Error', 'A mailbox or profile failed and needs someone to act.'],
  ['warning', 'Warning', 'Something was skipped or held back; synchronization goes on.'],
  ['information', 'Information', 'News such as a mailbox passing Test & Enable.'],
];

export function SettingsPage() {
  const session = useSession();
  const admin = canAdminister(session);
  const [s, setS] = useState<Settings | undefined>();
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [issues, setIssues] = useState<ReadonlyArray<Issue>>([]);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<Settings>('/api/settings/email').then(setS, setError);
    get<Profile[]>('/api/profiles').then(setProfiles, () => undefined);
  }, []);
  if (s === undefined) return error ? <ErrorNotice error={error} /> : <Loading />;
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => {
    setSaved(false);
    setS({ ...s, [k]: v });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setIssues([]);
    setError(undefined);
    try {
      const { orgId: _o, updatedAt: _u, ...body } = s;
      setS(await patch<Settings>('/api/settings/email', body));
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) setIssues(err.issues);
      else setError(err as Error);
    }
  };
  const method = (k: 'incomingMethod' | 'outgoingMethod' | 'actMethod', label: string, help: string) => (
    <Field label={label} name={k} help={help} issues={issues}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={s[k]} onChange={(e) => set(k, e.currentTarget.value as Settings[typeof k])}>
          <option value="server-side-sync">Server-side synchronization</option>
          <option value="none">None</option>
        </select>
      )}
    </Field>
  );
  const check = (k: keyof Settings, label: string, help: string) => (
    <div class="check" data-field={k}>
      <input id={`s-${k}`} type="checkbox" checked={Boolean(s[k])} aria-describedby={`s-${k}-help`} onChange={(e) => set(k, e.currentTarget.checked as never)} />
      <label for={`s-${k}`}>{label}</label>
      <p class="help" id={`s-${k}-help`}>{help}</p>
    </div>
  );
  const fmt = s.trackingTokenFormat;
  const toggleLevel = (level: AlertLevel, on: boolean) =>
    set('alertLevels', LEVELS.map(([l]) => l).filter((l) => (l === level ? on : s.alertLevels.includes(l))));
  const levelsError = issueFor(issues, 'alertLevels');
  return (
    <form onSubmit={save} class="stack" noValidate>
      <PageHeader title="Email settings">{admin && <button class="primary" type="submit">Save</button>}</PageHeader>
      <p class="lede">The defaults that Apply Default Email Settings gives to mailboxes, and how incoming email is tracked.</p>
      <p class="lede">Appointments, contacts and tasks have their own page: <a href={href('/settings/act')}>conflicts, field directions and the safety valve</a>.</p>
      {saved && <Notice tone="ok">Email settings saved.</Notice>}
      <ErrorNotice error={error} />
      <fieldset class="plain" disabled={!admin}>
        <div class="form-grid">
          <section class="card">
            <h2>Synchronization methods</h2>
            <Field label="Server profile" name="defaultProfileId" help="The profile mailboxes get from Apply Default Email Settings." issues={issues}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={s.defaultProfileId ?? ''} onChange={(e) => set('defaultProfileId', e.currentTarget.value === '' ? null : e.currentTarget.value)}>
                  <option value="">None</option>
                  {profiles.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                </select>
              )}
            </Field>
            {method('incomingMethod', 'Incoming email', 'Track incoming email as CRM email activities.')}
            {method('outgoingMethod', 'Outgoing email', 'Send CRM email through Exchange.')}
            {method('actMethod', 'Appointments, contacts and tasks', 'Keep appointments, contacts and tasks in step with Exchange.')}
            <Field label="Default Exchange Online tenant ID" name="defaultExchangeOnlineTenantId" help="Used by Exchange Online profiles that choose “Use default tenant ID”." issues={issues}>
              {(id, d) => <input id={id} aria-describedby={d} value={s.defaultExchangeOnlineTenantId ?? ''} onInput={(e) => set('defaultExchangeOnlineTenantId', e.currentTarget.value === '' ? null : e.currentTarget.value)} />}
            </Field>
          </section>
          <section class="card">
            <h2>Approval</h2>
            {check('processOnlyApprovedUsers', 'Process email only for approved users', 'A user mailbox processes email only after Approve Email.')}
            {check('processOnlyApprovedQueues', 'Process email only for approved queues', 'A queue mailbox processes email only after Approve Email.')}
            <h2>Synchronization</h2>
            {check('syncOnlyFromThisOrg', 'Sync items with Exchange from this org only, even if Exchange was set to sync with a different org', 'Take over mailboxes that another CRM organization synchronized before.')}
          </section>
          <section class="card">
            <h2>Tracking</h2>
            <Field label="Track" name="trackEmails" help="Which incoming email becomes an email activity." issues={issues}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={s.trackEmails} onChange={(e) => set('trackEmails', e.currentTarget.value as Settings['trackEmails'])}>
                  {Object.entries(TRACK).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                </select>
              )}
            </Field>
            <h2>Correlation</h2>
            {check('useTrackingToken', 'Use tracking token', 'Add a token such as CRM:0001234 to the subject of outgoing email to link replies.')}
            {s.useTrackingToken && (
              <div class="inline-fields">
                {(['prefix', 'baseDigits', 'userDigits', 'counterDigits'] as const).map((k) => (
                  <Field key={k} label={{ prefix: 'Prefix', baseDigits: 'Base digits', userDigits: 'User digits', counterDigits: 'Counter digits' }[k]} name={`trackingTokenFormat.${k}`} issues={issues}>
                    {(id) => <input id={id} type={(k === 'prefix' ? 'text' : 'number') as 'text'} value={String(fmt[k])} onInput={(e) => set('trackingTokenFormat', { ...fmt, [k]: k === 'prefix' ? e.currentTarget.value : Number(e.currentTarget.value) })} />}
                  </Field>
                ))}
              </div>
            )}
            {check('useInReplyTo', 'Use In-Reply-To header', 'Link a reply to the email it answers.')}
            {check('useConversationIndex', 'Use conversation index', 'Link email of the same Exchange conversation.')}
            {check('useSmartMatching', 'Use smart matching', 'Link email by subject and recipients when nothing else matches.')}
          </section>
          <section class="card">
            <h2>Address resolution</h2>
            <Field label="Sender matching several records" name="senderDuplicateRule" issues={issues}
              help="When the sender's address belongs to several records of the first kind found (user, queue, contact, account, lead), link the email to this one.">
              {(id, d) => (
                <select id={id} aria-describedby={d} value={s.senderDuplicateRule} onChange={(e) => set('senderDuplicateRule', e.currentTarget.value as Settings['senderDuplicateRule'])}>
                  {Object.entries(SENDER_RULE).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                </select>
              )}
            </Field>
            <Field label="Recipient matching several records" name="recipientDuplicateRule" issues={issues}
              help="When a To, Cc or Bcc address belongs to several records, list all of them on the email, or none.">
              {(id, d) => (
                <select id={id} aria-describedby={d} value={s.recipientDuplicateRule} onChange={(e) => set('recipientDuplicateRule', e.currentTarget.value as Settings['recipientDuplicateRule'])}>
                  {Object.entries(RECIPIENT_RULE).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                </select>
              )}
            </Field>
            <h2>Attachments</h2>
            <Field label="Maximum attachment size (KB)" name="maxAttachmentSizeKb" issues={issues}
              help="Incoming attachments larger than this are not stored (1 to 131,072 KB; default 5,120). The email lists each one left out with its name and size.">
              {(id, d) => <input id={id} type="number" min={1} max={131072} aria-describedby={d} value={String(s.maxAttachmentSizeKb)} onInput={(e) => set('maxAttachmentSizeKb', Number(e.currentTarget.value))} />}
            </Field>
          </section>
          <section class="card">
            <h2>Alerts</h2>
            {check('alertMailboxOwners', "Alert the mailbox owner", "Alerts on a mailbox's wall also appear on the wall of the user who owns it.")}
            <fieldset class={`plain field${levelsError ? ' has-error' : ''}`} data-field="alertLevels" aria-describedby={`s-alertLevels-help${levelsError ? ' s-alertLevels-error' : ''}`}>
              <legend class="label">Record alerts of these levels</legend>
              <div class="level-checks">
                {LEVELS.map(([level, label, help]) => (
                  <div class="check" key={level}>
                    <input id={`s-level-${level}`} type="checkbox" checked={s.alertLevels.includes(level)} aria-describedby={`s-level-${level}-help`} onChange={(e) => toggleLevel(level, e.currentTarget.checked)} />
                    <label for={`s-level-${level}`}>{label}</label>
                    <p class="help" id={`s-level-${level}-help`}>{help}</p>
                  </div>
                ))}
              </div>
              <p class="help" id="s-alertLevels-help">An alert of a level left unchecked is not recorded on any wall. A failing mailbox still shows its last error, is still retried or disabled as usual, and the profile owner's email about failing mailboxes is still sent.</p>
              {levelsError && <p class="error-text" id="s-alertLevels-error" role="alert">Alert levels: {levelsError}</p>}
            </fieldset>
          </section>
        </div>
      </fieldset>
    </form>
  );
}
