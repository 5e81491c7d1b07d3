import type { Clock, Random } from '../../clock.ts';
import type { Cloud } from '../clouds.ts';
import type { LoadedCertificate } from '../certificate/load-certificate.ts';
import type { AccessToken, TokenSource } from '../token-source.ts';
import { KeyVaultClient } from '../keyvault/key-vault-client.ts';
import { KeyVaultCertificateSource } from '../keyvault/key-vault-certificate-source.ts';
import type { AuthLog } from './auth-log.ts';
import { EntraTokenSource } from './entra-token-source.ts';
import { hmaScope } from './normalize-aad-resource.ts';

/**
 * Exchange Hybrid Modern Auth, as the HMA profile describes it: the Key Vault app (id + client secret)
 * gets a token for the vault, the certificate named by the Key Vault key name is read from the vault,
 * and with it the HMA app gets an app-only token for the AAD resource (the on-premises EWS host).
 * The certificate is re-read hourly and whenever Entra rejects it, so rotation needs no restart.
 */
export type HmaAuthSettings = {
  /** Tenant where Exchange is hybridized (the HMA app's tenant). */
  tenantId: string;
  hmaAppId: string;
  /** Usually the EWS host; a bare host or a URL (see normalizeAadResource). */
  aadResourceId: string;
  keyVaultUri: string;
  keyVaultKeyName: string;
  keyVaultAppId: string;
  keyVaultClientSecret: string;
  /** The HMA app trusts subject name + issuer instead of a registered key: send x5c. */
  sendX5c?: boolean;
};

/** Where Entra and Key Vault are, and the injected seams. The lab overrides hosts and trust. */
export type EntraEnvironment = {
  cloud: Cloud;
  clock: Clock;
  random: Random;
  log?: AuthLog;
  /** Full https origin of an authority to use instead of the cloud's (the lab). */
  authorityOrigin?: string;
  trustedCaPems?: string[];
  certificateRefreshMs?: number;
  timeoutMs?: number;
};

export function entraOptionsFor(env: EntraEnvironment) {
  return {
    authorityHost: env.authorityOrigin ?? env.cloud.authorityHost,
    knownAuthority: env.authorityOrigin !== undefined,
    clock: env.clock,
    random: env.random,
    ...(env.log === undefined ? {} : { log: env.log }),
    ...(env.trustedCaPems === undefined ? {} : { trustedCaPems: env.trustedCaPems }),
    ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
  };
}

/** A Key Vault client whose tokens come from the Key Vault app's client secret. */
export function keyVaultClientFor(
  vault: { vaultUri: string; appId: string; clientSecret: string },
  env: EntraEnvironment,
): { client: KeyVaultClient; close(): Promise<void> } {
  const tokenSources = new Map<string, EntraTokenSource>();
  const client = new KeyVaultClient({
    vaultUri: vault.vaultUri,
    appId: vault.appId,
    tokenSourceFor: (tenantId, scope) => {
      const key = `${tenantId.toLowerCase()} ${scope}`;
      let source = tokenSources.get(key);
      if (source === undefined) {
        source = new EntraTokenSource({ ...entraOptionsFor(env), tenantId, clientId: vault.appId, scope, credential: { kind: 'secret', secret: vault.clientSecret }, purpose: 'keyvault' });
        tokenSources.set(key, source);
      }
      return source;
    },
    allowedAuthorityHosts: env.authorityOrigin !== undefined ? [new URL(env.authorityOrigin).host] : [env.cloud.authorityHost, ...env.cloud.authorityAliases],
    vaultResource: env.cloud.keyVaultScope.replace(/\/\.default$/, ''),
    ...(env.trustedCaPems === undefined ? {} : { trustedCaPems: env.trustedCaPems }),
    ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
    ...(env.log === undefined ? {} : { log: env.log }),
  });
  return {
    client,
    close: async () => {
      await client.close();
      await Promise.all([...tokenSources.values()].map((s) => s.close()));
    },
  };
}

export class HmaTokenSource implements TokenSource {
  readonly certificates: KeyVaultCertificateSource;
  readonly #tokens: EntraTokenSource;
  readonly #vault: { close(): Promise<void> };

  constructor(settings: HmaAuthSettings, env: EntraEnvironment) {
    const vault = keyVaultClientFor({ vaultUri: settings.keyVaultUri, appId: settings.keyVaultAppId, clientSecret: settings.keyVaultClientSecret }, env);
    this.#vault = vault;
    this.certificates = new KeyVaultCertificateSource({
      client: vault.client,
      name: settings.keyVaultKeyName,
      clock: env.clock,
      ...(env.certificateRefreshMs === undefined ? {} : { refreshIntervalMs: env.certificateRefreshMs }),
      ...(settings.sendX5c === undefined ? {} : { sendX5c: settings.sendX5c }),
      ...(env.log === undefined ? {} : { log: env.log }),
    });
    this.#tokens = new EntraTokenSource({
      ...entraOptionsFor(env),
      tenantId: settings.tenantId,
      clientId: settings.hmaAppId,
      scope: hmaScope(settings.aadResourceId),
      credential: this.certificates,
      purpose: 'hma',
    });
  }

  getToken(options?: { forceRefresh?: boolean }): Promise<AccessToken> {
    return this.#tokens.getToken(options);
  }

  /** The certificate in use, for diagnostics (checkCertificate) and the readiness check. */
  currentCertificate(): Promise<LoadedCertificate> {
    return this.certificates.current();
  }

  async close(): Promise<void> {
    await this.#tokens.close();
    await this.#vault.close();
  }
}
