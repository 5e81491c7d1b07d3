/**
 * Where a Bearer transport gets its access tokens. Implemented by auth/entra (msal-node, with
 * certificates from the profile or Key Vault); consumed by the EWS transport (HMA) and the Graph client.
 */
export type AccessToken = {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
};

export interface TokenSource {
  /** A token valid for a while yet; `forceRefresh` after the resource answered 401 with this token. */
  getToken(options?: { forceRefresh?: boolean }): Promise<AccessToken>;
}
