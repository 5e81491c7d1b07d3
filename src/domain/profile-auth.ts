/**
 * The three ways an email server profile authenticates to Exchange, with exactly the fields the
 * Dynamics 365 setup guides name (seeds 003, 001, 004):
 *  - credentials: a service account with the ApplicationImpersonation role, over NTLM or Basic;
 *  - hybrid-modern-auth (HMA): Exchange on-premises behind Entra, certificate kept in Key Vault;
 *  - app-certificate: Exchange Online app-only auth with a certificate (uploaded or in Key Vault).
 * Secret fields are write-only: inputs carry them, read models only say whether each is set.
 */
import { checkBoolean, checkGuid, checkHttpsUrl, checkOneOf, checkTenant, checkText, issue, type Issue } from './rules.ts';

export const AUTH_TYPES = ['credentials', 'hybrid-modern-auth', 'app-certificate'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const CREDENTIAL_PROTOCOLS = ['ntlm', 'basic'] as const;
export type CredentialProtocol = (typeof CREDENTIAL_PROTOCOLS)[number];

/** Entra clouds Exchange Online runs in: worldwide, US Government (GCC High), China (21Vianet). */
export const CLOUDS = ['global', 'us-government', 'china'] as const;
export type Cloud = (typeof CLOUDS)[number];

export const CERTIFICATE_SOURCES = ['pem', 'pfx', 'key-vault'] as const;
export type CertificateSource = (typeof CERTIFICATE_SOURCES)[number];

/** The secret fields of every auth type, by name. Sealed in the store, never returned. */
export const PROFILE_SECRET_FIELDS = ['password', 'keyVaultClientSecret', 'certificate', 'certificatePassword'] as const;
export type ProfileSecretField = (typeof PROFILE_SECRET_FIELDS)[number];
export type ProfileSecrets = Partial<Record<ProfileSecretField, string>>;

export type CredentialsAuth = {
  type: 'credentials';
  protocol: CredentialProtocol;
  userName: string;
};

export type HybridModernAuth = {
  type: 'hybrid-modern-auth';
  ewsUrl: string;
  aadResourceId: string;
  tenantId: string;
  hmaApplicationId: string;
  keyVaultUri: string;
  keyVaultKeyName: string;
  keyVaultApplicationId: string;
};

export type AppCertificateAuth = {
  type: 'app-certificate';
  /** Use the org-level Exchange Online tenant id (org email settings) instead of tenantId. */
  useDefaultTenantId: boolean;
  tenantId: string | null;
  applicationId: string;
  cloud: Cloud;
  certificateSource: CertificateSource;
  /** Key Vault reference, as in HMA; only when certificateSource is key-vault. */
  keyVaultUri: string | null;
  keyVaultKeyName: string | null;
  keyVaultApplicationId: string | null;
  /**
   * Send the certificate chain (x5c) with each assertion, for an app that trusts certificates by
   * subject name and issuer instead of a registered public key. Profiles saved before it: false.
   */
  sendCertificateChain?: boolean;
};

/** The non-secret part of a profile's authentication, as stored and returned. */
export type ProfileAuth = CredentialsAuth | HybridModernAuth | AppCertificateAuth;

/** Which secret each auth type needs, given the non-secret settings. */
export function requiredSecrets(auth: ProfileAuth): ProfileSecretField[] {
  switch (auth.type) {
    case 'credentials':
      return ['password'];
    case 'hybrid-modern-auth':
      return ['keyVaultClientSecret'];
    case 'app-certificate':
      return auth.certificateSource === 'key-vault' ? ['keyVaultClientSecret'] : ['certificate'];
  }
}

/** Secrets an auth type may carry; others sent with it are rejected rather than silently kept. */
export function allowedSecrets(auth: ProfileAuth): ProfileSecretField[] {
  switch (auth.type) {
    case 'credentials':
      return ['password'];
    case 'hybrid-modern-auth':
      return ['keyVaultClientSecret'];
    case 'app-certificate':
      if (auth.certificateSource === 'key-vault') return ['keyVaultClientSecret'];
      return auth.certificateSource === 'pfx' ? ['certificate', 'certificatePassword'] : ['certificate'];
  }
}

const MAX_NAME = 256;

/** Checks the non-secret auth fields. Field names are prefixed `auth.` as the API nests them. */
export function checkAuth(value: unknown, useDefaultTenantAvailable: boolean): Issue[] {
  if (typeof value !== 'object' || value === null) return [issue('auth', 'required', 'is required')];
  const a = value as Record<string, unknown>;
  const typeIssues = checkOneOf('auth.type', a['type'], AUTH_TYPES);
  if (typeIssues.length > 0) return typeIssues;
  const out: Issue[] = [];
  if (a['type'] !== 'app-certificate' && a['sendCertificateChain'] !== undefined) {
    out.push(issue('auth.sendCertificateChain', 'not-applicable', `is not used by ${String(a['type'])} authentication`));
  }
  switch (a['type'] as AuthType) {
    case 'credentials':
      out.push(...checkOneOf('auth.protocol', a['protocol'], CREDENTIAL_PROTOCOLS));
      out.push(...checkText('auth.userName', a['userName'], { required: true, max: MAX_NAME }));
      break;
    case 'hybrid-modern-auth':
      out.push(...checkHttpsUrl('auth.ewsUrl', a['ewsUrl'], true));
      out.push(...checkResource('auth.aadResourceId', a['aadResourceId']));
      out.push(...checkTenant('auth.tenantId', a['tenantId'], true));
      out.push(...checkGuid('auth.hmaApplicationId', a['hmaApplicationId'], true));
      out.push(...checkKeyVault(a, true));
      break;
    case 'app-certificate': {
      out.push(...checkBoolean('auth.useDefaultTenantId', a['useDefaultTenantId']));
      if (a['useDefaultTenantId'] === true) {
        if (!useDefaultTenantAvailable) {
          out.push(issue('auth.useDefaultTenantId', 'default-tenant-set', 'needs the org default Exchange Online tenant id to be set in org email settings'));
        }
        if (a['tenantId'] !== undefined && a['tenantId'] !== null) {
          out.push(issue('auth.tenantId', 'exclusive', 'must be empty when useDefaultTenantId is true'));
        }
      } else {
        out.push(...checkTenant('auth.tenantId', a['tenantId'], true));
      }
      out.push(...checkGuid('auth.applicationId', a['applicationId'], true));
      out.push(...checkOneOf('auth.cloud', a['cloud'], CLOUDS));
      out.push(...checkOneOf('auth.certificateSource', a['certificateSource'], CERTIFICATE_SOURCES));
      if (a['sendCertificateChain'] !== undefined) out.push(...checkBoolean('auth.sendCertificateChain', a['sendCertificateChain']));
      if (a['certificateSource'] === 'key-vault') {
        out.push(...checkKeyVault(a, true));
      } else {
        for (const f of ['keyVaultUri', 'keyVaultKeyName', 'keyVaultApplicationId']) {
          if (a[f] !== undefined && a[f] !== null) {
            out.push(issue(`auth.${f}`, 'exclusive', 'is only used when certificateSource is key-vault'));
          }
        }
      }
      break;
    }
  }
  return out;
}

function checkKeyVault(a: Record<string, unknown>, required: boolean): Issue[] {
  const out: Issue[] = [];
  out.push(...checkHttpsUrl('auth.keyVaultUri', a['keyVaultUri'], required));
  out.push(...checkText('auth.keyVaultKeyName', a['keyVaultKeyName'], { required, max: 127 }));
  // Key Vault object names: 1-127 alphanumerics and dashes.
  // https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
  if (typeof a['keyVaultKeyName'] === 'string' && a['keyVaultKeyName'] !== '' && !/^[0-9a-zA-Z-]+$/.test(a['keyVaultKeyName'])) {
    out.push(issue('auth.keyVaultKeyName', 'key-vault-name', 'must contain only letters, digits and dashes'));
  }
  out.push(...checkGuid('auth.keyVaultApplicationId', a['keyVaultApplicationId'], required));
  return out;
}

/** The Entra resource HMA asks a token for: usually https://<EWS host>, sometimes an app id GUID. */
function checkResource(field: string, value: unknown): Issue[] {
  if (typeof value === 'string' && checkGuid(field, value, true).length === 0) return [];
  return checkHttpsUrl(field, value, true).map((i) =>
    i.rule === 'required' ? i : { ...i, rule: 'resource', message: 'must be an https URL (usually the EWS host) or an application id GUID' },
  );
}

/** Checks the secrets sent with a create or update against what the auth type needs and allows. */
export function checkSecrets(auth: ProfileAuth, sent: ProfileSecrets, alreadySet: ReadonlySet<ProfileSecretField>): Issue[] {
  const out: Issue[] = [];
  const allowed = allowedSecrets(auth);
  for (const field of PROFILE_SECRET_FIELDS) {
    const v = sent[field];
    if (v === undefined) continue;
    if (!allowed.includes(field)) {
      out.push(issue(`auth.${field}`, 'not-applicable', `is not used by ${auth.type} authentication${auth.type === 'app-certificate' ? ` with certificateSource ${auth.certificateSource}` : ''}`));
    } else if (typeof v !== 'string' || v === '') {
      out.push(issue(`auth.${field}`, 'required', 'must not be empty'));
    } else if (v.length > 65536) {
      out.push(issue(`auth.${field}`, 'max-length', 'must be at most 65536 characters'));
    }
  }
  for (const field of requiredSecrets(auth)) {
    if (sent[field] === undefined && !alreadySet.has(field)) out.push(issue(`auth.${field}`, 'required', 'is required'));
  }
  if (auth.type === 'app-certificate' && typeof sent.certificate === 'string' && sent.certificate !== '') {
    out.push(...checkCertificateShape(auth.certificateSource, sent.certificate));
  }
  return out;
}

function checkCertificateShape(source: CertificateSource, data: string): Issue[] {
  if (source === 'pem') {
    if (!/-----BEGIN CERTIFICATE-----/.test(data) || !/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(data)) {
      return [issue('auth.certificate', 'pem', 'must be PEM text with a CERTIFICATE and a PRIVATE KEY block')];
    }
    return [];
  }
  // PFX arrives base64-encoded; a PKCS#12 file is a DER SEQUENCE, so it starts with 0x30.
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || Buffer.from(compact, 'base64')[0] !== 0x30) {
    return [issue('auth.certificate', 'pfx', 'must be a base64-encoded PFX (PKCS#12) file')];
  }
  return [];
}
