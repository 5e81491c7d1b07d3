/**
 * Drivers whose credentials are Entra tokens: Hybrid Modern Auth (a bearer EWS transport at the
 * profile's EWS URL) and Exchange Online app-only (the Graph driver at the cloud's Graph root).
 * The profile's trusted CA bundle is trusted by every hop (EWS, Entra, Key Vault, Graph).
 */
import { cloudByName, cloudOfVault, type Cloud } from '../auth/clouds.ts';
import { ExchangeOnlineTokenSource, type ExchangeOnlineAuthSettings } from '../auth/entra/exchange-online-token-source.ts';
import { HmaTokenSource, type EntraEnvironment } from '../auth/entra/hma-token-source.ts';
import { serverLocation, type EmailServerProfile } from '../domain/profile.ts';
import type { AppCertificateAuth, HybridModernAuth, ProfileSecrets } from '../domain/profile-auth.ts';
import { GraphClient } from './graph/client.ts';
import { GraphMailboxDriver } from './graph/driver.ts';
import type { OpenDriverDeps } from './exchange-environment.ts';
import { bearerAuth, closingWith, ewsDriverAt, incomplete, profileTransport } from './open-ews.ts';
import type { EwsDriver } from './ews/driver.ts';

/**
 * Whom Entra, Key Vault and Graph connections trust beyond the machine's roots: only the lab's CA.
 * A profile's trusted CA bundle is for its on-premises Exchange (an internal CA); it must not
 * vouch for Microsoft's cloud endpoints.
 */
function trustedCas(deps: OpenDriverDeps): string[] | undefined {
  const pems = deps.lab?.trustedCaPems ?? [];
  return pems.length === 0 ? undefined : pems;
}

/** Where Entra and Key Vault are for this profile, and whom to trust on the way. */
export function entraEnvironment(profile: EmailServerProfile, cloud: Cloud, deps: OpenDriverDeps): EntraEnvironment {
  const cas = trustedCas(deps);
  return {
    cloud,
    clock: deps.clock,
    random: deps.random,
    ...(deps.authLog === undefined ? {} : { log: deps.authLog }),
    ...(deps.lab?.entraAuthorityOrigin === undefined ? {} : { authorityOrigin: deps.lab.entraAuthorityOrigin }),
    ...(cas === undefined ? {} : { trustedCaPems: cas }),
    timeoutMs: deps.timeoutMs ?? profile.connectionTimeoutSeconds * 1000,
  };
}

export function hmaTokenSource(profile: EmailServerProfile & { auth: HybridModernAuth }, secrets: ProfileSecrets, deps: OpenDriverDeps): HmaTokenSource {
  const a = profile.auth;
  if (secrets.keyVaultClientSecret === undefined) throw incomplete(profile, 'Key Vault client secret', 'auth');
  // The profile names no cloud for HMA; the vault's DNS suffix does (the lab's vault names none: worldwide).
  const cloud = cloudOfVault(a.keyVaultUri) ?? cloudByName('global');
  return new HmaTokenSource(
    {
      tenantId: a.tenantId,
      hmaAppId: a.hmaApplicationId,
      aadResourceId: a.aadResourceId,
      keyVaultUri: a.keyVaultUri,
      keyVaultKeyName: a.keyVaultKeyName,
      keyVaultAppId: a.keyVaultApplicationId,
      keyVaultClientSecret: secrets.keyVaultClientSecret,
    },
    entraEnvironment(profile, cloud, deps),
  );
}

export function openHmaDriver(profile: EmailServerProfile & { auth: HybridModernAuth }, secrets: ProfileSecrets, deps: OpenDriverDeps): { driver: EwsDriver; tokens: HmaTokenSource } {
  const tokens = hmaTokenSource(profile, secrets, deps);
  const transport = profileTransport(profile, bearerAuth(tokens), deps);
  // The EwsClient sends X-AnchorMailbox with every impersonated call, as Exchange requires for app-only tokens.
  const driver = closingWith(ewsDriverAt(profile, serverLocation(profile.auth.ewsUrl, profile.incomingPort), transport, deps), () => transport.close(), () => tokens.close());
  return { driver, tokens };
}

function exchangeOnlineSettings(profile: EmailServerProfile & { auth: AppCertificateAuth }, secrets: ProfileSecrets): ExchangeOnlineAuthSettings {
  const a = profile.auth;
  const base = { appId: a.applicationId, useDefaultTenantId: a.useDefaultTenantId, sendX5c: a.sendCertificateChain === true, ...(a.tenantId === null ? {} : { tenantId: a.tenantId }) };
  if (a.certificateSource === 'key-vault') {
    if (secrets.keyVaultClientSecret === undefined) throw incomplete(profile, 'Key Vault client secret', 'auth');
    if (a.keyVaultUri === null || a.keyVaultKeyName === null || a.keyVaultApplicationId === null) throw incomplete(profile, 'Key Vault reference');
    return { ...base, certificate: { source: 'keyvault', vaultUri: a.keyVaultUri, keyName: a.keyVaultKeyName, appId: a.keyVaultApplicationId, clientSecret: secrets.keyVaultClientSecret } };
  }
  if (secrets.certificate === undefined) throw incomplete(profile, 'certificate', 'auth');
  const password = secrets.certificatePassword === undefined ? {} : { password: secrets.certificatePassword };
  return {
    ...base,
    certificate: {
      source: 'profile',
      input: a.certificateSource === 'pem'
        ? { format: 'pem', pem: secrets.certificate, ...password }
        : { format: 'pfx', pfx: Buffer.from(secrets.certificate.replace(/\s+/g, ''), 'base64'), ...password },
    },
  };
}

export function exchangeOnlineTokenSource(profile: EmailServerProfile & { auth: AppCertificateAuth }, secrets: ProfileSecrets, deps: OpenDriverDeps): ExchangeOnlineTokenSource {
  return new ExchangeOnlineTokenSource(
    exchangeOnlineSettings(profile, secrets),
    entraEnvironment(profile, cloudByName(profile.auth.cloud), deps),
    deps.defaultTenantId ?? undefined,
  );
}

export function openGraphDriver(
  profile: EmailServerProfile & { auth: AppCertificateAuth },
  secrets: ProfileSecrets,
  deps: OpenDriverDeps,
): { driver: GraphMailboxDriver; tokens: ExchangeOnlineTokenSource } {
  const tokens = exchangeOnlineTokenSource(profile, secrets, deps);
  const cas = trustedCas(deps);
  const client = new GraphClient({
    root: deps.lab?.graphRoot ?? cloudByName(profile.auth.cloud).graphEndpoint,
    tokens,
    clock: deps.clock,
    random: deps.random,
    timeoutMs: profile.connectionTimeoutSeconds * 1000,
    ...(cas === undefined ? {} : { trustedCaPem: cas.join('\n') }),
    ...(deps.requests === undefined ? {} : { requests: deps.requests }),
  });
  const driver = closingWith(new GraphMailboxDriver({ client, tokens, clock: deps.clock }), () => tokens.close());
  return { driver, tokens };
}
