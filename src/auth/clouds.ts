import { AppError } from '../errors.ts';

/**
 * The Microsoft cloud instances a profile can live in. Each is a separate world: an app registered
 * in one cannot get tokens from another, and a token for one cloud's Graph is not valid in another's.
 *
 * Hosts checked against Microsoft's national-cloud pages:
 * - Entra authority hosts: "Microsoft Entra authentication endpoints",
 *   https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 *   (global login.microsoftonline.com, US Government login.microsoftonline.us,
 *   21Vianet login.partner.microsoftonline.cn). The newer Graph page also lists login.chinacloudapi.cn
 *   for 21Vianet; both names serve the same authority, we keep the one the Entra page names.
 * - Graph roots: "Microsoft Graph national cloud deployments", https://learn.microsoft.com/graph/deployments
 *   (graph.microsoft.com; graph.microsoft.us for US Gov L4 / GCC High; dod-graph.microsoft.us for L5 / DoD;
 *   microsoftgraph.chinacloudapi.cn for 21Vianet). GCC (moderate) tenants use the global endpoints.
 * - Key Vault DNS suffixes: "Azure Key Vault keys, secrets and certificates overview", section
 *   "DNS suffixes for base URL", https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
 *   (.vault.azure.net, .vault.usgovcloudapi.net, .vault.azure.cn). The token resource is the suffix as
 *   an https URL (https://vault.azure.net, ...), which is also what the vault's 401 challenge names.
 */
export type CloudName = 'global' | 'us-government' | 'us-government-dod' | 'china';

export type Cloud = {
  name: CloudName;
  label: string;
  /** Entra authority host, without scheme. */
  authorityHost: string;
  /**
   * Other names of the same authority. Key Vault's 401 challenge names one of these (often the
   * older login.windows.net); we accept the challenge only when it points into the profile's cloud.
   */
  authorityAliases: string[];
  /** Microsoft Graph root, with scheme, no trailing slash. */
  graphEndpoint: string;
  /** App-only scope for Graph in this cloud. */
  graphScope: string;
  /** DNS suffix of vault URIs, starting with a dot. */
  keyVaultDnsSuffix: string;
  /** App-only scope for Key Vault in this cloud. */
  keyVaultScope: string;
};

export const clouds: Readonly<Record<CloudName, Cloud>> = {
  global: {
    name: 'global',
    label: 'Global (including GCC)',
    authorityHost: 'login.microsoftonline.com',
    authorityAliases: ['login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    graphEndpoint: 'https://graph.microsoft.com',
    graphScope: 'https://graph.microsoft.com/.default',
    keyVaultDnsSuffix: '.vault.azure.net',
    keyVaultScope: 'https://vault.azure.net/.default',
  },
  'us-government': {
    name: 'us-government',
    label: 'US Government L4 (GCC High)',
    authorityHost: 'login.microsoftonline.us',
    authorityAliases: ['login.usgovcloudapi.net'],
    graphEndpoint: 'https://graph.microsoft.us',
    graphScope: 'https://graph.microsoft.us/.default',
    keyVaultDnsSuffix: '.vault.usgovcloudapi.net',
    keyVaultScope: 'https://vault.usgovcloudapi.net/.default',
  },
  'us-government-dod': {
    name: 'us-government-dod',
    label: 'US Government L5 (DoD)',
    authorityHost: 'login.microsoftonline.us',
    authorityAliases: ['login.usgovcloudapi.net'],
    graphEndpoint: 'https://dod-graph.microsoft.us',
    graphScope: 'https://dod-graph.microsoft.us/.default',
    keyVaultDnsSuffix: '.vault.usgovcloudapi.net',
    keyVaultScope: 'https://vault.usgovcloudapi.net/.default',
  },
  china: {
    name: 'china',
    label: 'China (operated by 21Vianet)',
    authorityHost: 'login.partner.microsoftonline.cn',
    authorityAliases: ['login.chinacloudapi.cn'],
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    keyVaultDnsSuffix: '.vault.azure.cn',
    keyVaultScope: 'https://vault.azure.cn/.default',
  },
};

export function cloudByName(name: string): Cloud {
  const cloud = (clouds as Record<string, Cloud | undefined>)[name];
  if (cloud === undefined) {
    throw new AppError('unknown_cloud', `Unknown cloud "${name}"; use one of ${Object.keys(clouds).join(', ')}.`, {
      kind: 'invalid-input',
      status: 400,
    });
  }
  return cloud;
}

/**
 * The cloud a Key Vault URI belongs to, from its DNS suffix; undefined for hosts of no known cloud
 * (the lab's vault on 127.0.0.1, for one), where the vault's 401 challenge alone names the resource.
 */
export function cloudOfVault(vaultUri: string): Cloud | undefined {
  const host = new URL(vaultUri).hostname.toLowerCase();
  return Object.values(clouds).find((cloud) => host.endsWith(cloud.keyVaultDnsSuffix));
}
