/**
 * Email server profile schemas. Requests accept secret fields inside `auth`; responses never
 * declare them, so serialization cannot emit them even by mistake. Cross-field rules (which
 * fields each auth type needs) are checked by domain/profile.ts with messages naming the field.
 */
import { Type } from 'typebox';
import { AUTH_TYPES, CERTIFICATE_SOURCES, CLOUDS, CREDENTIAL_PROTOCOLS } from '../../domain/profile-auth.ts';
import { PROFILE_LIMITS, SERVER_TYPES } from '../../domain/profile.ts';
import { Nullable, Timestamp } from './common.ts';

const L = PROFILE_LIMITS;
const literalUnion = (values: ReadonlyArray<string>) => Type.Union(values.map((v) => Type.Literal(v)));
const Secret = (description: string) => Type.String({ description: `${description} Write-only: never returned.`, writeOnly: true });

export const AuthInput = Type.Object(
  {
    type: literalUnion(AUTH_TYPES),
    protocol: Type.Optional(literalUnion(CREDENTIAL_PROTOCOLS)),
    userName: Type.Optional(Type.String({ description: 'credentials: service account with the ApplicationImpersonation role' })),
    password: Type.Optional(Secret('credentials: the service account password.')),
    ewsUrl: Type.Optional(Type.String({ description: 'hybrid-modern-auth: EWS endpoint (https)' })),
    aadResourceId: Type.Optional(Type.String({ description: 'hybrid-modern-auth: Entra resource, usually https://<EWS host>' })),
    tenantId: Type.Optional(Nullable(Type.String({ description: 'Tenant id or domain' }))),
    hmaApplicationId: Type.Optional(Type.String({ description: 'hybrid-modern-auth: HMA application id' })),
    keyVaultUri: Type.Optional(Nullable(Type.String({ description: 'Key Vault URI holding the certificate' }))),
    keyVaultKeyName: Type.Optional(Nullable(Type.String({ description: 'Key Vault certificate name' }))),
    keyVaultApplicationId: Type.Optional(Nullable(Type.String({ description: 'Application id used to read Key Vault' }))),
    keyVaultClientSecret: Type.Optional(Secret('Client secret of the Key Vault application.')),
    useDefaultTenantId: Type.Optional(Type.Boolean({ description: 'app-certificate: use the org default Exchange Online tenant id' })),
    applicationId: Type.Optional(Type.String({ description: 'app-certificate: application id' })),
    cloud: Type.Optional(literalUnion(CLOUDS)),
    certificateSource: Type.Optional(literalUnion(CERTIFICATE_SOURCES)),
    certificate: Type.Optional(Secret('app-certificate: PEM text (certificate and private key) or base64 PFX.')),
    certificatePassword: Type.Optional(Secret('app-certificate: PFX password.')),
    sendCertificateChain: Type.Optional(Type.Boolean({ description: 'app-certificate: send the certificate chain (x5c) with each assertion, for an app that trusts certificates by subject name and issuer (default false)' })),
  },
  { additionalProperties: false },
);

const settings = {
  description: Type.String({ maxLength: L.descriptionMaxLength }),
  ownerUserId: Nullable(Type.String()),
  isDefaultForNewMailboxes: Type.Boolean(),
  autodiscover: Type.Boolean(),
  autodiscoverAllowedRedirectDomains: Type.Array(Type.String(), {
    description:
      "Exchange Server with Autodiscover: domains Autodiscover may follow a redirect to, besides the mailbox's own (a domain covers its subdomains). Empty: redirects stay within the mailbox's domain",
  }),
  incomingServerUrl: Nullable(Type.String()),
  outgoingServerUrl: Nullable(Type.String()),
  incomingPort: Type.Integer({ minimum: L.port.min, maximum: L.port.max }),
  outgoingPort: Type.Integer({ minimum: L.port.min, maximum: L.port.max }),
  trustedCaBundle: Nullable(Type.String({ description: 'PEM bundle of an internal CA (on-premises only)' })),
  processEmailFrom: Nullable(Type.String({ description: 'ISO 8601 date-time' })),
  minimumPollingIntervalMinutes: Type.Integer({ minimum: L.minimumPollingIntervalMinutes.min, maximum: L.minimumPollingIntervalMinutes.max }),
  maximumConcurrentConnections: Type.Integer({ minimum: L.maximumConcurrentConnections.min, maximum: L.maximumConcurrentConnections.max }),
  connectionTimeoutSeconds: Type.Integer({ minimum: L.connectionTimeoutSeconds.min, maximum: L.connectionTimeoutSeconds.max }),
  moveFailedToUndeliverable: Type.Boolean(),
  alertOwnerOnMajorEvents: Type.Boolean({ description: 'Alert the owner when more than 50% of the mailboxes fail within an hour' }),
};
const required = { name: Type.String({ maxLength: L.nameMaxLength }), serverType: literalUnion(SERVER_TYPES), auth: AuthInput };

export const ProfileCreate = Type.Object({ ...required, ...Type.Partial(Type.Object(settings)).properties }, { additionalProperties: false });

export const ProfileUpdate = Type.Partial(Type.Object({ ...required, ...settings }), { additionalProperties: false });

const CredentialsAuthOut = Type.Object({ type: Type.Literal('credentials'), protocol: literalUnion(CREDENTIAL_PROTOCOLS), userName: Type.String() });
const HmaAuthOut = Type.Object({
  type: Type.Literal('hybrid-modern-auth'), ewsUrl: Type.String(), aadResourceId: Type.String(), tenantId: Type.String(), hmaApplicationId: Type.String(),
  keyVaultUri: Type.String(), keyVaultKeyName: Type.String(), keyVaultApplicationId: Type.String(),
});
const AppCertAuthOut = Type.Object({
  type: Type.Literal('app-certificate'), useDefaultTenantId: Type.Boolean(), tenantId: Nullable(Type.String()), applicationId: Type.String(),
  cloud: literalUnion(CLOUDS), certificateSource: literalUnion(CERTIFICATE_SOURCES), keyVaultUri: Nullable(Type.String()),
  keyVaultKeyName: Nullable(Type.String()), keyVaultApplicationId: Nullable(Type.String()),
  sendCertificateChain: Type.Optional(Type.Boolean()),
});

export const Profile = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    serverType: literalUnion(SERVER_TYPES),
    auth: Type.Union([CredentialsAuthOut, HmaAuthOut, AppCertAuthOut]),
    secretsSet: Type.Array(Type.String(), { description: 'Which write-only secrets are stored' }),
    ...settings,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Profile' },
);
