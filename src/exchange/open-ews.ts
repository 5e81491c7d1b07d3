/**
 * EWS drivers for Exchange Server profiles: one transport per profile (so NTLM handshakes and
 * keep-alive connections are shared by every mailbox), the EWS driver at a known URL, and the
 * Autodiscover that finds each mailbox's URL when the profile asks for it.
 */
import type { TokenSource } from '../auth/token-source.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import type { ProfileSecrets } from '../domain/profile-auth.ts';
import { AppError } from '../errors.ts';
import { createAutodiscover, type Autodiscover } from './ews/autodiscover/autodiscover.ts';
import { EwsDriver } from './ews/driver.ts';
import { createEwsTransport, type EwsAuth, type EwsTransport } from './ews/transport.ts';
import type { OpenDriverDeps } from './exchange-environment.ts';

/** "CONTOSO\svc" -> domain CONTOSO, user svc; "svc@contoso.com" stays whole (NTLM accepts UPNs with no domain). */
export function splitDomainUser(userName: string): { domain: string; username: string } {
  const i = userName.indexOf('\\');
  return i < 0 ? { domain: '', username: userName } : { domain: userName.slice(0, i), username: userName.slice(i + 1) };
}

export function incomplete(profile: EmailServerProfile, what: string, kind: 'invalid-input' | 'auth' = 'invalid-input'): AppError {
  return new AppError('profile_incomplete', `Profile "${profile.name}" has no ${what}.`, { kind, details: { profileId: profile.id } });
}

/** The credentials of a `credentials` profile as the transport takes them. */
export function credentialAuth(profile: EmailServerProfile, secrets: ProfileSecrets): EwsAuth {
  if (profile.auth.type !== 'credentials') throw new Error('credentialAuth needs a credentials profile');
  if (secrets.password === undefined) throw incomplete(profile, 'password', 'auth');
  const { domain, username } = splitDomainUser(profile.auth.userName);
  return profile.auth.protocol === 'ntlm'
    ? { type: 'ntlm', username, password: secrets.password, domain }
    : { type: 'basic', username: profile.auth.userName, password: secrets.password };
}

export function bearerAuth(tokens: TokenSource): EwsAuth {
  return { type: 'bearer', tokens };
}

export function profileTransport(profile: EmailServerProfile, auth: EwsAuth, deps: OpenDriverDeps): EwsTransport {
  return createEwsTransport({
    auth,
    ...(profile.trustedCaBundle === null ? {} : { trustedCaPem: profile.trustedCaBundle }),
    ...(deps.lab?.lookup === undefined ? {} : { lookup: deps.lab.lookup }),
    maxConnections: profile.maximumConcurrentConnections,
    connectTimeoutMs: Math.min(30_000, profile.connectionTimeoutSeconds * 1000),
    clock: deps.clock,
    random: deps.random,
    ...(deps.requests === undefined ? {} : { requests: deps.requests }),
  });
}

/** The EWS driver at one URL, acting as each mailbox through ExchangeImpersonation (and X-AnchorMailbox). */
export function ewsDriverAt(profile: EmailServerProfile, url: string, transport: EwsTransport, deps: OpenDriverDeps): EwsDriver {
  return new EwsDriver({
    transport,
    url,
    clock: deps.clock,
    random: deps.random,
    maxConcurrent: profile.maximumConcurrentConnections,
    concurrencyScope: 'profile',
    timeoutMs: profile.connectionTimeoutSeconds * 1000,
    impersonation: true,
  });
}

/** Where Autodiscover may follow a redirect: the caller's domains and the profile's, once each. */
export function autodiscoverRedirectDomains(profile: Pick<EmailServerProfile, 'autodiscoverAllowedRedirectDomains'>, deps: Pick<OpenDriverDeps, 'allowedRedirectDomains'>): string[] {
  return [...new Set([...(deps.allowedRedirectDomains ?? []), ...profile.autodiscoverAllowedRedirectDomains].map((d) => d.toLowerCase()))];
}

export function profileAutodiscover(profile: EmailServerProfile, transport: EwsTransport, deps: OpenDriverDeps): Autodiscover {
  const lab = deps.lab;
  const redirectDomains = autodiscoverRedirectDomains(profile, deps);
  return createAutodiscover({
    transport,
    clock: deps.clock,
    random: deps.random,
    timeoutMs: profile.connectionTimeoutSeconds * 1000,
    // The profile's own allowed redirect domains join any the caller allows (Test Connection too).
    ...(redirectDomains.length === 0 ? {} : { allowedRedirectDomains: redirectDomains }),
    ...(lab === undefined
      ? {}
      : {
          allowLoopback: lab.allowLoopback,
          ...(lab.lookup === undefined ? {} : { lookup: lab.lookup }),
          ...(lab.autodiscoverPort === undefined ? {} : { port: lab.autodiscoverPort }),
          ...(lab.resolveSrv === undefined ? {} : { resolveSrv: lab.resolveSrv }),
        }),
  });
}

/** Closes the transport with the driver: the driver's close() only releases its own resources. */
export function closingWith<T extends { close(): Promise<void> }>(driver: T, ...more: Array<() => Promise<void>>): T {
  const close = driver.close.bind(driver);
  driver.close = async () => {
    await close();
    for (const m of more) await m();
  };
  return driver;
}
