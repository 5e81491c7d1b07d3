/**
 * Email server profile: how to reach one Exchange organization. Fields, ranges and defaults follow
 * the Dynamics 365 email server profile (seeds 003, 001, 004):
 *  - minimum polling interval 0-1440 minutes;
 *  - maximum concurrent connections 1-300, default 10 (counted per profile, see connectionLimitScope);
 *  - connection timeout at most 100 seconds;
 *  - manual incoming/outgoing locations only when Autodiscover is off.
 */
import type { ValidationError } from '../errors.ts';
import { checkAuth, checkSecrets, type ProfileAuth, type ProfileSecretField, type ProfileSecrets } from './profile-auth.ts';
import { checkBoolean, checkDateTime, checkHttpsUrl, checkIntRange, checkOneOf, checkText, checkUuid, issue, toValidationError, type Issue } from './rules.ts';

export const SERVER_TYPES = ['exchange-server', 'exchange-online'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

export const PROFILE_LIMITS = {
  nameMaxLength: 100,
  descriptionMaxLength: 2000,
  minimumPollingIntervalMinutes: { min: 0, max: 1440, default: 0 },
  maximumConcurrentConnections: { min: 1, max: 300, default: 10 },
  connectionTimeoutSeconds: { min: 1, max: 100, default: 100 },
  port: { min: 1, max: 65535, default: 443 },
  trustedCaBundleMaxLength: 262144,
  autodiscoverAllowedRedirectDomainsMax: 50,
} as const;

/** The stored, returnable profile: no secret values, only which secrets are set. */
export type EmailServerProfile = {
  id: string;
  name: string;
  description: string;
  ownerUserId: string | null;
  serverType: ServerType;
  isDefaultForNewMailboxes: boolean;
  auth: ProfileAuth;
  secretsSet: ProfileSecretField[];
  autodiscover: boolean;
  /**
   * Domains Autodiscover may follow a redirect to, besides the mailbox's own (a name covers its
   * subdomains). Empty: redirects stay within the mailbox's domain. Exchange Server only.
   */
  autodiscoverAllowedRedirectDomains: string[];
  incomingServerUrl: string | null;
  outgoingServerUrl: string | null;
  incomingPort: number;
  outgoingPort: number;
  /** PEM bundle of an internal CA that signed an on-premises server's certificate. Public data. */
  trustedCaBundle: string | null;
  processEmailFrom: string | null;
  minimumPollingIntervalMinutes: number;
  maximumConcurrentConnections: number;
  connectionTimeoutSeconds: number;
  moveFailedToUndeliverable: boolean;
  /** Alert the owner when more than 50% of the profile's mailboxes fail within an hour. */
  alertOwnerOnMajorEvents: boolean;
  createdAt: string;
  updatedAt: string;
};

/** Everything a caller may set; secrets travel inside `auth` and are split off before storage. */
export type ProfileFields = Omit<EmailServerProfile, 'id' | 'secretsSet' | 'createdAt' | 'updatedAt'>;
export type ProfileInput = Partial<Omit<ProfileFields, 'auth'>> & {
  name: string;
  serverType: ServerType;
  auth: ProfileAuthInput;
};
export type ProfilePatch = Partial<Omit<ProfileFields, 'auth'>> & { auth?: ProfileAuthInput };
/** Auth as written: the non-secret fields (some optional, defaulted) plus any secrets. */
export type ProfileAuthInput = { type: ProfileAuth['type'] } & Record<string, unknown> & ProfileSecrets;

/** Separates the write-only secrets from the auth settings and applies auth defaults. */
export function splitAuthInput(input: ProfileAuthInput): { auth: ProfileAuth; secrets: ProfileSecrets } {
  const { password, keyVaultClientSecret, certificate, certificatePassword, ...rest } = input;
  const secrets: ProfileSecrets = {};
  if (password !== undefined) secrets.password = password;
  if (keyVaultClientSecret !== undefined) secrets.keyVaultClientSecret = keyVaultClientSecret;
  if (certificate !== undefined) secrets.certificate = certificate;
  if (certificatePassword !== undefined) secrets.certificatePassword = certificatePassword;
  if (rest.type === 'app-certificate') {
    const a = rest as Record<string, unknown>;
    return {
      auth: {
        ...a,
        useDefaultTenantId: a['useDefaultTenantId'] ?? false,
        tenantId: a['tenantId'] ?? null,
        cloud: a['cloud'] ?? 'global',
        keyVaultUri: a['keyVaultUri'] ?? null,
        keyVaultKeyName: a['keyVaultKeyName'] ?? null,
        keyVaultApplicationId: a['keyVaultApplicationId'] ?? null,
        sendCertificateChain: a['sendCertificateChain'] ?? false,
      } as ProfileAuth,
      secrets,
    };
  }
  return { auth: rest as unknown as ProfileAuth, secrets };
}

/** Defaults for everything a create may leave out. HMA names its server by EWS URL, so no Autodiscover. */
export function profileDefaults(auth: ProfileAuth): Omit<ProfileFields, 'name' | 'serverType' | 'auth'> {
  return {
    description: '',
    ownerUserId: null,
    isDefaultForNewMailboxes: false,
    autodiscover: auth.type !== 'hybrid-modern-auth',
    autodiscoverAllowedRedirectDomains: [],
    incomingServerUrl: null,
    outgoingServerUrl: null,
    incomingPort: PROFILE_LIMITS.port.default,
    outgoingPort: PROFILE_LIMITS.port.default,
    trustedCaBundle: null,
    processEmailFrom: null,
    minimumPollingIntervalMinutes: PROFILE_LIMITS.minimumPollingIntervalMinutes.default,
    maximumConcurrentConnections: PROFILE_LIMITS.maximumConcurrentConnections.default,
    connectionTimeoutSeconds: PROFILE_LIMITS.connectionTimeoutSeconds.default,
    moveFailedToUndeliverable: false,
    alertOwnerOnMajorEvents: false,
  };
}

export type ProfileCheckContext = {
  /** Secrets already stored for this profile (on update); empty on create. */
  secretsAlreadySet: ReadonlySet<ProfileSecretField>;
  /** Whether org email settings carry a default Exchange Online tenant id. */
  defaultTenantIdSet: boolean;
};

/** Validates a complete profile (after defaults and any patch are applied) with the secrets being written. */
export function validateProfile(fields: ProfileFields, secrets: ProfileSecrets, ctx: ProfileCheckContext): ValidationError | undefined {
  return toValidationError(checkProfile(fields, secrets, ctx));
}

export function checkProfile(p: ProfileFields, secrets: ProfileSecrets, ctx: ProfileCheckContext): Issue[] {
  const L = PROFILE_LIMITS;
  const out: Issue[] = [];
  out.push(...checkText('name', p.name, { required: true, max: L.nameMaxLength }));
  out.push(...checkText('description', p.description, { required: false, max: L.descriptionMaxLength }));
  out.push(...checkUuid('ownerUserId', p.ownerUserId, false));
  out.push(...checkOneOf('serverType', p.serverType, SERVER_TYPES));
  out.push(...checkBoolean('isDefaultForNewMailboxes', p.isDefaultForNewMailboxes));
  const authIssues = checkAuth(p.auth, ctx.defaultTenantIdSet);
  out.push(...authIssues);
  if (authIssues.length === 0) {
    out.push(...checkSecrets(p.auth, secrets, ctx.secretsAlreadySet));
    if (p.serverType === 'exchange-online' && p.auth.type !== 'app-certificate') {
      out.push(issue('auth.type', 'server-type', 'Exchange Online profiles use app-certificate authentication'));
    }
    if (p.serverType === 'exchange-server' && p.auth.type === 'app-certificate') {
      out.push(issue('auth.type', 'server-type', 'app-certificate authentication is for Exchange Online; use credentials or hybrid-modern-auth'));
    }
  }
  out.push(...checkBoolean('autodiscover', p.autodiscover));
  if (p.auth?.type === 'hybrid-modern-auth' && p.autodiscover === true) {
    out.push(issue('autodiscover', 'hma-location', 'must be false with hybrid-modern-auth: the EWS URL is the server location'));
  }
  out.push(...checkRedirectDomains(p));
  const manual = p.autodiscover === false && p.auth?.type !== 'hybrid-modern-auth';
  for (const f of ['incomingServerUrl', 'outgoingServerUrl'] as const) {
    out.push(...checkHttpsUrl(f, p[f], manual));
    if (p.autodiscover === true && p[f] !== null && p[f] !== undefined) {
      out.push(issue(f, 'autodiscover-off', 'is only used when autodiscover is false'));
    }
  }
  out.push(...checkIntRange('incomingPort', p.incomingPort, L.port.min, L.port.max));
  out.push(...checkIntRange('outgoingPort', p.outgoingPort, L.port.min, L.port.max));
  const hmaUrl = p.auth?.type === 'hybrid-modern-auth' ? (p.auth as { ewsUrl?: unknown }).ewsUrl : undefined;
  for (const [portField, urlField, url] of [
    ['incomingPort', 'incomingServerUrl', p.auth?.type === 'hybrid-modern-auth' ? hmaUrl : p.incomingServerUrl],
    ['outgoingPort', 'outgoingServerUrl', p.outgoingServerUrl],
  ] as const) {
    const explicit = explicitPort(url);
    const port = p[portField];
    if (explicit !== null && typeof port === 'number' && port !== L.port.default && port !== explicit) {
      const where = p.auth?.type === 'hybrid-modern-auth' && urlField === 'incomingServerUrl' ? 'auth.ewsUrl' : urlField;
      out.push(issue(portField, 'port-mismatch', `is ${port} but ${where} names port ${explicit}: give the port in one place, or the same in both`));
    }
  }
  if (p.trustedCaBundle !== null && p.trustedCaBundle !== undefined) {
    out.push(...checkText('trustedCaBundle', p.trustedCaBundle, { required: false, max: L.trustedCaBundleMaxLength }));
    if (typeof p.trustedCaBundle === 'string' && !/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(p.trustedCaBundle)) {
      out.push(issue('trustedCaBundle', 'pem', 'must contain at least one PEM CERTIFICATE block'));
    }
    if (p.serverType === 'exchange-online') {
      out.push(issue('trustedCaBundle', 'on-premises-only', 'is only used for Exchange Server (on-premises)'));
    }
  }
  out.push(...checkDateTime('processEmailFrom', p.processEmailFrom));
  const r = (f: 'minimumPollingIntervalMinutes' | 'maximumConcurrentConnections' | 'connectionTimeoutSeconds') =>
    checkIntRange(f, p[f], L[f].min, L[f].max);
  out.push(...r('minimumPollingIntervalMinutes'), ...r('maximumConcurrentConnections'), ...r('connectionTimeoutSeconds'));
  out.push(...checkBoolean('moveFailedToUndeliverable', p.moveFailedToUndeliverable));
  out.push(...checkBoolean('alertOwnerOnMajorEvents', p.alertOwnerOnMajorEvents));
  return out;
}

const DOMAIN_NAME = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

function checkRedirectDomains(p: ProfileFields): Issue[] {
  const f = 'autodiscoverAllowedRedirectDomains';
  const list: unknown = p.autodiscoverAllowedRedirectDomains;
  if (list === undefined) return [issue(f, 'required', 'is required (an empty list allows none)')];
  if (!Array.isArray(list)) return [issue(f, 'type', 'must be a list of domain names')];
  if (list.length === 0) return [];
  const max = PROFILE_LIMITS.autodiscoverAllowedRedirectDomainsMax;
  if (list.length > max) return [issue(f, 'max-items', `must name at most ${max} domains`)];
  const bad = list.filter((d) => typeof d !== 'string' || !DOMAIN_NAME.test(d));
  if (bad.length > 0) return [issue(f, 'domain', `must contain only domain names such as contoso.com (not ${bad.map((d) => JSON.stringify(d)).join(', ')})`)];
  if (new Set(list.map((d: string) => d.toLowerCase())).size !== list.length) return [issue(f, 'unique', 'must not name a domain twice')];
  if (p.serverType === 'exchange-online') return [issue(f, 'on-premises-only', 'is only used for Exchange Server (on-premises)')];
  if (p.autodiscover !== true) return [issue(f, 'autodiscover-on', 'is only used when autodiscover is true')];
  return [];
}

/**
 * What maximumConcurrentConnections counts. Dynamics counts it per mailbox when the credentials
 * are on the mailbox and per profile when they are on the profile (seed 003, "Maximum Concurrent
 * Connections"). Every auth type here keeps its credentials on the profile.
 */
export function connectionLimitScope(_profile: Pick<EmailServerProfile, 'auth'>): 'profile' | 'mailbox' {
  return 'profile';
}

/** Share of failing mailboxes above which a profile with alertOwnerOnMajorEvents alerts its owner. */
export const MAJOR_EVENT_FAILURE_SHARE = 0.5;
export const MAJOR_EVENT_WINDOW_MS = 60 * 60 * 1000;

/** The port written in an https URL, or null when it has none (or is not a URL). */
function explicitPort(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.port === '' ? null : Number(u.port);
  } catch {
    return null;
  }
}

/**
 * Where a server location really points: the URL as given when it names a port, otherwise the
 * URL on the profile's port for that direction (443, the https default, changes nothing).
 * Seed 003: with Autodiscover inactive the administrator enters the incoming and outgoing
 * locations and the ports to use for them.
 */
export function serverLocation(url: string, port: number): string {
  const u = new URL(url);
  if (u.port === '' && port !== PROFILE_LIMITS.port.default) u.port = String(port);
  return u.toString();
}
