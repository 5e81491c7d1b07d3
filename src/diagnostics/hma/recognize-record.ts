import { asText } from './powershell-values.ts';
import type { CmdletKind, RawRecord } from './types.ts';

export const vdirKinds = ['mapi', 'ews', 'oab', 'autodiscover', 'eas', 'owa', 'ecp'] as const;
export type VdirKind = (typeof vdirKinds)[number];

export function isVdirKind(kind: CmdletKind): kind is VdirKind {
  return (vdirKinds as readonly string[]).includes(kind);
}

/** How an administrator names each virtual directory. */
export const vdirTitle: Record<VdirKind, string> = { mapi: 'MAPI/HTTP', ews: 'EWS', oab: 'OAB', autodiscover: 'Autodiscover', eas: 'ActiveSync', owa: 'OWA', ecp: 'ECP' };

/** The cmdlet each kind is read from, as the seed names it. */
export const cmdletOf: Record<CmdletKind, string> = {
  mapi: 'Get-MapiVirtualDirectory',
  ews: 'Get-WebServicesVirtualDirectory',
  oab: 'Get-OABVirtualDirectory',
  autodiscover: 'Get-AutodiscoverVirtualDirectory',
  eas: 'Get-ActiveSyncVirtualDirectory',
  owa: 'Get-OwaVirtualDirectory',
  ecp: 'Get-EcpVirtualDirectory',
  'client-access-service': 'Get-ClientAccessService',
  'auth-server': 'Get-AuthServer',
  'organization-config': 'Get-OrganizationConfig',
  'exchange-server': 'Get-ExchangeServer',
  'exsetup-version': 'Get-Command ExSetup.exe',
  'exchange-certificate': 'Get-ExchangeCertificate',
  'auth-config': 'Get-AuthConfig',
  'accepted-domain': 'Get-AcceptedDomain',
  'service-principal': 'Get-MgServicePrincipal',
};

const commandHints: [RegExp, CmdletKind][] = [
  [/Get-ExchangeCertificate/i, 'exchange-certificate'],
  [/ExSetup/i, 'exsetup-version'],
  [/Get-MgServicePrincipal|Get-AzureADServicePrincipal|Get-MsolServicePrincipal/i, 'service-principal'],
  [/Get-MapiVirtualDirectory/i, 'mapi'],
  [/Get-WebServicesVirtualDirectory/i, 'ews'],
  [/Get-OABVirtualDirectory/i, 'oab'],
  [/Get-AutodiscoverVirtualDirectory/i, 'autodiscover'],
  [/Get-ActiveSyncVirtualDirectory/i, 'eas'],
  [/Get-OwaVirtualDirectory/i, 'owa'],
  [/Get-EcpVirtualDirectory/i, 'ecp'],
  [/Get-ClientAccessServ(?:ice|er)/i, 'client-access-service'],
  [/Get-AuthServer/i, 'auth-server'],
  [/Get-OrganizationConfig/i, 'organization-config'],
  [/Get-ExchangeServer/i, 'exchange-server'],
  [/Get-AuthConfig/i, 'auth-config'],
  [/Get-AcceptedDomain/i, 'accepted-domain'],
];

export function kindFromCommand(command: string | undefined): CmdletKind | undefined {
  if (!command) return undefined;
  let best: { at: number; kind: CmdletKind } | undefined;
  for (const [re, kind] of commandHints) {
    const m = re.exec(command);
    // The first cmdlet on the line printed the output; Get-AuthConfig inside
    // `Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint` did not.
    if (m && (best === undefined || m.index < best.at)) best = { at: m.index, kind };
  }
  return best?.kind;
}

/** Virtual directory names as Exchange creates them ("mapi (Default Web Site)"). */
const vdirNames: [RegExp, VdirKind][] = [
  [/^mapi\b/i, 'mapi'],
  [/^ews\b/i, 'ews'],
  [/^oab\b/i, 'oab'],
  [/^autodiscover\b/i, 'autodiscover'],
  [/^microsoft-server-activesync\b/i, 'eas'],
  [/^owa\b/i, 'owa'],
  [/^ecp\b/i, 'ecp'],
];

const urlPaths: [RegExp, VdirKind][] = [
  [/^\/mapi\b/i, 'mapi'],
  [/^\/ews\//i, 'ews'],
  [/^\/oab\b/i, 'oab'],
  [/^\/autodiscover\b/i, 'autodiscover'],
  [/^\/microsoft-server-activesync\b/i, 'eas'],
  [/^\/owa\b/i, 'owa'],
  [/^\/ecp\b/i, 'ecp'],
];

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

const keyFieldsOf: Record<CmdletKind, string> = {
  mapi: 'Server, *Url, *AuthenticationMethods',
  ews: 'Server, *Url, OAuthAuthentication',
  oab: 'Server, *Url, OAuthAuthentication',
  autodiscover: 'Server, OAuthAuthentication',
  eas: 'Server, *Url, *AuthenticationMethods',
  owa: 'Server, Name, *Url, *Authentication',
  ecp: 'Server, Name, *Url, *Authentication',
  'client-access-service': 'AutodiscoverServiceInternalUri',
  'auth-server': 'Name, Enabled, IsDefaultAuthorizationEndpoint',
  'organization-config': 'OAuth2ClientProfileEnabled',
  'exchange-server': 'Name, AdminDisplayVersion',
  'exsetup-version': 'PSComputerName, FileVersion',
  'exchange-certificate': 'Thumbprint, NotAfter',
  'auth-config': 'CurrentCertificateThumbprint',
  'accepted-domain': 'DomainName, DomainType',
  'service-principal': 'ServicePrincipalNames or ReplyUrls',
};

export type Recognition = { kind: CmdletKind; by: 'fields' | 'command' | 'name' | 'url' } | { ambiguous: string };

/**
 * Says which cmdlet printed a record. Properties only one cmdlet has decide first, so output
 * pasted under the wrong command line is still read right; then the pasted command line; then
 * the virtual directory's name and URL path.
 */
export function recognizeRecord(record: RawRecord): Recognition {
  const has = (k: string) => record.fields.has(k);
  const text = (k: string) => asText(record.fields.get(k)?.value);
  const hint = kindFromCommand(record.command);

  if (has('_items')) {
    if (hint === 'service-principal') return { kind: 'service-principal', by: 'command' };
    return { kind: 'service-principal', by: 'fields' };
  }
  if (has('autodiscoverserviceinternaluri')) return { kind: 'client-access-service', by: 'fields' };
  if (has('oauth2clientprofileenabled')) return { kind: 'organization-config', by: 'fields' };
  if (has('admindisplayversion')) return { kind: 'exchange-server', by: 'fields' };
  if (has('currentcertificatethumbprint')) return { kind: 'auth-config', by: 'fields' };
  if (has('serviceprincipalnames') || has('replyurls')) return { kind: 'service-principal', by: 'fields' };
  if (has('isdefaultauthorizationendpoint') || has('authmetadataurl') || has('tokenissuingendpoint')) return { kind: 'auth-server', by: 'fields' };
  if (has('thumbprint') && (has('notafter') || has('services') || has('subject'))) return { kind: 'exchange-certificate', by: 'fields' };
  if (has('fileversion') || has('productversion')) return { kind: 'exsetup-version', by: 'fields' };
  if (has('domaintype') && has('domainname')) return { kind: 'accepted-domain', by: 'fields' };

  const name = text('name') ?? text('identity')?.split('\\').pop();
  if (name && /^(EvoSts|ACS)\b/i.test(name) && has('enabled') && !has('server')) return { kind: 'auth-server', by: 'name' };
  if (hint === 'auth-server' && (has('name') || has('identity')) && !has('server')) return { kind: 'auth-server', by: 'command' };
  if (hint && !isVdirKind(hint)) {
    // Every other cmdlet was recognized above by its own properties; output under its command line
    // without them is something else (or the wrong Select/Format-List properties).
    return { ambiguous: `the output under "${record.command ?? ''}" has none of the properties that command prints for this check (${keyFieldsOf[hint]})` };
  }

  const looksLikeVdir = has('server') || has('identity') || has('internalurl') || has('externalurl') || has('oauthauthentication');
  if (!looksLikeVdir) {
    return { ambiguous: `a record with the properties ${[...record.fields.values()].map((f) => f.name).join(', ')} matches none of the cmdlets the HMA check reads` };
  }
  if (hint && isVdirKind(hint)) return { kind: hint, by: 'command' };
  if (name) for (const [re, kind] of vdirNames) if (re.test(name)) return { kind, by: 'name' };
  for (const key of ['internalurl', 'externalurl']) {
    const path = pathOf(text(key));
    if (path) for (const [re, kind] of urlPaths) if (re.test(path)) return { kind, by: 'url' };
  }
  if (has('iisauthenticationmethods')) return { kind: 'mapi', by: 'fields' };
  if (has('internalnlbbypassurl') || has('mrsproxyenabled')) return { kind: 'ews', by: 'fields' };
  if (has('basicauthenabled') || has('windowsauthenabled') || has('clientcertauth') || has('activesyncserver')) return { kind: 'eas', by: 'fields' };
  // `Get-AutodiscoverVirtualDirectory | fl server,*oauth*` (the seed's command) prints only these two.
  const names = [...record.fields.keys()];
  if (names.every((k) => k === 'server' || k === 'oauthauthentication' || k === 'internalurl' || k === 'externalurl') && has('oauthauthentication') && !text('internalurl') && !text('externalurl')) {
    return { kind: 'autodiscover', by: 'fields' };
  }
  return { ambiguous: 'a virtual directory record whose kind cannot be told from its properties; paste the command line (e.g. "Get-OABVirtualDirectory | fl server,*url*,*oauth*") above it, or include the Name property' };
}
