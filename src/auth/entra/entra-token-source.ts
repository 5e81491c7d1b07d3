import { ConfidentialClientApplication, LogLevel, ProtocolMode, type Configuration } from '@azure/msal-node';
import type { Clock, Random } from '../../clock.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { AccessToken, TokenSource } from '../token-source.ts';
import { assertCertificateUsable } from '../certificate/check-certificate.ts';
import type { LoadedCertificate } from '../certificate/load-certificate.ts';
import { createClientAssertion } from './client-assertion.ts';
import { mapEntraError, type EntraErrorContext } from './map-entra-error.ts';
import { UndiciNetworkClient, type HttpExchange } from './undici-network-client.ts';
import type { AuthLog } from './auth-log.ts';

/**
 * App-only (client credentials) tokens from Microsoft Entra ID through msal-node's
 * ConfidentialClientApplication, with either a client secret (the Key Vault app) or a certificate
 * (the HMA app, the Exchange Online app).
 *
 * Caching: tokens are kept until `refreshMarginMs` before they expire, by the injected clock. msal's
 * own cache runs on the wall clock and cannot be frozen in tests, so we ask msal for a fresh token
 * (skipCache) whenever our cache says so; msal still does the protocol, metadata and error parsing.
 * After a failed request the msal application is dropped: its throttling memory runs on the wall
 * clock too, and the caller already gets the server's Retry-After in the AppError.
 */
export type CertificateCredential = {
  kind: 'certificate';
  /** The certificate to sign with now (from the profile, or Key Vault's current version). */
  current(): Promise<LoadedCertificate>;
  /** Send x5c: needed when the app trusts subject name + issuer rather than a registered key. */
  sendX5c?: boolean;
  /**
   * Entra said the signing key is unknown or expired (AADSTS700027): fetch the certificate again.
   * Resolves true when a different certificate is now current, so one retry makes sense.
   */
  reload?(): Promise<boolean>;
};

export type EntraCredential = { kind: 'secret'; secret: string } | CertificateCredential;

export type EntraTokenSourceOptions = {
  /** Authority host with optional port ('login.microsoftonline.com'), or a full https origin for the lab. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  scope: string;
  credential: EntraCredential;
  purpose: EntraErrorContext['purpose'];
  clock: Clock;
  random: Random;
  log?: AuthLog;
  /** Trust these CAs besides the public roots (the lab CA). */
  trustedCaPems?: string[];
  /** The authority is not a Microsoft host msal knows (the lab, a test server): skip instance discovery. */
  knownAuthority?: boolean;
  /**
   * A standards OpenID provider instead of Entra: `authorityHost` is then the issuer URL itself (no
   * tenant path) and msal reads /.well-known/openid-configuration. Used to prove our assertions
   * against an independent server; profiles always talk to Entra.
   */
  genericOidc?: boolean;
  refreshMarginMs?: number;
  timeoutMs?: number;
};

const DEFAULT_MARGIN_MS = 5 * 60_000;

export class EntraTokenSource implements TokenSource {
  readonly #options: EntraTokenSourceOptions;
  readonly #authority: string;
  readonly #network: UndiciNetworkClient;
  #app: ConfidentialClientApplication | undefined;
  #cached: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;
  #lastExchange: HttpExchange | undefined;
  #lastTokenExchange: HttpExchange | undefined;
  #signing: LoadedCertificate | undefined;
  readonly #warnedAt = new Map<string, number>();

  constructor(options: EntraTokenSourceOptions) {
    this.#options = options;
    const origin = /^https:\/\//i.test(options.authorityHost) ? options.authorityHost.replace(/\/+$/, '') : `https://${options.authorityHost}`;
    this.#authority = options.genericOidc ? origin : `${origin}/${encodeURIComponent(options.tenantId)}`;
    this.#network = new UndiciNetworkClient({
      ...(options.trustedCaPems === undefined ? {} : { trustedCaPems: options.trustedCaPems }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onExchange: (exchange) => {
        this.#lastExchange = exchange;
        if (exchange.method === 'POST') this.#lastTokenExchange = exchange;
      },
    });
  }

  getToken(options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const cached = this.#cached;
    const margin = this.#options.refreshMarginMs ?? DEFAULT_MARGIN_MS;
    if (!options.forceRefresh && cached !== undefined && this.#options.clock.now() < cached.expiresAt - margin) {
      return Promise.resolve(cached);
    }
    if (options.forceRefresh) this.#cached = undefined;
    // One request at a time per source: concurrent callers share it (and the recorded exchange stays theirs).
    this.#pending ??= this.#acquire().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Drops the cached token (the resource rejected it, or the credential changed). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async close(): Promise<void> {
    await this.#network.close();
  }

  /**
   * A certificate near its end (30 days, check-certificate.ts) still signs, but the administrator
   * must register and roll out its successor: say so in the log, once a day per certificate.
   */
  #warnOnce(warnings: string[], thumbprint: string, subject: string): void {
    if (warnings.length === 0) return;
    const now = this.#options.clock.now();
    const last = this.#warnedAt.get(thumbprint);
    if (last !== undefined && now - last < 86_400_000) return;
    this.#warnedAt.set(thumbprint, now);
    this.#options.log?.warn({ event: 'entra.certificate_expiring', clientId: this.#options.clientId, thumbprint, subject, warnings }, `certificate ${thumbprint} of app ${this.#options.clientId} needs attention: ${warnings.join(' ')}`);
  }

  async #acquire(): Promise<AccessToken> {
    try {
      return await this.#request();
    } catch (error) {
      const credential = this.#options.credential;
      // Entra rejected the key, or the certificate in hand expired: a newer version may be waiting.
      const stale = isAppError(error, 'entra_certificate_rejected') || isAppError(error, 'certificate_unusable');
      if (stale && credential.kind === 'certificate' && credential.reload) {
        this.#options.log?.warn({ event: 'entra.certificate_stale', code: (error as AppError).code, clientId: this.#options.clientId, thumbprint: this.#signing?.thumbprintSha1 }, 'certificate rejected or unusable; reading it again');
        if (await credential.reload()) return this.#request();
      }
      throw error;
    }
  }

  async #request(): Promise<AccessToken> {
    const { clock, clientId, scope, log } = this.#options;
    const credential = this.#options.credential;
    if (credential.kind === 'certificate') {
      const certificate = await credential.current();
      const check = assertCertificateUsable(certificate, { clock });
      this.#warnOnce(check.checks.filter((c) => c.status === 'warn').map((c) => c.message), certificate.thumbprintSha1, check.subject);
      this.#signing = certificate;
    }
    this.#lastExchange = undefined;
    this.#lastTokenExchange = undefined;
    const startedAt = clock.now();
    try {
      const app = (this.#app ??= this.#buildApp());
      const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
      if (result === null || !result.accessToken) {
        throw new AppError('entra_empty_response', 'Microsoft Entra ID returned no access token.', { kind: 'transient' });
      }
      // Set by the network client during the call; TypeScript cannot see that through the await.
      const expiresIn = (this.#lastTokenExchange as HttpExchange | undefined)?.expiresIn;
      const lifetimeMs = expiresIn !== undefined && Number.isFinite(expiresIn) ? expiresIn * 1000 : 3_600_000;
      const token: AccessToken = { token: result.accessToken, expiresAt: startedAt + lifetimeMs };
      this.#cached = token;
      log?.info({ event: 'entra.token_acquired', clientId, scope, expiresAt: new Date(token.expiresAt).toISOString(), thumbprint: this.#signing?.thumbprintSha1 }, 'access token acquired');
      return token;
    } catch (error) {
      this.#app = undefined;
      if (error instanceof AppError) throw error;
      const mapped = mapEntraError(this.#lastTokenExchange ?? this.#lastExchange, error, this.#context());
      log?.warn({ event: 'entra.token_failed', clientId, scope, code: mapped.code, kind: mapped.kind, providerCode: mapped.providerCode }, mapped.message);
      throw mapped;
    }
  }

  #context(): EntraErrorContext {
    const { clientId, tenantId, scope, purpose } = this.#options;
    return { clientId, tenantId, scope, purpose };
  }

  #buildApp(): ConfidentialClientApplication {
    const { clientId, credential, clock, random, log } = this.#options;
    const auth: Configuration['auth'] = { clientId, authority: this.#authority };
    if (this.#options.knownAuthority) auth.knownAuthorities = [new URL(this.#authority).host];
    if (credential.kind === 'secret') {
      auth.clientSecret = credential.secret;
    } else {
      auth.clientAssertion = async ({ tokenEndpoint }) => {
        const certificate = this.#signing;
        if (certificate === undefined) throw new Error('no signing certificate loaded');
        return createClientAssertion({
          clientId,
          audience: tokenEndpoint ?? `${this.#authority}/oauth2/v2.0/token`,
          certificate,
          includeX5c: credential.sendX5c ?? false,
          clock,
          random,
        });
      };
    }
    return new ConfidentialClientApplication({
      auth,
      system: {
        ...(this.#options.genericOidc ? { protocolMode: ProtocolMode.OIDC } : {}),
        networkClient: this.#network,
        // Retries belong to the sync policy, which sees our classified error and Retry-After.
        disableInternalRetries: true,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) log?.debug({ event: 'msal' }, scrubTokens(message));
          },
        },
      },
    });
  }
}

/** msal never logs credentials with PII logging off; this is a second lock in case a JWT slips into a message. */
function scrubTokens(text: string): string {
  return text.replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, '[redacted-jwt]');
}
