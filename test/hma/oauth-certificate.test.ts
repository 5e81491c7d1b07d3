/**
 * The OAuth certificate per server: Get-ExchangeCertificate reads one server's store, so presence is
 * proven only on the servers the output names (a Server or PSComputerName property, an Identity
 * "SERVER\THUMBPRINT", or -Server on the command line), and output that names no server cannot
 * prove it for a second server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import type { HmaInput } from '../../src/diagnostics/hma/types.ts';
import { edit, now, readyOrg, replaceSection } from './fixtures.ts';

const org = 'organization.txt';
const THUMB = '5D2B8C4E1F3A7B9C0D6E2F4A8B1C3D5E7F9A0B2C';
const perServerCommand = "[PS] C:\\Windows\\system32>Get-ExchangeServer | where { $_.ServerRole -ne 'Edge' }";

/** The ready organization with its certificate output replaced by `lines`. */
function withCertificateOutput(lines: string[]): HmaInput[] {
  return replaceSection(readyOrg(), org, perServerCommand, undefined, lines);
}

const certificate = (extra: string[] = []): string[] => [...extra, `Thumbprint : ${THUMB}`, 'Subject    : CN=Microsoft Exchange Server Auth Certificate', 'NotAfter   : 3/9/2030 11:42:17 AM'];

const errors = (inputs: HmaInput[]) => analyzeHmaReadiness(inputs, { now }).findings.filter((f) => f.severity === 'error');

describe('the OAuth certificate on every server', () => {
  it('the ready organization shows it on EX1 and EX2 (Server property of the documented command): no finding', () => {
    const report = analyzeHmaReadiness(readyOrg(), { now });
    assert.deepEqual(report.findings.filter((f) => f.code.startsWith('hma.oauth-certificate') || f.code.startsWith('hma.input.oauth')), []);
  });

  it('EX2 lacks it: hma.oauth-certificate.missing for EX2, with a copy from EX1 in the script', () => {
    const inputs = edit(readyOrg(), org, `\n\n\nServer     : EX2\nThumbprint : ${THUMB}\nSubject    : CN=Microsoft Exchange Server Auth Certificate\nNotAfter   : 3/9/2030 11:42:17 AM`, '');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.inputIssues, []);
    const found = report.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(found.map((f) => [f.code, f.server]), [['hma.oauth-certificate.missing', 'EX2']]);
    assert.match(found[0]!.title, new RegExp(`The OAuth certificate ${THUMB} is not on EX2`));
    assert.deepEqual(found[0]!.evidence.map((e) => `${e.file}:${e.line}`), [`${org}:43`]);
    const script = renderHmaScript(report);
    assert.match(script, /if \(-not \(Get-ExchangeCertificate -Server 'EX2' -Thumbprint \$thumbprint -ErrorAction SilentlyContinue\)\) \{/);
    assert.match(script, /Export-ExchangeCertificate -Server 'EX1' -Thumbprint \$thumbprint -BinaryEncoded -Password \$password/);
    assert.match(script, /Import-ExchangeCertificate -Server 'EX2' -FileData \$export\.FileData -Password \$password/);
    assert.doesNotMatch(script, /New-ExchangeCertificate/, 'a certificate that exists is copied, not replaced');
  });

  it('output that names no server (the old single command) cannot prove it for two servers, and says so', () => {
    const inputs = withCertificateOutput([
      '[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter',
      '',
      ...certificate(),
    ]);
    const found = errors(inputs);
    assert.deepEqual(found.map((f) => f.code), ['hma.oauth-certificate.server-unverified']);
    assert.match(found[0]!.title, /Cannot tell whether the OAuth certificate .* is on EX1, EX2: the certificate output does not say which server it came from/);
    assert.match(found[0]!.fix, /Get-ExchangeCertificate -Server \$s .* fl @\{n='Server';e=\{\$s\}\},Thumbprint,Subject,NotAfter/);
    assert.equal(found[0]!.remediation, undefined, 'nothing is changed on a guess');
  });

  it('one named copy and one unnamed: the unnamed one could be any server, so EX2 stays unverified', () => {
    const inputs = withCertificateOutput([
      '[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Server EX1 -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter',
      '',
      ...certificate(),
      '',
      '[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter',
      '',
      ...certificate(),
    ]);
    const found = errors(inputs);
    assert.deepEqual(found.map((f) => f.code), ['hma.oauth-certificate.server-unverified']);
    assert.match(found[0]!.title, /is on EX2:/);
  });

  for (const [how, lines] of [
    ['-Server on each command line', [
      '[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Server EX1 -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter',
      '', ...certificate(), '',
      "[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Server 'ex2.corp.contoso.com' -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter",
      '', ...certificate(),
    ]],
    ['PSComputerName (Invoke-Command)', [
      'PS C:\\> Invoke-Command -ComputerName EX1,EX2 { Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn; Get-ExchangeCertificate -Thumbprint $using:thumb } | fl PSComputerName,Thumbprint,Subject,NotAfter',
      '', ...certificate(['PSComputerName : EX1']), '', ...certificate(['PSComputerName : EX2']),
    ]],
    ['an Identity of the form SERVER\\THUMBPRINT', [
      '[PS] C:\\Windows\\system32>Get-ExchangeServer | ForEach-Object { Get-ExchangeCertificate -Server $_.Name -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint } | fl Identity,Thumbprint,Subject,NotAfter',
      '', ...certificate([`Identity   : EX1\\${THUMB}`]), '', ...certificate([`Identity   : EX2.corp.contoso.com\\${THUMB}`]),
    ]],
  ] as const) {
    it(`knows the server from ${how}`, () => {
      assert.deepEqual(errors(withCertificateOutput([...lines])).map((f) => f.code), []);
    });
  }

  it('a command that loops over servers ("-Server $_.Name") without naming them in the output names none', () => {
    const inputs = withCertificateOutput([
      '[PS] C:\\Windows\\system32>Get-ExchangeServer | ForEach-Object { Get-ExchangeCertificate -Server $_.Name -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint } | fl Thumbprint,Subject,NotAfter',
      '', ...certificate(), '', ...certificate(),
    ]);
    assert.deepEqual(errors(inputs).map((f) => f.code), ['hma.oauth-certificate.server-unverified']);
  });

  it('with one server, output that names none is that server\'s', () => {
    let inputs = edit(readyOrg(), org, 'EX2  Mailbox    Version 15.2 (Build 1544.4)\n', '');
    inputs = replaceSection(inputs, org, perServerCommand, undefined, ['[PS] C:\\Windows\\system32>Get-ExchangeCertificate -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint | fl Thumbprint,Subject,NotAfter', '', ...certificate()]);
    inputs = inputs.filter((i) => i.name !== 'virtual-directories.txt');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.findings.filter((f) => f.code.includes('oauth-certificate')), []);
  });

  it('an Edge server needs no OAuth certificate', () => {
    const inputs = edit(readyOrg(), org, 'EX2  Mailbox    Version 15.2 (Build 1544.4)\n', 'EX2  Mailbox    Version 15.2 (Build 1544.4)\nEDG1 Edge       Version 15.2 (Build 1544.4)\n');
    assert.deepEqual(errors(inputs).map((f) => f.code), []);
  });
});
