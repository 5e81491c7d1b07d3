/** The frame of every signed-in page: navigation by what the role may use, who is signed in, and sign-out. */
import type { ComponentChildren } from 'preact';
import { href } from '../router.ts';
import type { Session } from '../session.ts';

const ROLE_NAME = { administrator: 'Administrator', 'mailbox-owner': 'Mailbox owner', 'read-only': 'Read-only' } as const;

type Item = { path: string; label: string; roles?: ReadonlyArray<Session['role']> };
const NAV: ReadonlyArray<Item> = [
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/mailboxes', label: 'Mailboxes' },
  { path: '/profiles', label: 'Server profiles' },
  { path: '/settings', label: 'Email settings' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/audit', label: 'Audit log', roles: ['administrator', 'read-only'] },
  { path: '/hma', label: 'HMA readiness', roles: ['administrator'] },
];

export function Layout({ session, active, onSignOut, children }: { session: Session; active: string; onSignOut(): void; children: ComponentChildren }) {
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <nav class="sidebar" aria-label="Main">
        <div class="brand"><span class="logo" aria-hidden="true">◆</span> Dovetail</div>
        <ul>
          {NAV.filter((i) => i.roles === undefined || i.roles.includes(session.role)).map((i) => (
            <li key={i.path}>
              <a href={href(i.path)} aria-current={active === i.path ? 'page' : undefined}>{i.label}</a>
            </li>
          ))}
        </ul>
        <div class="who">
          <span class="muted">Signed in as</span> <strong>{ROLE_NAME[session.role]}</strong>
          <span class="who-token" title="API token">{session.me.name}</span>
          {session.me.user && <span class="who-user">{session.me.user.fullName} · {session.me.user.emailAddress}</span>}
          <button type="button" class="link" onClick={onSignOut}>Sign out</button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>{children}</main>
    </div>
  );
}
