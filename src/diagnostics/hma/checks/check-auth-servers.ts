import { supportsDomainName } from '../exchange-builds.ts';
import type { AuthServerInfo } from '../inventory.ts';
import type { HmaFinding } from '../types.ts';
import { psQuote, type CheckContext } from './check-context.ts';

/** Older Hybrid Configuration Wizards named it "EvoSTS"; newer ones "EvoSts - <GUID>" (seed, "Enable HMA"). */
const isEvoSts = (a: AuthServerInfo) => /^evosts\b/i.test(a.name) || a.type?.toLowerCase() === 'azuread';

export function checkAuthServers(ctx: CheckContext): HmaFinding[] {
  const { inv } = ctx;
  const findings: HmaFinding[] = [];
  const collect = 'Get-AuthServer | fl Name,Type,Enabled,IsDefaultAuthorizationEndpoint,DomainName';
  const recognized = inv.recognized.some((r) => r.kind === 'auth-server');
  if (!recognized) {
    findings.push({
      code: 'hma.input.auth-servers-missing',
      severity: 'error',
      title: 'No Get-AuthServer output was provided',
      evidence: [],
      why: 'HMA needs an enabled EvoSTS AuthServer (one per tenant in hybrid), one of them the default authorization endpoint.',
      fix: `Run in the Exchange Management Shell and add the output: ${collect}`,
    });
  } else {
    findings.push(...evoStsFindings(ctx, collect));
  }
  findings.push(...orgConfigFindings(ctx));
  return findings;
}

function evoStsFindings(ctx: CheckContext, collect: string): HmaFinding[] {
  const { inv } = ctx;
  const findings: HmaFinding[] = [];
  const evo = inv.authServers.filter(isEvoSts);
  if (evo.length === 0) {
    findings.push({
      code: 'hma.auth-server.evosts-missing',
      severity: 'error',
      title: 'There is no EvoSTS AuthServer',
      evidence: inv.authServers.map((a) => a.ref),
      why: 'Exchange trusts tokens issued by Entra ID (evoSTS) only through this AuthServer object, which the Hybrid Configuration Wizard creates.',
      fix: 'Download and run the latest Hybrid Configuration Wizard (https://aka.ms/HybridWizard); it creates the "EvoSts - <GUID>" AuthServer.',
      remediation: { step: 'auth-server', shell: 'manual', script: '# Run the latest Hybrid Configuration Wizard (https://aka.ms/HybridWizard) to create the EvoSts AuthServer, then run this check again.' },
    });
    return findings;
  }
  for (const a of evo) {
    if (!a.enabled) {
      findings.push({
        code: 'hma.auth-server.enabled-unverified',
        severity: 'error',
        title: `Whether the AuthServer "${a.name}" is enabled was not in the output`,
        evidence: [a.ref],
        why: 'A disabled EvoSTS AuthServer makes Exchange reject every token from that tenant.',
        fix: `Run and add the output: ${collect}`,
      });
    } else if (!a.enabled.value) {
      findings.push({
        code: 'hma.auth-server.evosts-disabled',
        severity: 'error',
        title: `The AuthServer "${a.name}" is disabled`,
        evidence: [a.enabled.ref],
        why: 'A disabled EvoSTS AuthServer makes Exchange reject every token from that tenant.',
        fix: `Enable it: Set-AuthServer -Identity ${psQuote(a.name)} -Enabled $true`,
        remediation: { step: 'auth-server', shell: 'exchange', script: `if (-not (Get-AuthServer -Identity ${psQuote(a.name)}).Enabled) { Set-AuthServer -Identity ${psQuote(a.name)} -Enabled $true }` },
      });
    }
  }
  const tenants = inv.principals.filter((p) => p.spns || p.replyUrls);
  if (tenants.length > evo.length) {
    // When tenants are named by domain and the AuthServers show theirs, say which tenant lacks one.
    const byDomain = evo.some((a) => a.domainName) ? tenants.filter((t) => t.named && t.tenant.includes('.') && !evo.some((a) => a.domainName?.toLowerCase() === t.tenant.toLowerCase())) : [];
    findings.push({
      code: 'hma.auth-server.per-tenant',
      severity: 'error',
      title: `${tenants.length} tenants are in hybrid but only ${evo.length} EvoSTS AuthServer(s) exist${byDomain.length ? `; none for ${byDomain.map((t) => t.tenant).join(', ')}` : ''}`,
      evidence: evo.map((a) => a.ref),
      why: 'With several tenants in hybrid, each needs its own "EvoSts - <GUID>" AuthServer, enabled, or users of the missing tenant cannot use HMA.',
      fix: 'Run the latest Hybrid Configuration Wizard for each tenant in hybrid with this organization.',
      remediation: { step: 'auth-server', shell: 'manual', script: `# Run the Hybrid Configuration Wizard for each tenant without an EvoSts AuthServer (tenants seen: ${tenants.map((t) => t.tenant).join(', ')}).` },
    });
  } else if (evo.length > tenants.length && tenants.length > 0) {
    findings.push({
      code: 'hma.auth-server.tenants-not-all-checked',
      severity: 'warning',
      title: `${evo.length} EvoSTS AuthServers suggest ${evo.length} tenants in hybrid, but SPN lists for only ${tenants.length} were provided`,
      evidence: evo.map((a) => a.ref),
      why: 'The on-premises URLs must be SPNs in every tenant in hybrid with this organization.',
      fix: 'Collect the SPN list from each tenant (one file per tenant, or a "# tenant: <name>" line above each list) and run the check again.',
    });
  }

  const withFlag = inv.authServers.filter((a) => a.isDefault);
  const defaults = withFlag.filter((a) => a.isDefault!.value);
  const domainOk = ctx.builds.length > 0 && ctx.builds.every((b) => supportsDomainName(b.build));
  const chosen = evo.find((a) => a.enabled?.value !== false) ?? evo[0]!;
  const domainArg = domainOk && chosen.domainName ? ` -DomainName ${psQuote(chosen.domainName)}` : '';
  const domainNote = domainOk
    ? chosen.domainName
      ? ` Every server runs Exchange 2016 CU18+/2019 CU7+, so -DomainName ${chosen.domainName} is included (needs an HCW run after September 2020).`
      : ' Every server runs Exchange 2016 CU18+/2019 CU7+: if the HCW was run after September 2020, add -DomainName "<tenant>.onmicrosoft.com".'
    : '';
  if (withFlag.length === 0) {
    findings.push({
      code: 'hma.auth-server.default-unverified',
      severity: 'error',
      title: 'IsDefaultAuthorizationEndpoint was not in the Get-AuthServer output',
      evidence: evo.map((a) => a.ref),
      why: 'HMA is on only when one EvoSTS AuthServer is the default authorization endpoint; "ft name,enabled" does not show it.',
      fix: `Run and add the output: ${collect}. The script sets it when no AuthServer is the default.${domainNote}`,
      remediation: { step: 'enable-hma', shell: 'exchange', script: setDefaultScript(chosen, domainArg) },
    });
  } else if (defaults.length === 0) {
    findings.push({
      code: 'hma.auth-server.no-default',
      severity: 'error',
      title: 'No AuthServer is the default authorization endpoint',
      evidence: withFlag.map((a) => a.isDefault!.ref),
      why: 'Exchange tells clients where to get tokens from the default authorization endpoint; without it HMA is not enabled.',
      fix: `Set-AuthServer -Identity ${psQuote(chosen.name)}${domainArg} -IsDefaultAuthorizationEndpoint $true.${domainNote}`,
      remediation: { step: 'enable-hma', shell: 'exchange', script: setDefaultScript(chosen, domainArg) },
    });
  } else if (defaults.length > 1) {
    const keep = defaults.find(isEvoSts) ?? defaults[0]!;
    const others = defaults.filter((a) => a !== keep);
    findings.push({
      code: 'hma.auth-server.several-defaults',
      severity: 'error',
      title: `${defaults.length} AuthServers are marked as the default authorization endpoint: ${defaults.map((a) => a.name).join(', ')}`,
      evidence: defaults.map((a) => a.isDefault!.ref),
      why: 'Exactly one AuthServer may have IsDefaultAuthorizationEndpoint set to True; with several tenants any one of them is enough for HMA.',
      fix: `Keep "${keep.name}" and clear the flag on the others.`,
      remediation: {
        step: 'enable-hma',
        shell: 'exchange',
        script: others.map((a) => `Set-AuthServer -Identity ${psQuote(a.name)} -IsDefaultAuthorizationEndpoint $false`).join('\n'),
      },
    });
  } else if (!isEvoSts(defaults[0]!)) {
    findings.push({
      code: 'hma.auth-server.default-not-evosts',
      severity: 'error',
      title: `The default authorization endpoint is "${defaults[0]!.name}", not an EvoSTS AuthServer`,
      evidence: [defaults[0]!.isDefault!.ref],
      why: 'HMA needs Entra ID (evoSTS) as the default authorization endpoint.',
      fix: `Make "${chosen.name}" the default instead.`,
      remediation: {
        step: 'enable-hma',
        shell: 'exchange',
        script: `Set-AuthServer -Identity ${psQuote(defaults[0]!.name)} -IsDefaultAuthorizationEndpoint $false\nSet-AuthServer -Identity ${psQuote(chosen.name)}${domainArg} -IsDefaultAuthorizationEndpoint $true`,
      },
    });
  }
  return findings;
}

function setDefaultScript(chosen: AuthServerInfo, domainArg: string): string {
  return [
    '# Only when no AuthServer is the default yet: exactly one may be.',
    'if (-not (Get-AuthServer | Where-Object { $_.IsDefaultAuthorizationEndpoint })) {',
    `    Set-AuthServer -Identity ${psQuote(chosen.name)}${domainArg} -IsDefaultAuthorizationEndpoint $true`,
    '}',
  ].join('\n');
}

function orgConfigFindings(ctx: CheckContext): HmaFinding[] {
  const v = ctx.inv.oauth2ClientProfileEnabled;
  if (!v) {
    return [
      {
        code: 'hma.input.organization-config-missing',
        severity: 'error',
        title: 'OAuth2ClientProfileEnabled was not provided',
        evidence: [],
        why: 'Set-OrganizationConfig -OAuth2ClientProfileEnabled $true is the switch that turns HMA on for clients.',
        fix: 'Run and add the output: Get-OrganizationConfig | fl OAuth2ClientProfileEnabled',
        remediation: { step: 'enable-hma', shell: 'exchange', script: 'if (-not (Get-OrganizationConfig).OAuth2ClientProfileEnabled) { Set-OrganizationConfig -OAuth2ClientProfileEnabled $true }' },
      },
    ];
  }
  if (v.value) return [];
  return [
    {
      code: 'hma.org.oauth2-client-profile-disabled',
      severity: 'error',
      title: 'OAuth2ClientProfileEnabled is False: HMA is not enabled',
      evidence: [v.ref],
      why: 'Until this is True, Exchange does not advertise Entra ID to clients, so Outlook keeps using basic/NTLM authentication.',
      fix: 'Set-OrganizationConfig -OAuth2ClientProfileEnabled $true (after the SPNs, virtual directories and AuthServer are right).',
      remediation: { step: 'enable-hma', shell: 'exchange', script: 'if (-not (Get-OrganizationConfig).OAuth2ClientProfileEnabled) { Set-OrganizationConfig -OAuth2ClientProfileEnabled $true }' },
    },
  ];
}
