import type { Clock } from '../../clock.ts';
import { isAppError } from '../../errors.ts';
import type { LoadedCertificate } from '../certificate/load-certificate.ts';
import type { AuthLog } from '../entra/auth-log.ts';
import type { CertificateCredential } from '../entra/entra-token-source.ts';
import type { KeyVaultClient } from './key-vault-client.ts';

/**
 * The signing certificate of an app kept in Key Vault, so rotating it there needs no restart:
 * re-read on a schedule (default hourly), and at once when Entra rejects the key (reload()).
 * While Key Vault is unreachable the certificate already read keeps being used: an outage of the
 * vault must not stop token requests that would succeed.
 */
export class KeyVaultCertificateSource implements CertificateCredential {
  readonly kind = 'certificate' as const;
  readonly sendX5c: boolean;
  readonly #client: KeyVaultClient;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #refreshIntervalMs: number;
  readonly #log: AuthLog | undefined;
  #cached: { certificate: LoadedCertificate; version: string; readAt: number } | undefined;
  #pending: Promise<LoadedCertificate> | undefined;

  constructor(options: { client: KeyVaultClient; name: string; clock: Clock; refreshIntervalMs?: number; sendX5c?: boolean; log?: AuthLog }) {
    this.#client = options.client;
    this.#name = options.name;
    this.#clock = options.clock;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 3_600_000;
    this.sendX5c = options.sendX5c ?? false;
    this.#log = options.log;
  }

  current(): Promise<LoadedCertificate> {
    const cached = this.#cached;
    if (cached !== undefined && this.#clock.now() - cached.readAt < this.#refreshIntervalMs) return Promise.resolve(cached.certificate);
    return this.#read(false);
  }

  async reload(): Promise<boolean> {
    const before = this.#cached?.certificate.thumbprintSha256;
    const certificate = await this.#read(true);
    return certificate.thumbprintSha256 !== before;
  }

  /** The Key Vault version in use (for diagnostics). */
  get version(): string | undefined {
    return this.#cached?.version;
  }

  #read(strict: boolean): Promise<LoadedCertificate> {
    this.#pending ??= this.#fetch(strict).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(strict: boolean): Promise<LoadedCertificate> {
    try {
      const read = await this.#client.getCertificate(this.#name);
      if (this.#cached !== undefined && this.#cached.version !== read.version) {
        this.#log?.info({ event: 'keyvault.certificate_rotated', name: this.#name, from: this.#cached.version, to: read.version, thumbprint: read.certificate.thumbprintSha1 }, 'new certificate version picked up from Key Vault');
      }
      this.#cached = { certificate: read.certificate, version: read.version, readAt: this.#clock.now() };
      return read.certificate;
    } catch (error) {
      const cached = this.#cached;
      const transient = isAppError(error) && (error.kind === 'transient' || error.kind === 'throttled');
      if (!strict && transient && cached !== undefined) {
        this.#log?.warn({ event: 'keyvault.refresh_failed', name: this.#name, code: (error as { code?: string }).code }, 'Key Vault unavailable; keeping the certificate already read');
        return cached.certificate;
      }
      throw error;
    }
  }
}
