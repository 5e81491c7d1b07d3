/**
 * openDriver(): the only provider registry. Turns an email server profile (and its unsealed
 * secrets) into the MailboxDriver the sync engine uses; sync/ never builds a driver itself.
 *
 *  - credentials (NTLM or Basic, ApplicationImpersonation): EWS at the manual locations (incoming for
 *    reading, outgoing for sending, each on its port when its URL names none), or at the
 *    URL Autodiscover finds per mailbox (cached per domain) when the profile has Autodiscover on,
 *    following redirects only within the mailbox's domain and the profile's allowed redirect domains;
 *  - hybrid-modern-auth: app-only Entra tokens (certificate from Key Vault) as Bearer to the profile's
 *    EWS URL, with impersonation and X-AnchorMailbox;
 *  - app-certificate (Exchange Online): app-only Graph tokens and the Graph driver at the cloud's root.
 *
 * Callers keep the driver per profile id and updatedAt (sync/worker.ts does), so NTLM connections,
 * Autodiscover answers and tokens live as long as the profile is unchanged; close() releases them.
 */
import { serverLocation, type EmailServerProfile } from '../domain/profile.ts';
import type { ProfileSecrets } from '../domain/profile-auth.ts';
import type { MailboxDriver } from './driver.ts';
import type { OpenDriverDeps } from './exchange-environment.ts';
import { AutodiscoverEwsDriver } from './open-autodiscover.ts';
export { autodiscoverRedirectDomains } from './open-ews.ts';
import { closingWith, credentialAuth, ewsDriverAt, incomplete, profileAutodiscover, profileTransport } from './open-ews.ts';
import { openGraphDriver, openHmaDriver } from './open-modern.ts';
import { withOutgoingLocation } from './outgoing-location.ts';

export type { LabEndpoints, OpenDriverDeps } from './exchange-environment.ts';
export { splitDomainUser } from './open-ews.ts';

export function openDriver(profile: EmailServerProfile, secrets: ProfileSecrets, deps: OpenDriverDeps): MailboxDriver {
  const auth = profile.auth;
  switch (auth.type) {
    case 'credentials': {
      const credentials = credentialAuth(profile, secrets);
      const url = profile.incomingServerUrl;
      if (!profile.autodiscover && url === null) throw incomplete(profile, 'incoming server location');
      const transport = profileTransport(profile, credentials, deps);
      if (profile.autodiscover || url === null) {
        return new AutodiscoverEwsDriver(profile, transport, profileAutodiscover(profile, transport, deps), deps);
      }
      const incoming = serverLocation(url, profile.incomingPort);
      const outgoing = serverLocation(profile.outgoingServerUrl ?? url, profile.outgoingPort);
      if (outgoing === incoming) return closingWith(ewsDriverAt(profile, incoming, transport, deps), () => transport.close());
      // One transport for both: NTLM connections and the concurrent-connection budget are the profile's.
      return withOutgoingLocation(ewsDriverAt(profile, incoming, transport, deps), closingWith(ewsDriverAt(profile, outgoing, transport, deps), () => transport.close()), outgoing);
    }
    case 'hybrid-modern-auth':
      return openHmaDriver({ ...profile, auth }, secrets, deps).driver;
    case 'app-certificate':
      return openGraphDriver({ ...profile, auth }, secrets, deps).driver;
  }
}
