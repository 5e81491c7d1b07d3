import { remediationSteps, type HmaReport, type RemediationStep } from './types.ts';

const stepTitles: Record<RemediationStep, string> = {
  upgrade: 'Step 0 - Update Exchange (manual; nothing below helps until this is done)',
  spn: 'Step 1 - Add the on-premises URLs as SPNs in Entra ID (Microsoft Graph PowerShell, every tenant in hybrid)',
  'vdir-oauth': 'Step 2 - Enable OAuth on the virtual directories (Exchange Management Shell)',
  'auth-server': 'Step 3 - EvoSTS AuthServer (Exchange Management Shell)',
  'oauth-certificate': 'Step 4 - OAuth certificate (Exchange Management Shell)',
  'owa-ecp-reply-urls': 'Step 5 - OWA/ECP URLs as reply URLs (Microsoft Graph PowerShell)',
  'enable-hma': 'Step 6 - Enable HMA (Exchange Management Shell)',
  'owa-ecp-disable-other-auth': 'Step 7 - OWA/ECP: disable every other authentication method (Exchange Management Shell)',
  'owa-ecp-enable-oauth': 'Step 8 - OWA/ECP: enable OAuth, ECP before OWA (Exchange Management Shell)',
};

const owaSteps: RemediationStep[] = ['owa-ecp-reply-urls', 'owa-ecp-disable-other-auth', 'owa-ecp-enable-oauth'];

function comment(text: string): string {
  return text
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n');
}

/**
 * The remediation script: every fix from the report, in the seed's order, each guarded so it does
 * nothing when already applied. Steps that cannot be scripted (upgrades, the Hybrid Configuration
 * Wizard) are comments. Enabling HMA waits behind $ReadyToEnableHma while manual blockers remain,
 * and the OWA/ECP switch behind $EnableOwaEcpHma, because it stops OWA/ECP sign-in in between.
 */
export function renderHmaScript(report: HmaReport): string {
  const withFix = report.findings.filter((f) => f.remediation);
  const blockers = withFix.filter((f) => f.severity === 'error' && f.remediation!.shell === 'manual');
  const owaBlocked = report.findings.some((f) => f.code === 'hma.owa-ecp.version');
  const out: string[] = [
    '#Requires -Version 5.1',
    comment(`Hybrid Modern Authentication remediation, generated ${report.generatedAt} from the cmdlet output given to "dovetail hma check".`),
    comment('Read each step before running it. Exchange steps run in the Exchange Management Shell; Graph steps in a'),
    comment('PowerShell session with Microsoft.Graph (Install-Module Microsoft.Graph -Scope AllUsers).'),
    comment('Every command checks the current state first, so running the script twice changes nothing the second time.'),
    '',
    `$ReadyToEnableHma = ${blockers.length === 0 ? '$true' : '$false'}${blockers.length ? '  # set to $true once the manual steps marked BLOCKING are done' : ''}`,
    owaBlocked
      ? '$EnableOwaEcpHma = $false  # BLOCKED: not every server has Exchange 2019 CU14 + April 2024 HU or later (step 0)'
      : '$EnableOwaEcpHma = $false  # OWA/ECP sign-in stops between steps 7 and 8; set to $true only after reading them',
    "$ErrorActionPreference = 'Stop'",
    '',
  ];
  if (withFix.length === 0) {
    out.push(comment('Nothing to change: the report found no fix to apply.'));
    return `${out.join('\n')}\n`;
  }
  for (const step of remediationSteps) {
    const fixes = withFix.filter((f) => f.remediation!.step === step);
    if (fixes.length === 0) continue;
    out.push(comment('='.repeat(100)), comment(stepTitles[step]), comment('='.repeat(100)));
    if (step === 'owa-ecp-disable-other-auth') {
      out.push(comment('Sign-in to OWA and ECP stops working from here until step 8 is done.'));
      out.push(comment('The built-in Administrator and other unsynchronized accounts cannot sign in to OWA/ECP afterwards.'));
    }
    const guard = step === 'enable-hma' ? '$ReadyToEnableHma' : owaSteps.includes(step) ? '$EnableOwaEcpHma' : undefined;
    const seen = new Set<string>();
    const body: string[] = [];
    for (const f of fixes) {
      const script = f.remediation!.script;
      if (seen.has(script)) continue;
      seen.add(script);
      const blocking = f.severity === 'error' && f.remediation!.shell === 'manual' ? 'BLOCKING: ' : '';
      body.push(comment(`${blocking}[${f.code}] ${f.title}`));
      body.push(script, '');
    }
    while (body[body.length - 1] === '') body.pop();
    if (guard) {
      out.push(`if (${guard}) {`);
      out.push(...body.map((l) => (l === '' ? l : `    ${l.replace(/\n/g, '\n    ')}`)));
      out.push('}', '');
    } else out.push(...body, '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
