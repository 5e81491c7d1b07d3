import { request, type Dispatcher } from 'undici';
import { AppError } from '../../errors.ts';
import { loadCertificate, type LoadedCertificate } from '../certificate/load-certificate.ts';
import type { TokenSource } from '../token-source.ts';
import { createTrustingAgent } from '../entra/undici-network-client.ts';
import type { AuthLog } from '../entra/auth-log.ts';
import { parseBearerChallenge, type BearerChallenge } from './parse-challenge.ts';
import { mapKeyVaultError, type KeyVaultErrorContext } from './map-key-vault-error.ts';

/**
 * Reads a certificate with its private key from Azure Key Vault over REST: GET /certificates/{name}
 * gives the certificate bundle (whose `sid` names the secret version), GET {sid} gives the secret that
 * holds certificate and key, as PEM (application/x-pem-file) or base64 PFX (application/x-pkcs12).
 * The first request goes without a token; the vault's 401 challenge names the tenant (the vault's,
 * which may differ from the Exchange tenant) and the resource to get a token for.
 * @see https://learn.microsoft.com/azure/key-vault/certificates/about-certificates
 * @see https://learn.microsoft.com/rest/api/keyvault/certificates/get-certificate/get-certificate
 */
export type KeyVaultCertificate = {
  name: string;
  version: string;
  certificate: LoadedCertificate;
  contentType: string;
};

export type KeyVaultClientOptions = {
  vaultUri: string;
  /** The Key Vault application id, for messages. */
  appId: string;
  /** Token for the vault: called with the tenant and scope the challenge named. */
  tokenSourceFor(tenantId: string, scope: string): TokenSource;
  /**
   * Authority hosts a challenge may point to (the profile's cloud and its aliases; the lab's host).
   * The client secret only ever goes to the configured authority; a challenge elsewhere is refused.
   */
  allowedAuthorityHosts: string[];
  /** The vault resource of the profile's cloud (https://vault.azure.net); challenges for others are refused. */
  vaultResource: string;
  trustedCaPems?: string[];
  apiVersion?: string;
  timeoutMs?: number;
  log?: AuthLog;
};

type Response = { status: number; headers: Record<string, string>; body: unknown };

export class KeyVaultClient {
  readonly #options: KeyVaultClientOptions;
  readonly #base: string;
  readonly #agent: Dispatcher;
  #challenge: { tenantId: string; scope: string } | undefined;

  constructor(options: KeyVaultClientOptions) {
    this.#options = options;
    this.#base = options.vaultUri.replace(/\/+$/, '');
    if (!/^https:\/\//i.test(this.#base)) {
      throw new AppError('keyvault_uri_invalid', `The Key Vault URI must start with https:// (got ${options.vaultUri}).`, { kind: 'invalid-input', status: 400 });
    }
    this.#agent = createTrustingAgent(options.trustedCaPems);
  }

  async getCertificate(name: string): Promise<KeyVaultCertificate> {
    const apiVersion = this.#options.apiVersion ?? '7.4';
    const bundle = await this.#get(`/certificates/${encodeURIComponent(name)}?api-version=${apiVersion}`, { object: 'certificate', name });
    const b = bundle as { sid?: unknown; attributes?: { enabled?: unknown }; policy?: { key_props?: { exportable?: unknown }; secret_props?: { contentType?: unknown } } };
    if (b.attributes?.enabled === false) {
      throw new AppError('keyvault_certificate_disabled', `The certificate "${name}" in Key Vault ${this.#base} is disabled. Enable its current version.`, { kind: 'auth', details: { vault: this.#base, name } });
    }
    if (b.policy?.key_props?.exportable === false) {
      throw new AppError('keyvault_key_not_exportable', `The certificate "${name}" in Key Vault ${this.#base} has a non-exportable key, so its private key cannot be read. Create it with an exportable key.`, { kind: 'auth', details: { vault: this.#base, name } });
    }
    if (typeof b.sid !== 'string') throw this.#malformed(name, 'the certificate bundle has no sid');
    const sid = new URL(b.sid);
    // The sid is absolute; only its path is used so a bundle can never send our token to another host.
    const secret = await this.#get(`${sid.pathname}?api-version=${apiVersion}`, { object: 'secret', name });
    const s = secret as { value?: unknown; contentType?: unknown; id?: unknown };
    if (typeof s.value !== 'string') throw this.#malformed(name, 'the secret has no value');
    const contentType = typeof s.contentType === 'string' ? s.contentType : typeof b.policy?.secret_props?.contentType === 'string' ? b.policy.secret_props.contentType : 'application/x-pkcs12';
    const certificate = contentType === 'application/x-pem-file'
      ? loadCertificate({ format: 'pem', pem: s.value })
      : loadCertificate({ format: 'pfx', pfx: Buffer.from(s.value, 'base64') });
    const version = sid.pathname.split('/').filter(Boolean)[2] ?? '';
    this.#options.log?.info({ event: 'keyvault.certificate_read', vault: this.#base, name, version, thumbprint: certificate.thumbprintSha1 }, 'certificate read from Key Vault');
    return { name, version, certificate, contentType };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #get(path: string, what: Pick<KeyVaultErrorContext, 'object' | 'name'>): Promise<unknown> {
    const context: KeyVaultErrorContext = { ...what, vault: this.#base, appId: this.#options.appId };
    let response = this.#challenge === undefined ? await this.#send(path, undefined, context) : undefined;
    if (response !== undefined && response.status !== 401) return this.#result(response, context);
    if (response !== undefined) this.#challenge = this.#readChallenge(response);
    const challenge = this.#challenge!;
    const tokens = this.#options.tokenSourceFor(challenge.tenantId, challenge.scope);
    response = await this.#send(path, (await tokens.getToken()).token, context);
    if (response.status === 401) {
      // A token the vault no longer accepts (revoked, other tenant): one fresh try, then it is the configuration.
      const fresh = this.#readChallenge(response);
      this.#challenge = fresh;
      response = await this.#send(path, (await this.#options.tokenSourceFor(fresh.tenantId, fresh.scope).getToken({ forceRefresh: true })).token, context);
    }
    return this.#result(response, context);
  }

  #result(response: Response, context: KeyVaultErrorContext): unknown {
    if (response.status >= 200 && response.status < 300) return response.body;
    throw mapKeyVaultError({ kind: 'http', status: response.status, body: response.body, ...(response.headers['retry-after'] === undefined ? {} : { retryAfter: response.headers['retry-after'] }) }, context);
  }

  #readChallenge(response: Response): { tenantId: string; scope: string } {
    const challenge: BearerChallenge | undefined = parseBearerChallenge(response.headers['www-authenticate']);
    if (!challenge?.authorization || (!challenge.resource && !challenge.scope)) {
      throw new AppError('keyvault_challenge_invalid', `Key Vault ${this.#base} answered 401 without a usable Bearer challenge.`, { kind: 'permanent', details: { vault: this.#base } });
    }
    let authority: URL;
    try {
      authority = new URL(challenge.authorization);
    } catch {
      throw new AppError('keyvault_challenge_invalid', `Key Vault ${this.#base} named an authority that is not a URL.`, { kind: 'permanent' });
    }
    const allowed = this.#options.allowedAuthorityHosts.map((h) => h.toLowerCase());
    if (authority.protocol !== 'https:' || !allowed.includes(authority.host.toLowerCase())) {
      throw new AppError('keyvault_challenge_untrusted', `Key Vault ${this.#base} asked for a token from ${authority.host}, which is not an authority of the profile's cloud; the request was not made.`, { kind: 'auth', details: { vault: this.#base, authority: authority.host } });
    }
    const tenantId = authority.pathname.split('/').filter(Boolean)[0];
    const resource = challenge.scope !== undefined ? challenge.scope.replace(/\/\.default$/, '') : challenge.resource!;
    const expected = this.#options.vaultResource.replace(/\/+$/, '').toLowerCase();
    if (tenantId === undefined || resource.replace(/\/+$/, '').toLowerCase() !== expected) {
      throw new AppError('keyvault_challenge_untrusted', `Key Vault ${this.#base} asked for a token for ${resource}, not for ${this.#options.vaultResource}; the request was not made.`, { kind: 'auth', details: { vault: this.#base, resource } });
    }
    return { tenantId, scope: `${resource.replace(/\/+$/, '')}/.default` };
  }

  async #send(path: string, token: string | undefined, context: KeyVaultErrorContext): Promise<Response> {
    const timeout = this.#options.timeoutMs ?? 30_000;
    try {
      const response = await request(`${this.#base}${path}`, {
        method: 'GET',
        dispatcher: this.#agent,
        headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await response.body.text();
      let body: unknown;
      try {
        body = text.length === 0 ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[key.toLowerCase()] = value;
      return { status: response.statusCode, headers, body };
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      throw mapKeyVaultError({ kind: 'network', code: err.code ?? err.name }, context);
    }
  }

  #malformed(name: string, reason: string): AppError {
    return new AppError('keyvault_response_invalid', `Key Vault ${this.#base} returned an unusable answer for "${name}": ${reason}.`, { kind: 'permanent' });
  }
}
