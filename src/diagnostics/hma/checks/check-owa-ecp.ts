import { supportsOwaEcpHma } from '../exchange-builds.ts';
import type { Fact, VdirFlag } from '../inventory.ts';
import type { HmaFinding, Severity, SourceRef } from '../types.ts';
import { clientAccessServers, exchangeAppId, psQuote, type CheckContext } from './check-context.ts';

const otherAuth: { flag: VdirFlag; param: string }[] = [
  { flag: 'adfs', param: 'AdfsAuthentication' },
  { flag: 'basic', param: 'BasicAuthentication' },
  { flag: 'forms', param: 'FormsAuthentication' },
  { flag: 'digest', param: 'DigestAuthentication' },
];

/** Reply URLs are compared as Entra compares redirect URIs here: case-insensitively, ignoring a trailing slash. */
export function replyKey(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * HMA for OWA and ECP (seed, "Enable Hybrid Modern Authentication for OWA and ECP"): every server on
 * Exchange 2019 CU14 with the April 2024 HU or later, the OWA/ECP URLs as reply URLs, HMA enabled,
 * then every other method disabled, then OAuth enabled, ECP before OWA.
 */
export function checkOwaEcp(ctx: CheckContext): HmaFinding[] {
  const { inv } = ctx;
  if (ctx.owaEcp === 'skip') return [];
  // ECP before OWA: the order the seed gives for enabling OAuth on them.
  const dirs = inv.vdirs.filter((v) => v.kind === 'owa' || v.kind === 'ecp').sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'ecp' ? -1 : 1));
  const collect = 'Get-OwaVirtualDirectory | fl server,name,*url*,*auth*; Get-EcpVirtualDirectory | fl server,name,*url*,*auth*';
  if (dirs.length === 0) {
    return [
      {
        code: 'hma.input.owa-ecp-missing',
        severity: ctx.owaEcp === 'required' ? 'error' : 'info',
        title: 'HMA for OWA and ECP was not analyzed (no Get-OwaVirtualDirectory / Get-EcpVirtualDirectory output)',
        evidence: [],
        why: 'HMA for Outlook on the web and the Exchange admin center is optional and has its own prerequisites.',
        fix: `To analyze it, run and add the output: ${collect}`,
      },
    ];
  }
  const inUse = dirs.some((v) => v.flags.oauth?.value === true);
  const severity: Severity = ctx.owaEcp === 'required' || inUse ? 'error' : 'warning';
  const findings: HmaFinding[] = [];

  const serverless = dirs.some((v) => v.server === '');
  for (const server of serverless ? [] : clientAccessServers(inv)) {
    for (const kind of ['owa', 'ecp'] as const) {
      if (dirs.some((v) => v.server === server && v.kind === kind)) continue;
      findings.push({
        code: 'hma.input.owa-ecp-server-missing',
        severity: 'warning',
        server,
        title: `No Get-${kind === 'owa' ? 'Owa' : 'Ecp'}VirtualDirectory output for ${server}`,
        evidence: [],
        why: 'HMA for OWA/ECP must be configured on every OWA and ECP virtual directory on every server.',
        fix: `Run and add the output: ${collect}`,
      });
    }
  }

  const blocked: string[] = [];
  const unknown: string[] = [];
  const refs: SourceRef[] = [];
  for (const b of ctx.builds) {
    const ok = supportsOwaEcpHma(b.build, b.fromExSetup);
    if (ok === 'no') blocked.push(`${b.server} (${b.build.label})`);
    if (ok === 'unknown') unknown.push(b.server);
    if (ok !== 'yes') refs.push(b.ref);
  }
  if (blocked.length > 0) {
    findings.push({
      code: 'hma.owa-ecp.version',
      severity,
      title: `HMA for OWA/ECP needs Exchange 2019 CU14 with the April 2024 HU or later on all servers; not met by ${blocked.join(', ')}`,
      evidence: refs,
      why: 'Servers without the update cannot validate OWA/ECP sign-ins through Entra ID; every server must have it before OWA/ECP switch to OAuth.',
      fix: 'Install Exchange 2019 CU14 with the April 2024 Hotfix Update (KB5037224), CU15, or Subscription Edition on every server first.',
      remediation: { step: 'upgrade', shell: 'manual', script: `# Before HMA for OWA/ECP: bring ${blocked.join(', ')} to Exchange 2019 CU14 + April 2024 HU (KB5037224) or later.` },
    });
  }
  if (unknown.length > 0) {
    findings.push({
      code: 'hma.owa-ecp.version-unverified',
      severity: 'warning',
      title: `${unknown.join(', ')} run Exchange 2019 CU14, but AdminDisplayVersion does not show whether the April 2024 HU is installed`,
      evidence: ctx.builds.filter((b) => unknown.includes(b.server)).map((b) => b.ref),
      why: 'Security and hotfix updates change only the ExSetup.exe file version (15.2.1544.11 or later is needed).',
      fix: `Run and add the output: Invoke-Command -ComputerName ${unknown.join(',')} { (Get-Command ExSetup.exe).FileVersionInfo } | fl PSComputerName,FileVersion`,
    });
  }

  const wanted = new Map<string, { url: string; refs: SourceRef[] }>();
  for (const v of dirs) {
    for (const u of [v.internalUrl, v.externalUrl]) {
      if (!u) continue;
      const k = replyKey(u.value);
      const w = wanted.get(k) ?? { url: u.value.trim().replace(/\/+$/, ''), refs: [] };
      w.refs.push(u.ref);
      wanted.set(k, w);
    }
  }
  const withReply = inv.principals.filter((p) => p.replyUrls);
  if (withReply.length === 0 && wanted.size > 0) {
    findings.push({ code: 'hma.input.reply-urls-missing', severity, title: 'The reply URLs of Office 365 Exchange Online were not provided', evidence: [], why: 'The OWA and ECP URLs must be reply URLs, or Entra ID refuses to send users back to OWA/ECP after sign-in.', fix: `Run and add the output: (Get-MgServicePrincipal -Filter "AppId eq '${exchangeAppId}'").ReplyUrls` });
  }
  for (const p of withReply) {
    const have = new Set(p.replyUrls!.items.map((i) => replyKey(i.value)));
    const missing = [...wanted.entries()].filter(([k]) => !have.has(k)).map(([, w]) => w);
    if (missing.length === 0) continue;
    findings.push({
      code: p.replyUrls!.truncated ? 'hma.owa-ecp.reply-url-unverified' : 'hma.owa-ecp.reply-url-missing',
      severity: p.replyUrls!.truncated ? 'warning' : severity,
      tenant: p.tenant,
      title: `OWA/ECP URL(s) not in the reply URLs (${p.tenant}): ${missing.map((m) => m.url).join(', ')}`,
      evidence: [...missing.flatMap((m) => m.refs), p.replyUrls!.ref],
      why: 'After Entra ID signs the user in it redirects only to registered reply URLs.',
      fix: 'Add them to the existing reply URLs of the Office 365 Exchange Online service principal.',
      remediation: {
        step: 'owa-ecp-reply-urls',
        shell: 'graph',
        script: [
          `# Tenant: ${p.tenant}`,
          'Connect-MgGraph -Scopes Application.ReadWrite.All',
          `$servicePrincipal = Get-MgServicePrincipal -Filter "AppId eq '${exchangeAppId}'"`,
          `$replyUrlsToBeAdded = @(${missing.map((m) => JSON.stringify(m.url)).join(', ')}) | Where-Object { @($servicePrincipal.ReplyUrls | ForEach-Object { $_.TrimEnd('/') }) -notcontains $_ }`,
          'if ($replyUrlsToBeAdded) {',
          `    Update-MgServicePrincipal -ServicePrincipalId $servicePrincipal.Id -AppId "${exchangeAppId}" -ReplyUrls (@($servicePrincipal.ReplyUrls) + $replyUrlsToBeAdded)`,
          '}',
        ].join('\n'),
      },
    });
  }

  for (const v of dirs) {
    // Without its server, a directory's settings cannot be fixed per server (reported as an input warning).
    if (v.server === '') continue;
    const name = `${v.server} ${v.kind.toUpperCase()}`;
    const cmd = v.kind === 'owa' ? 'OwaVirtualDirectory' : 'EcpVirtualDirectory';
    const on = otherAuth.filter((o) => v.flags[o.flag]?.value === true);
    const unknownAuth = otherAuth.filter((o) => !v.flags[o.flag]);
    if (v.flags.oauth?.value === true && on.length === 0) continue;
    if (on.length > 0) {
      findings.push({
        code: 'hma.owa-ecp.other-auth-enabled',
        severity,
        server: v.server,
        title: `${name}: ${on.map((o) => o.param).join(', ')} still enabled`,
        evidence: on.map((o) => (v.flags[o.flag] as Fact<boolean>).ref),
        why: 'Every other authentication method must be disabled on OWA and ECP before OAuth is enabled on them, in that order; enabling OAuth first fails.',
        fix: `Get-${cmd} -Server ${v.server} | Set-${cmd} -AdfsAuthentication $false -BasicAuthentication $false -FormsAuthentication $false -DigestAuthentication $false`,
        remediation: { step: 'owa-ecp-disable-other-auth', shell: 'exchange', script: `Get-${cmd} -Server ${psQuote(v.server)} | Set-${cmd} -AdfsAuthentication $false -BasicAuthentication $false -FormsAuthentication $false -DigestAuthentication $false` },
      });
    } else if (unknownAuth.length > 0 && v.flags.oauth?.value !== true) {
      findings.push({ code: 'hma.owa-ecp.auth-unverified', severity: 'warning', server: v.server, title: `${name}: the authentication settings were not in the output`, evidence: [v.ref], why: 'Other authentication methods must be disabled before OAuth is enabled on OWA/ECP.', fix: `Run and add the output: ${collect}` });
    }
    if (v.flags.oauth?.value !== true) {
      findings.push({
        code: 'hma.owa-ecp.oauth-disabled',
        severity: severity === 'error' ? 'error' : 'info',
        server: v.server,
        title: `${name}: OAuthAuthentication is ${v.flags.oauth ? 'False' : 'not shown'}`,
        evidence: v.flags.oauth ? [v.flags.oauth.ref] : [v.ref],
        why: 'OWA/ECP use HMA only once OAuth is enabled on the directory, after the other methods are disabled. Sign-in to OWA/ECP stops working between the two steps.',
        fix: `Get-${cmd} -Server ${v.server} | Set-${cmd} -OAuthAuthentication $true (ECP before OWA)`,
        remediation: { step: 'owa-ecp-enable-oauth', shell: 'exchange', script: `Get-${cmd} -Server ${psQuote(v.server)} | Set-${cmd} -OAuthAuthentication $true` },
      });
    }
  }
  const done = dirs.every((v) => v.flags.oauth?.value === true && otherAuth.every((o) => v.flags[o.flag]?.value !== true));
  if (!done) {
    findings.push({
      code: 'hma.owa-ecp.builtin-administrator',
      severity: 'warning',
      title: 'After HMA for OWA/ECP, the built-in Administrator can no longer sign in to OWA or ECP',
      evidence: [],
      why: 'Accounts with isCriticalSystemObject set (such as the built-in Administrator) are not synchronized to Entra ID, and only synchronized accounts can sign in once OWA/ECP use HMA. Publishing OWA/ECP through Entra application proxy is unsupported.',
      fix: 'Make sure every account used for administration is synchronized to Entra ID before the switch; document the current OWA/ECP virtual directory settings so they can be restored. If Download Domains or a resource forest are used, apply the setting overrides Microsoft\'s HMA page describes for them (New-SettingOverride "OWA HMA Download Domain Support" / "OWA HMA AFRF Support").',
    });
  }
  return findings;
}
