import { parseExchangeBuild, supportsHma } from '../exchange-builds.ts';
import type { Inventory } from '../inventory.ts';
import type { HmaFinding, InputIssue } from '../types.ts';
import { clientAccessServers, type CheckContext, type ServerBuild } from './check-context.ts';

/**
 * Each server's build: AdminDisplayVersion gives the CU; ExSetup.exe's file version, when given,
 * also carries the security/hotfix update, which AdminDisplayVersion does not show.
 */
export function resolveBuilds(inv: Inventory): { builds: ServerBuild[]; issues: InputIssue[] } {
  const builds: ServerBuild[] = [];
  const issues: InputIssue[] = [];
  for (const s of inv.exchangeServers) {
    if (s.role && /^edge/i.test(s.role)) continue;
    if (!s.adminDisplayVersion) continue;
    const b = parseExchangeBuild(s.adminDisplayVersion.value);
    if (!b) {
      const cut = /(\.\.\.|…)$/.test(s.adminDisplayVersion.value) ? ' (cut short by Format-Table)' : '';
      issues.push({ code: 'input.bad-version', severity: 'error', file: s.adminDisplayVersion.ref.file, line: s.adminDisplayVersion.ref.line, message: `cannot read the version ${JSON.stringify(s.adminDisplayVersion.value)}${cut}`, expected: 'AdminDisplayVersion as Exchange prints it, e.g. "Version 15.1 (Build 1531.3)"; use fl rather than ft if the column is cut' });
      continue;
    }
    builds.push({ server: s.name, build: b, fromExSetup: false, ref: s.adminDisplayVersion.ref });
  }
  for (const x of inv.exsetup) {
    const server = x.server ?? (builds.length === 1 ? builds[0]!.server : undefined);
    if (!server) {
      issues.push({ code: 'input.exsetup-without-server', severity: 'error', file: x.version.ref.file, line: x.version.ref.line, message: 'ExSetup.exe version without a server name while several servers are present', expected: 'the PSComputerName column, e.g. Invoke-Command -ComputerName EX1,EX2 { (Get-Command ExSetup.exe).FileVersionInfo } | fl PSComputerName,FileVersion' });
      continue;
    }
    const b = parseExchangeBuild(x.version.value);
    if (!b) {
      issues.push({ code: 'input.bad-version', severity: 'error', file: x.version.ref.file, line: x.version.ref.line, message: `cannot read the version ${JSON.stringify(x.version.value)}`, expected: 'a file version such as 15.02.1544.011' });
      continue;
    }
    const at = builds.findIndex((e) => e.server === server);
    const entry: ServerBuild = { server, build: b, fromExSetup: true, ref: x.version.ref };
    if (at >= 0) builds[at] = entry;
    else builds.push(entry);
  }
  return { builds, issues };
}

export function checkVersions(ctx: CheckContext): HmaFinding[] {
  const findings: HmaFinding[] = [];
  if (ctx.builds.length === 0) {
    findings.push({
      code: 'hma.input.versions-missing',
      severity: 'error',
      title: 'No Exchange server versions were provided',
      evidence: [],
      why: 'HMA needs Exchange 2013 CU19 or later, Exchange 2016 CU8 or later, Exchange 2019 or Subscription Edition on every server.',
      fix: 'Run in the Exchange Management Shell and add the output: Get-ExchangeServer | fl Name,ServerRole,AdminDisplayVersion',
    });
    return findings;
  }
  for (const { server, build, ref } of ctx.builds) {
    if (build.product === 'unknown') {
      findings.push({ code: 'hma.version.unknown', severity: 'warning', server, title: `${server}: ${build.label}`, evidence: [ref], why: 'The build is not one this check knows, so HMA support cannot be confirmed.', fix: 'Compare it with https://learn.microsoft.com/exchange/new-features/build-numbers-and-release-dates.' });
      continue;
    }
    if (supportsHma(build)) continue;
    const target = build.product === 'Exchange 2013' ? 'Exchange 2013 CU23 (HMA needs CU19 or later)' : build.product === 'Exchange 2016' ? 'Exchange 2016 CU23 (HMA needs CU8 or later)' : 'a supported Exchange version (2016 CU23, 2019 CU15 or Subscription Edition)';
    findings.push({
      code: 'hma.version.unsupported',
      severity: 'error',
      server,
      title: `${server} runs ${build.label}, which does not support Hybrid Modern Authentication`,
      evidence: [ref],
      why: 'HMA is available from Exchange 2013 CU19 and Exchange 2016 CU8; older servers reject the tokens clients obtain from Entra ID.',
      fix: `Install ${target} on ${server} before enabling HMA.`,
      remediation: { step: 'upgrade', shell: 'manual', script: `# ${server}: install ${target}; it currently runs ${build.label}.` },
    });
  }
  const known = new Set(ctx.builds.map((b) => b.server));
  for (const server of clientAccessServers(ctx.inv)) {
    if (known.has(server)) continue;
    findings.push({
      code: 'hma.input.server-version-missing',
      severity: 'error',
      server,
      title: `No version for ${server}`,
      evidence: ctx.inv.vdirs.filter((v) => v.server === server).slice(0, 1).map((v) => v.ref),
      why: `${server} serves virtual directories, so it must also run a version that supports HMA.`,
      fix: `Run and add the output: Get-ExchangeServer ${server} | fl Name,ServerRole,AdminDisplayVersion`,
    });
  }
  return findings;
}
