/** Sign-in with an API token (created by `dovetail token create` or shown once at first start). */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-client.ts';
import { Notice } from '../components/ui.tsx';
import { openSession, type Session } from '../session.ts';

export function SignInPage({ onSignedIn }: { onSignedIn(s: Session): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await openSession(token.trim()));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This token is unknown or revoked.' : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <form class="card signin-card" onSubmit={submit}>
        <div class="brand"><span class="logo" aria-hidden="true">◆</span> Dovetail</div>
        <h1>Sign in to the admin center</h1>
        <p class="muted">Use an API token. The first one is shown once by <code>dovetail token reveal-first</code>; create others with <code>dovetail token create</code>.</p>
        <div class={`field${error ? ' has-error' : ''}`}>
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required value={token}
            aria-describedby={error ? 'token-error' : undefined} onInput={(e) => setToken(e.currentTarget.value)} />
          {error && <p class="error-text" id="token-error" role="alert">{error}</p>}
        </div>
        <button class="primary" type="submit" disabled={busy || token.trim() === ''}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <Notice tone="info">The token stays in this browser tab only and is forgotten when you sign out or close the tab.</Notice>
      </form>
    </main>
  );
}
