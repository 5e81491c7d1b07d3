import { checkAuthServers } from './checks/check-auth-servers.ts';
import { checkCertificate } from './checks/check-certificate.ts';
import type { Check, CheckContext } from './checks/check-context.ts';
import { checkOwaEcp } from './checks/check-owa-ecp.ts';
import { checkSpns } from './checks/check-spns.ts';
import { checkVersions, resolveBuilds } from './checks/check-versions.ts';
import { checkVirtualDirectories } from './checks/check-virtual-directories.ts';
import { notes } from './checks/notes.ts';
import { buildInventory } from './inventory.ts';
import { readCmdletOutput } from './read-cmdlet-output.ts';
import { isVdirKind } from './recognize-record.ts';
import { remediationSteps, type HmaFinding, type HmaInput, type HmaOptions, type HmaReport, type InputIssue, type RawRecord, type Severity } from './types.ts';

const checks: Check[] = [checkVersions, checkSpns, checkVirtualDirectories, checkAuthServers, checkCertificate, checkOwaEcp, () => notes()];

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Reads what an Exchange administrator's own cmdlets printed and says what stands between the
 * organization and Hybrid Modern Authentication, in the order the fixes must be applied.
 * Pure: no I/O, no clock (the date comes in `options.now`), so the CLI, the API and the admin
 * center share it.
 */
export function analyzeHmaReadiness(inputs: HmaInput[], options: HmaOptions): HmaReport {
  const records: RawRecord[] = [];
  const issues: InputIssue[] = [];
  for (const input of inputs) {
    if (input.text.trim() === '') {
      issues.push({ code: 'input.empty', severity: 'error', file: input.name, line: 1, message: 'the input is empty', expected: 'the output of the cmdlets listed in docs/hma-readiness.md' });
      continue;
    }
    const read = readCmdletOutput(input.name, input.text);
    records.push(...read.records);
    issues.push(...read.issues);
    if (read.records.length === 0 && read.issues.length === 0) {
      issues.push({ code: 'input.no-output', severity: 'warning', file: input.name, line: 1, message: 'only command lines or comments: no cmdlet output was found', expected: 'the output the commands printed, below each command line' });
    }
  }
  const inv = buildInventory(records);
  issues.push(...inv.issues);
  const { builds, issues: buildIssues } = resolveBuilds(inv);
  issues.push(...buildIssues);
  const ctx: CheckContext = { inv, now: options.now, builds, owaEcp: options.owaEcp ?? 'auto' };

  const findings: HmaFinding[] = [];
  for (const check of checks) findings.push(...check(ctx));
  const stepRank = (f: HmaFinding) => (f.remediation ? remediationSteps.indexOf(f.remediation.step) : remediationSteps.length);
  // Stable: within a severity, findings keep the order of the fixes.
  const ordered = findings
    .map((f, n) => ({ f, n }))
    .sort((a, b) => severityRank[a.f.severity] - severityRank[b.f.severity] || stepRank(a.f) - stepRank(b.f) || a.n - b.n)
    .map((x) => x.f);

  const count = (s: Severity) => ordered.filter((f) => f.severity === s).length + issues.filter((i) => i.severity === s).length;
  const unreadableInput = issues.some((i) => i.severity === 'error');
  const perFile = new Map<string, HmaReport['inputs'][number]>();
  for (const input of inputs) perFile.set(input.name, { name: input.name, records: [] });
  for (const r of inv.recognized) perFile.get(r.file)?.records.push({ kind: r.kind, line: r.line, format: r.format });

  const serverNames = new Set<string>([...inv.vdirs.map((v) => v.server).filter((s) => s !== ''), ...builds.map((b) => b.server), ...inv.casUris.map((c) => c.server)]);
  const servers = [...serverNames].sort().map((name) => {
    const b = builds.find((x) => x.server === name);
    const kinds = [...new Set(inv.vdirs.filter((v) => v.server === name).map((v) => v.kind))].filter(isVdirKind);
    return {
      name,
      ...(b ? { version: b.build.label, product: b.build.product, build: `${b.build.major}.${b.build.minor}.${b.build.build}${b.build.revision === undefined ? '' : `.${b.build.revision}`}` } : {}),
      virtualDirectories: kinds,
    };
  });

  return {
    generatedAt: options.now.toISOString(),
    ready: count('error') === 0,
    unreadableInput,
    summary: { errors: count('error'), warnings: count('warning'), infos: count('info') },
    inputs: [...perFile.values()],
    inputIssues: issues,
    servers,
    tenants: inv.principals.map((p) => p.tenant),
    findings: ordered,
  };
}
