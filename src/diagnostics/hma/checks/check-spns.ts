import type { Fact } from '../inventory.ts';
import { vdirTitle, type VdirKind } from '../recognize-record.ts';
import type { HmaFinding, SourceRef } from '../types.ts';
import { exchangeAppId, psQuote, type CheckContext } from './check-context.ts';

/** The directories whose URLs must be SPNs (seed: "internal and external MAPI/HTTP, EWS, ActiveSync, OAB, and AutoDiscover"). */
const spnKinds: VdirKind[] = ['mapi', 'ews', 'eas', 'oab', 'autodiscover'];

/**
 * Entra ID finds the resource for a token request by the URL's scheme and host, not its path, so
 * one `https://mail.contoso.com/` SPN covers /mapi, /EWS/Exchange.asmx and /OAB alike; the seed's own
 * example adds host-only SPNs for path-bearing virtual directory URLs:
 * https://learn.microsoft.com/microsoft-365/enterprise/configure-exchange-server-for-hybrid-modern-authentication#add-on-premises-web-service-urls-as-spns-in-microsoft-entra-id
 */
export function spnKey(url: string): string | undefined {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return `https://${u.host.toLowerCase()}`;
  } catch {
    return undefined;
  }
}

type Wanted = { spn: string; refs: SourceRef[]; usedBy: string[] };

const acceptedDomainsCommand = 'Get-AcceptedDomain | fl DomainName,DomainType';

/**
 * The email domains whose https://autodiscover.<domain>/ Outlook asks a token for when it finds
 * Exchange from outside (the seed: the SPN list "should include an https://autodiscover.yourdomain.com
 * and https://mail.yourdomain.com URL"). Get-AcceptedDomain names them (authoritative and internal
 * relay; *.onmicrosoft.com is Exchange Online's own). Without it, the domain of each external URL
 * host is the best guess (mail.contoso.com -> contoso.com), and the finding says it was guessed.
 * With neither, the check says it cannot tell.
 */
function autodiscoverDomains(inv: CheckContext['inv']): { domains: { domain: string; ref: SourceRef; source: string }[]; unknown?: HmaFinding } {
  const seen = new Map<string, { domain: string; ref: SourceRef; source: string }>();
  if (inv.acceptedDomainsGiven) {
    for (const d of inv.acceptedDomains) {
      if (d.value.startsWith('*') || /\.onmicrosoft\.com$/i.test(d.value) || seen.has(d.value)) continue;
      seen.set(d.value, { domain: d.value, ref: d.ref, source: 'accepted domain' });
    }
    return { domains: [...seen.values()] };
  }
  for (const v of inv.vdirs) {
    if (!spnKinds.includes(v.kind) || !v.externalUrl) continue;
    const host = hostOf(v.externalUrl.value);
    const domain = host === undefined ? undefined : parentDomain(host);
    if (domain === undefined || seen.has(domain)) continue;
    seen.set(domain, { domain, ref: v.externalUrl.ref, source: `guessed from the ExternalUrl host ${host}; add ${acceptedDomainsCommand} to check every email domain` });
  }
  if (seen.size > 0 || inv.vdirs.length === 0) return { domains: [...seen.values()] };
  return {
    domains: [],
    unknown: {
      code: 'hma.spn.autodiscover-unverified',
      severity: 'warning',
      title: 'Cannot tell which https://autodiscover.<domain>/ SPNs are needed: no virtual directory has an ExternalUrl and Get-AcceptedDomain was not given',
      evidence: [],
      why: 'Outlook outside the network finds Exchange through autodiscover.<its email domain> and asks Entra ID for a token for that URL, so each email domain needs its https://autodiscover.<domain>/ SPN.',
      fix: `Run and add the output: ${acceptedDomainsCommand}`,
    },
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url.trim()).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** mail.contoso.com -> contoso.com; contoso.com stays; IP addresses and single labels have none. */
function parentDomain(host: string): string | undefined {
  if (/^[\d.]+$/.test(host) || host.includes(':') || !host.includes('.')) return undefined;
  const labels = host.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : host;
}

export function checkSpns(ctx: CheckContext): HmaFinding[] {
  const { inv } = ctx;
  const findings: HmaFinding[] = [];
  const wanted = new Map<string, Wanted>();
  const want = (url: Fact<string>, usedBy: string) => {
    const key = spnKey(url.value);
    if (!key) {
      findings.push({
        code: 'hma.url.unreadable',
        severity: 'warning',
        title: `${usedBy}: ${JSON.stringify(url.value)} is not an absolute URL`,
        evidence: [url.ref],
        why: 'Clients connect to the URLs Exchange publishes; an unreadable URL cannot be checked against the SPN list.',
        fix: 'Correct the URL with the matching Set-*VirtualDirectory -InternalUrl/-ExternalUrl, then collect the output again.',
      });
      return;
    }
    if (url.value.trim().toLowerCase().startsWith('http://')) {
      findings.push({
        code: 'hma.url.not-https',
        severity: 'warning',
        title: `${usedBy} uses plain HTTP: ${url.value}`,
        evidence: [url.ref],
        why: 'Modern authentication sends bearer tokens; Entra ID expects HTTPS service principal names and clients must not send tokens over plain HTTP.',
        fix: 'Publish this virtual directory over HTTPS and set its URL to https://.',
      });
    }
    const w = wanted.get(key) ?? { spn: `${key}/`, refs: [], usedBy: [] };
    w.refs.push(url.ref);
    w.usedBy.push(usedBy);
    wanted.set(key, w);
  };
  for (const v of inv.vdirs) {
    if (!spnKinds.includes(v.kind)) continue;
    if (v.internalUrl) want(v.internalUrl, `${v.server} ${vdirTitle[v.kind]} InternalUrl`);
    if (v.externalUrl) want(v.externalUrl, `${v.server} ${vdirTitle[v.kind]} ExternalUrl`);
  }
  for (const c of inv.casUris) want(c.url, `${c.server} AutodiscoverServiceInternalUri`);
  const autodiscover = autodiscoverDomains(inv);
  for (const d of autodiscover.domains) want({ value: `https://autodiscover.${d.domain}/`, ref: d.ref }, `Autodiscover for ${d.domain} (${d.source})`);
  if (autodiscover.unknown) findings.push(autodiscover.unknown);
  if (wanted.size === 0) return findings;

  const lists = inv.principals.filter((p) => p.spns);
  if (lists.length === 0) {
    findings.push({
      code: 'hma.input.spn-list-missing',
      severity: 'error',
      title: 'The service principal names of Office 365 Exchange Online were not provided',
      evidence: [],
      why: `Every internal and external URL (${wanted.size} host${wanted.size === 1 ? '' : 's'} found) must be an HTTPS SPN in Entra ID, in every tenant in hybrid; without the list this cannot be confirmed.`,
      fix: `Run in Microsoft Graph PowerShell and add the output: Get-MgServicePrincipal -Filter "AppId eq '${exchangeAppId}'" | select -ExpandProperty ServicePrincipalNames`,
    });
    return findings;
  }

  for (const p of lists) {
    const present = new Set<string>();
    for (const item of p.spns!.items) {
      if (!/^https:\/\//i.test(item.value)) continue;
      const key = spnKey(item.value);
      if (key) present.add(key);
    }
    const missing = [...wanted.entries()]
      .filter(([key]) => !present.has(key))
      .map(([, w]) => w)
      .sort((a, b) => a.spn.localeCompare(b.spn));
    if (missing.length === 0) continue;
    const evidence = [...missing.flatMap((m) => m.refs), p.spns!.ref];
    if (p.spns!.truncated) {
      findings.push({
        code: 'hma.spn.unverified',
        severity: 'error',
        tenant: p.tenant,
        title: `${missing.length} URL host(s) not seen in a truncated SPN list (${p.tenant}): ${missing.map((m) => m.spn).join(', ')}`,
        evidence,
        why: 'PowerShell cut the list short, so these SPNs may or may not be there; readiness cannot be confirmed until the full list is read.',
        fix: `Collect the full list: Get-MgServicePrincipal -Filter "AppId eq '${exchangeAppId}'" | select -ExpandProperty ServicePrincipalNames`,
      });
      continue;
    }
    const lines = missing.map((m) => `    ${JSON.stringify(m.spn)}`).join(',\n');
    findings.push({
      code: 'hma.spn.missing',
      severity: 'error',
      tenant: p.tenant,
      title: `${missing.length} on-premises URL host(s) missing from the SPNs (${p.tenant}): ${missing.map((m) => m.spn).join(', ')}`,
      evidence,
      why:
        'Outlook and other clients ask Entra ID for a token for the URL they connect to; without a matching HTTPS SPN on the Office 365 Exchange Online service principal the request fails and the client falls back to basic/NTLM or cannot sign in. ' +
        `Needed by: ${missing.map((m) => `${m.spn} (${m.usedBy.join('; ')})`).join(' | ')}.`,
      fix: 'Add the missing SPNs to the existing list (one Update-MgServicePrincipal call that keeps every SPN already there). Repeat in every tenant in hybrid with this organization.',
      remediation: {
        step: 'spn',
        shell: 'graph',
        script: [
          `# Tenant: ${p.tenant}`,
          `Connect-MgGraph${p.named ? ` -TenantId ${psQuote(p.tenant)}` : ''} -Scopes Application.ReadWrite.All`,
          `$sp = Get-MgServicePrincipal -Filter "AppId eq '${exchangeAppId}'"`,
          '$wanted = @(',
          lines,
          ')',
          '# Entra ID matches on scheme and host, so compare hosts rather than whole strings',
          '# (a regex, not [uri], so an unusual SPN cannot stop the script).',
          "$hostOf = { param($u) if ($u -match '^https://([^/]+)') { $Matches[1].ToLowerInvariant() -replace ':443$', '' } }",
          '$have = @($sp.ServicePrincipalNames | ForEach-Object { & $hostOf $_ })',
          '$add = @($wanted | Where-Object { $have -notcontains (& $hostOf $_) })',
          'if ($add.Count -gt 0) {',
          '    # Appends to the existing list; never replaces it.',
          '    Update-MgServicePrincipal -ServicePrincipalId $sp.Id -ServicePrincipalNames (@($sp.ServicePrincipalNames) + $add)',
          '}',
        ].join('\n'),
      },
    });
  }
  return findings;
}
