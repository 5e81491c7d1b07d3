/**
 * Test Connection of a profile (POST /api/profiles/:id/test-connection): every step (configuration,
 * Autodiscover, TLS, authentication, mailbox access, impersonation, permissions) with pass/fail,
 * what was found, what to do, and the redacted trace of the last request and response.
 */
import { useState } from 'preact/hooks';
import { post } from '../api-client.ts';
import { StepList } from './step-list.tsx';
import { ErrorNotice, Notice } from './ui.tsx';

type Result = { ok: boolean; mailbox: string | null; steps: Array<{ step: string; ok: boolean; skipped: boolean; detail: string; remedy?: string; trace?: string; durationMs: number }> };

export function TestConnection({ profileId }: { profileId: string }) {
  const [mailbox, setMailbox] = useState('');
  const [result, setResult] = useState<Result | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await post<Result>(`/api/profiles/${profileId}/test-connection`, mailbox.trim() === '' ? {} : { mailbox: mailbox.trim() }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card test-connection" aria-labelledby="tc-title">
      <h2 id="tc-title">Test Connection</h2>
      <form onSubmit={run}>
        <div class="field">
          <label for="tc-mailbox">Sample mailbox</label>
          <input id="tc-mailbox" type="email" placeholder="Default: the profile's first mailbox" value={mailbox} onInput={(e) => setMailbox(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Testing…' : 'Test Connection'}</button>
      </form>
      <ErrorNotice error={error} />
      {result && (
        <div aria-live="polite">
          <Notice tone={result.ok ? 'ok' : 'bad'}>
            {result.ok ? 'Every step passed' : 'Test Connection failed'}{result.mailbox ? ` with ${result.mailbox}` : ''}.
          </Notice>
          <StepList steps={result.steps.map((s) => ({ name: s.step, ok: s.ok, skipped: s.skipped, detail: s.detail, durationMs: s.durationMs, ...(s.remedy ? { remedy: s.remedy } : {}), ...(s.trace ? { trace: s.trace } : {}) }))} />
        </div>
      )}
    </section>
  );
}
