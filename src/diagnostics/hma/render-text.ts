import type { HmaFinding, HmaReport, SourceRef } from './types.ts';

const mark = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' } as const;

const where = (r: SourceRef) => `${r.file}:${r.line}`;

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

function renderFinding(f: HmaFinding): string {
  const scope = [f.server, f.tenant].filter(Boolean).join(', ');
  const lines = [`${mark[f.severity]} [${f.code}] ${f.title}${scope ? `  (${scope})` : ''}`];
  for (const e of f.evidence.slice(0, 8)) lines.push(`        at ${where(e)}: ${e.text.trim()}`);
  if (f.evidence.length > 8) lines.push(`        … and ${f.evidence.length - 8} more line(s)`);
  lines.push(indent(`Why: ${f.why}`, '        '));
  lines.push(indent(`Fix: ${f.fix}`, '        '));
  if (f.remediation && f.remediation.shell !== 'manual') {
    lines.push(`        Run in ${f.remediation.shell === 'graph' ? 'Microsoft Graph PowerShell' : 'the Exchange Management Shell'}:`);
    lines.push(indent(f.remediation.script, '          '));
  }
  return lines.join('\n');
}

/** The report as an administrator reads it in a terminal: verdict first, then what to fix, in order. */
export function renderHmaText(report: HmaReport): string {
  const out: string[] = [];
  const { errors, warnings, infos } = report.summary;
  out.push(`Hybrid Modern Authentication readiness — ${report.ready ? 'READY' : 'NOT READY'}`);
  out.push(`${errors} error(s), ${warnings} warning(s), ${infos} note(s); checked ${report.generatedAt.slice(0, 10)}`);
  out.push('');
  if (report.servers.length > 0) {
    out.push('Servers:');
    for (const s of report.servers) out.push(`  ${s.name.padEnd(16)} ${s.version ?? 'version not provided'}${s.virtualDirectories.length ? `  [${s.virtualDirectories.join(', ')}]` : ''}`);
    out.push('');
  }
  if (report.tenants.length > 0) out.push(`Tenants (SPN / reply URL lists): ${report.tenants.join(', ')}`, '');
  if (report.inputIssues.length > 0) {
    out.push(report.unreadableInput ? 'Input problems (fix these first; the analysis below is partial):' : 'Input notes:');
    for (const i of report.inputIssues) {
      out.push(`  ${mark[i.severity]} [${i.code}] ${i.file}:${i.line}: ${i.message}`);
      out.push(`        expected: ${i.expected}`);
    }
    out.push('');
  }
  const sections: [string, HmaFinding[]][] = [
    ['Errors (in the order to fix them)', report.findings.filter((f) => f.severity === 'error')],
    ['Warnings', report.findings.filter((f) => f.severity === 'warning')],
    ['Notes', report.findings.filter((f) => f.severity === 'info')],
  ];
  for (const [title, list] of sections) {
    if (list.length === 0) continue;
    out.push(`${title}:`);
    for (const f of list) out.push(renderFinding(f), '');
  }
  out.push('Read from:');
  for (const i of report.inputs) {
    const kinds = [...new Set(i.records.map((r) => r.kind))];
    out.push(`  ${i.name}: ${i.records.length} record(s)${kinds.length ? ` — ${kinds.join(', ')}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
