import { AppError } from '../../errors.ts';
import { loadCertificate, type CertificateInput, type LoadedCertificate } from '../certificate/load-certificate.ts';
import type { AccessToken, TokenSource } from '../token-source.ts';
import { KeyVaultCertificateSource } from '../keyvault/key-vault-certificate-source.ts';
import { EntraTokenSource, type CertificateCredential } from './entra-token-source.ts';
import { entraOptionsFor, keyVaultClientFor, type EntraEnvironment } from './hma-token-source.ts';

/**
 * Exchange Online app-only over Microsoft Graph: the app (id + certificate) gets a token for the
 * cloud's Graph (`https://graph.microsoft.com/.default` in the global cloud) in the Exchange Online
 * tenant: the profile's own tenant id, or the organization's default one when "Use Default Tenant ID"
 * is set. The certificate comes from the profile (PEM or PFX) or from Key Vault as for HMA.
 */
export type ExchangeOnlineAuthSettings = {
  tenantId?: string;
  useDefaultTenantId?: boolean;
  appId: string;
  certificate:
    | { source: 'profile'; input: CertificateInput }
    | { source: 'keyvault'; vaultUri: string; keyName: string; appId: string; clientSecret: string };
  sendX5c?: boolean;
};

export class ExchangeOnlineTokenSource implements TokenSource {
  readonly tenantId: string;
  readonly #tokens: EntraTokenSource;
  readonly #closeVault: (() => Promise<void>) | undefined;
  readonly #credential: CertificateCredential;

  /** `defaultTenantId`: the org's Exchange Online tenant id (org email settings), for useDefaultTenantId. */
  constructor(settings: ExchangeOnlineAuthSettings, env: EntraEnvironment, defaultTenantId?: string) {
    const tenantId = settings.useDefaultTenantId || !settings.tenantId ? defaultTenantId : settings.tenantId;
    if (!tenantId) {
      throw new AppError('exo_tenant_missing', settings.useDefaultTenantId
        ? 'The profile uses the default tenant id, but the organization has none set. Set the Exchange Online tenant id in the org settings or on the profile.'
        : 'The profile has no Exchange Online tenant id.', { kind: 'invalid-input', status: 400 });
    }
    this.tenantId = tenantId;
    if (settings.certificate.source === 'profile') {
      const loaded = loadCertificate(settings.certificate.input);
      this.#credential = { kind: 'certificate', current: () => Promise.resolve(loaded), sendX5c: settings.sendX5c ?? false };
      this.#closeVault = undefined;
    } else {
      const { vaultUri, keyName, appId, clientSecret } = settings.certificate;
      const vault = keyVaultClientFor({ vaultUri, appId, clientSecret }, env);
      this.#closeVault = vault.close;
      this.#credential = new KeyVaultCertificateSource({
        client: vault.client,
        name: keyName,
        clock: env.clock,
        ...(env.certificateRefreshMs === undefined ? {} : { refreshIntervalMs: env.certificateRefreshMs }),
        ...(settings.sendX5c === undefined ? {} : { sendX5c: settings.sendX5c }),
        ...(env.log === undefined ? {} : { log: env.log }),
      });
    }
    this.#tokens = new EntraTokenSource({
      ...entraOptionsFor(env),
      tenantId,
      clientId: settings.appId,
      scope: env.cloud.graphScope,
      credential: this.#credential,
      purpose: 'graph',
    });
  }

  getToken(options?: { forceRefresh?: boolean }): Promise<AccessToken> {
    return this.#tokens.getToken(options);
  }

  currentCertificate(): Promise<LoadedCertificate> {
    return this.#credential.current();
  }

  async close(): Promise<void> {
    await this.#tokens.close();
    await this.#closeVault?.();
  }
}
