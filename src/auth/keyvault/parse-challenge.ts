/**
 * Reads Key Vault's 401 challenge: `WWW-Authenticate: Bearer authorization="<authority>/<tenant>",
 * resource="https://vault.azure.net"` (newer vaults may send `scope="…/.default"` instead of or beside
 * resource). Parameter names are case-insensitive; values may be quoted or bare.
 * @see https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
 */
export type BearerChallenge = { authorization?: string; resource?: string; scope?: string };

export function parseBearerChallenge(header: string | undefined): BearerChallenge | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Bearer\s+(.*)$/is.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const pair of match[1]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g)) {
    params[pair[1]!.toLowerCase()] = (pair[2] ?? pair[3] ?? '').trim();
  }
  const challenge: BearerChallenge = {};
  const authorization = params['authorization'] ?? params['authorization_uri'];
  if (authorization) challenge.authorization = authorization;
  if (params['resource']) challenge.resource = params['resource'];
  if (params['scope']) challenge.scope = params['scope'];
  return challenge;
}
