/** The admin center: sign in with an API token, then every page is a view over the REST API. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { storedToken, storeToken } from './api-client.ts';
import { Layout } from './components/layout.tsx';
import { Loading } from './components/ui.tsx';
import { ActSettingsPage } from './pages/act-settings.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { AuditPage } from './pages/audit.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { HmaPage } from './pages/hma.tsx';
import { MailboxPage } from './pages/mailbox.tsx';
import { MailboxesPage } from './pages/mailboxes.tsx';
import { ProfileFormPage } from './pages/profile-form.tsx';
import { ProfilesPage } from './pages/profiles.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { go, useRoute, type Route } from './router.ts';
import { openSession, SessionContext, type Session } from './session.ts';
import './styles.css';

function page(route: Route) {
  const [first, second] = route.parts;
  switch (first) {
    case 'mailboxes':
      return second === undefined ? <MailboxesPage /> : <MailboxPage id={second} />;
    case 'profiles':
      if (second === 'new') return <ProfileFormPage serverType={route.parts[2] === 'exchange-online' ? 'exchange-online' : 'exchange-server'} />;
      return second === undefined ? <ProfilesPage /> : <ProfileFormPage id={second} />;
    case 'settings':
      return second === 'act' ? <ActSettingsPage /> : <SettingsPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'audit':
      return <AuditPage />;
    case 'hma':
      return <HmaPage />;
    default:
      return <DashboardPage />;
  }
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedToken() !== null);

  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    openSession(token).then(setSession, () => storeToken(null)).finally(() => setRestoring(false));
  }, []);

  useEffect(() => {
    const title = route.parts[0] ?? 'dashboard';
    document.title = `${title.charAt(0).toUpperCase()}${title.slice(1)} · Dovetail admin center`;
  }, [route.path]);

  if (restoring) return <Loading />;
  if (session === null) {
    return <SignInPage onSignedIn={(s) => { storeToken(s.token); setSession(s); if (route.parts.length === 0) go(s.role === 'mailbox-owner' ? '/mailboxes' : '/dashboard'); }} />;
  }
  const signOut = () => {
    storeToken(null);
    setSession(null);
    go('/');
  };
  return (
    <SessionContext.Provider value={session}>
      <Layout session={session} active={`/${route.parts[0] ?? 'dashboard'}`} onSignOut={signOut}>
        {page(route)}
      </Layout>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
