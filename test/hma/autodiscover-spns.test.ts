/**
 * https://autodiscover.<email domain>/ as an SPN (seed 002: the list "should include an
 * https://autodiscover.yourdomain.com and https://mail.yourdomain.com URL"): Outlook outside the
 * network finds Exchange through that name and asks Entra ID for a token for it. The domains come
 * from Get-AcceptedDomain when given, else from the external URLs (and the finding says so); with
 * neither, the check says it cannot tell.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import type { HmaInput } from '../../src/diagnostics/hma/types.ts';
import { edit, now, readyOrg } from './fixtures.ts';

const vd = 'virtual-directories.txt';
const sp = 'service-principal.txt';

/** Domain-joined clients use the SCP (AutodiscoverServiceInternalUri), here on the internal name. */
function internalScp(inputs: HmaInput[]): HmaInput[] {
  const scp = (i: HmaInput[], n: number) =>
    edit(i, vd, 'AutodiscoverServiceInternalUri : https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml', 'AutodiscoverServiceInternalUri : https://mail.corp.contoso.com/Autodiscover/Autodiscover.xml', n);
  return scp(scp(inputs, 1), 1);
}

const acceptedDomains: HmaInput = {
  name: 'accepted-domains.txt',
  text: [
    '[PS] C:\\Windows\\system32>Get-AcceptedDomain | fl DomainName,DomainType',
    '',
    '',
    'DomainName : contoso.com',
    'DomainType : Authoritative',
    '',
    'DomainName : fabrikam.com',
    'DomainType : InternalRelay',
    '',
    'DomainName : partner.example',
    'DomainType : ExternalRelay',
    '',
    'DomainName : contoso.mail.onmicrosoft.com',
    'DomainType : Authoritative',
    '',
  ].join('\n'),
};

const errors = (inputs: HmaInput[]) => analyzeHmaReadiness(inputs, { now }).findings.filter((f) => f.severity === 'error');

describe('the autodiscover.<domain> SPN of each email domain', () => {
  it('missing while no URL of the organization names it: reported, from the domain of the external URLs, and added by the script', () => {
    // Before, only virtual directory URLs and the SCP were checked, so this organization passed.
    const inputs = edit(internalScp(readyOrg()), sp, 'https://autodiscover.contoso.com/\n', '');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.inputIssues, []);
    const found = report.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(found.map((f) => f.code), ['hma.spn.missing']);
    assert.match(found[0]!.title, /1 on-premises URL host\(s\) missing from the SPNs \(unnamed tenant\): https:\/\/autodiscover\.contoso\.com\/$/);
    assert.match(found[0]!.why, /Autodiscover for contoso\.com \(guessed from the ExternalUrl host mail\.contoso\.com; add Get-AcceptedDomain \| fl DomainName,DomainType to check every email domain\)/);
    assert.deepEqual(found[0]!.evidence.map((e) => `${e.file}:${e.line}`), [`${vd}:6`, `${sp}:5`], 'the first ExternalUrl it was derived from, and the SPN list');
    assert.match(renderHmaScript(report), /\$wanted = @\(\n {4}"https:\/\/autodiscover\.contoso\.com\/"\n\)/);
  });

  it('present: the organization is ready with its SCP on the internal name', () => {
    assert.deepEqual(errors(internalScp(readyOrg())), []);
  });

  it('with Get-AcceptedDomain: every authoritative and internal relay domain, not external relay or onmicrosoft.com', () => {
    const report = analyzeHmaReadiness([...readyOrg(), acceptedDomains], { now });
    assert.deepEqual(report.inputIssues, []);
    assert.deepEqual(report.inputs.find((i) => i.name === 'accepted-domains.txt')!.records.map((r) => r.kind), ['accepted-domain', 'accepted-domain', 'accepted-domain', 'accepted-domain']);
    const found = report.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(found.map((f) => f.code), ['hma.spn.missing']);
    assert.match(found[0]!.title, /: https:\/\/autodiscover\.fabrikam\.com\/$/);
    assert.match(found[0]!.why, /https:\/\/autodiscover\.fabrikam\.com\/ \(Autodiscover for fabrikam\.com \(accepted domain\)\)/);
    assert.deepEqual(found[0]!.evidence.map((e) => `${e.file}:${e.line}`), ['accepted-domains.txt:7', `${sp}:5`]);
    assert.doesNotMatch(renderHmaScript(report), /partner\.example|onmicrosoft/);
    // Once the SPN is there, the organization is ready.
    assert.deepEqual(errors([...edit(readyOrg(), sp, 'https://autodiscover.contoso.com/\n', 'https://autodiscover.contoso.com/\nhttps://autodiscover.fabrikam.com/\n'), acceptedDomains]), []);
  });

  it('with no external URL and no accepted domains, says it cannot tell (a warning), and Get-AcceptedDomain settles it', () => {
    const internalOnly = readyOrg().map((i) => (i.name === vd ? { ...i, text: i.text.replace(/^(ExternalUrl\s*:).*$/gm, '$1') } : i));
    const report = analyzeHmaReadiness(internalOnly, { now });
    assert.deepEqual(report.inputIssues, []);
    const warnings = report.findings.filter((f) => f.severity === 'warning');
    assert.deepEqual(warnings.map((f) => f.code), ['hma.spn.autodiscover-unverified']);
    assert.match(warnings[0]!.title, /Cannot tell which https:\/\/autodiscover\.<domain>\/ SPNs are needed/);
    assert.equal(warnings[0]!.fix, 'Run and add the output: Get-AcceptedDomain | fl DomainName,DomainType');
    const settled = analyzeHmaReadiness([...internalOnly, acceptedDomains], { now });
    assert.equal(settled.findings.some((f) => f.code === 'hma.spn.autodiscover-unverified'), false);
    assert.match(settled.findings.find((f) => f.code === 'hma.spn.missing')!.title, /autodiscover\.fabrikam\.com/);
  });
});
