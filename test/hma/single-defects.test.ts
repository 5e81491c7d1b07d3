import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import type { HmaInput } from '../../src/diagnostics/hma/types.ts';
import { edit, now, readyOrg } from './fixtures.ts';

describe('a fully ready organization', () => {
  it('is ready: no error, no warning, no input problem, and a script with nothing to change', () => {
    const report = analyzeHmaReadiness(readyOrg(), { now });
    assert.equal(report.ready, true);
    assert.equal(report.unreadableInput, false);
    assert.deepEqual(report.inputIssues, []);
    assert.deepEqual(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code), []);
    assert.deepEqual(report.servers.map((s) => [s.name, s.version, s.virtualDirectories.length]), [
      ['EX1', 'Exchange 2019 CU14 (15.2.1544.4)', 5],
      ['EX2', 'Exchange 2019 CU14 (15.2.1544.4)', 5],
    ]);
    assert.ok(report.findings.some((f) => f.code === 'hma.protocols.not-covered'));
    assert.equal(report.generatedAt, now.toISOString());
    const script = renderHmaScript(report);
    assert.match(script, /Nothing to change/);
    assert.doesNotMatch(script, /Set-|Update-Mg/);
  });
});

type Defect = {
  name: string;
  apply: (inputs: HmaInput[]) => HmaInput[];
  code: string;
  server?: string;
  script: RegExp[];
  notInScript?: RegExp[];
};

const vd = 'virtual-directories.txt';
const org = 'organization.txt';
const sp = 'service-principal.txt';

const defects: Defect[] = [
  {
    name: 'OAuth missing from MAPI on EX1',
    apply: (i) => edit(edit(edit(i, vd, 'IISAuthenticationMethods      : {Ntlm, OAuth, Negotiate}', 'IISAuthenticationMethods      : {Ntlm, Negotiate}'), vd, 'InternalAuthenticationMethods : {Ntlm, OAuth, Negotiate}', 'InternalAuthenticationMethods : {Ntlm, Negotiate}'), vd, 'ExternalAuthenticationMethods : {Ntlm, OAuth, Negotiate}', 'ExternalAuthenticationMethods : {Ntlm, Negotiate}'),
    code: 'hma.vdir.oauth-disabled',
    server: 'EX1',
    script: [/Get-MapiVirtualDirectory -Server 'EX1'/, /Set-MapiVirtualDirectory -Identity \$_.Identity -IISAuthenticationMethods \(@\(\$_.IISAuthenticationMethods \| ForEach-Object \{ "\$_" \}\) \+ 'OAuth'\)/],
    notInScript: [/-Server 'EX2'/],
  },
  {
    name: 'OAuth off on EWS of EX2',
    apply: (i) => edit(i, vd, 'Exchange.asmx\nOAuthAuthentication  : True', 'Exchange.asmx\nOAuthAuthentication  : False', 2),
    code: 'hma.vdir.oauth-disabled',
    server: 'EX2',
    script: [/Get-WebServicesVirtualDirectory -Server 'EX2' \| Where-Object \{ -not \$_.OAuthAuthentication \} \| ForEach-Object \{ Set-WebServicesVirtualDirectory -Identity \$_.Identity -OAuthAuthentication \$true \}/],
    notInScript: [/-Server 'EX1'/],
  },
  {
    name: 'OAuth off on OAB of EX1',
    apply: (i) => edit(i, vd, '/OAB\nOAuthAuthentication : True', '/OAB\nOAuthAuthentication : False'),
    code: 'hma.vdir.oauth-disabled',
    server: 'EX1',
    script: [/Set-OABVirtualDirectory -Identity \$_.Identity -OAuthAuthentication \$true/],
  },
  {
    name: 'OAuth off on Autodiscover of EX2',
    apply: (i) => edit(i, vd, 'Server              : EX2\nOAuthAuthentication : True', 'Server              : EX2\nOAuthAuthentication : False'),
    code: 'hma.vdir.oauth-disabled',
    server: 'EX2',
    script: [/Get-AutodiscoverVirtualDirectory -Server 'EX2'.*Set-AutodiscoverVirtualDirectory -Identity \$_.Identity -OAuthAuthentication \$true/],
  },
  {
    name: 'OAuth missing from ActiveSync on EX2',
    apply: (i) => edit(edit(i, vd, 'InternalAuthenticationMethods              : {Basic, OAuth}', 'InternalAuthenticationMethods              : {Basic}', 2), vd, 'ExternalAuthenticationMethods              : {Basic, OAuth}', 'ExternalAuthenticationMethods              : {Basic}', 2),
    code: 'hma.vdir.oauth-disabled',
    server: 'EX2',
    script: [/Set-ActiveSyncVirtualDirectory -Identity \$_.Identity -InternalAuthenticationMethods/, /Set-ActiveSyncVirtualDirectory -Identity \$_.Identity -ExternalAuthenticationMethods/],
  },
  {
    name: 'internal namespace missing from the SPNs',
    apply: (i) => edit(i, sp, 'https://mail.corp.contoso.com/\n', ''),
    code: 'hma.spn.missing',
    script: [/\$wanted = @\(\n {4}"https:\/\/mail\.corp\.contoso\.com\/"\n\)/, /Update-MgServicePrincipal -ServicePrincipalId \$sp\.Id -ServicePrincipalNames \(@\(\$sp\.ServicePrincipalNames\) \+ \$add\)/],
    notInScript: [/"https:\/\/mail\.contoso\.com\/"/, /"https:\/\/autodiscover/],
  },
  {
    name: 'Autodiscover host (from AutodiscoverServiceInternalUri) missing from the SPNs',
    apply: (i) => edit(i, sp, 'https://autodiscover.contoso.com/\n', ''),
    code: 'hma.spn.missing',
    script: [/"https:\/\/autodiscover\.contoso\.com\/"/],
  },
  {
    name: 'EvoSTS AuthServer disabled',
    apply: (i) => edit(i, org, 'Type                           : AzureAD\nEnabled                        : True', 'Type                           : AzureAD\nEnabled                        : False'),
    code: 'hma.auth-server.evosts-disabled',
    script: [/Set-AuthServer -Identity 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -Enabled \$true/],
  },
  {
    name: 'no EvoSTS AuthServer at all (only ACS)',
    apply: (i) => edit(i, org, 'Name                           : EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98\nType                           : AzureAD\nEnabled                        : True\nIsDefaultAuthorizationEndpoint : True\nDomainName                     : {contoso.onmicrosoft.com}\n', ''),
    code: 'hma.auth-server.evosts-missing',
    script: [/Hybrid Configuration Wizard/, /\$ReadyToEnableHma = \$false/],
  },
  {
    name: 'no default authorization endpoint',
    apply: (i) => edit(i, org, 'IsDefaultAuthorizationEndpoint : True', 'IsDefaultAuthorizationEndpoint : False'),
    code: 'hma.auth-server.no-default',
    // Both servers run 2019 CU14 (>= CU7), so -DomainName is offered with the tenant domain Exchange already knows.
    script: [/Set-AuthServer -Identity 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -DomainName 'contoso\.onmicrosoft\.com' -IsDefaultAuthorizationEndpoint \$true/, /if \(\$ReadyToEnableHma\)/],
  },
  {
    name: 'two default authorization endpoints',
    apply: (i) => edit(i, org, 'IsDefaultAuthorizationEndpoint : False', 'IsDefaultAuthorizationEndpoint : True'),
    code: 'hma.auth-server.several-defaults',
    script: [/Set-AuthServer -Identity 'ACS - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -IsDefaultAuthorizationEndpoint \$false/],
    notInScript: [/'EvoSts[^']*' -IsDefaultAuthorizationEndpoint \$false/],
  },
  {
    name: 'OAuth2ClientProfileEnabled off',
    apply: (i) => edit(i, org, 'OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False'),
    code: 'hma.org.oauth2-client-profile-disabled',
    script: [/if \(-not \(Get-OrganizationConfig\)\.OAuth2ClientProfileEnabled\) \{ Set-OrganizationConfig -OAuth2ClientProfileEnabled \$true \}/],
  },
  {
    name: 'OAuth certificate expired',
    apply: (i) => edit(i, org, 'NotAfter   : 3/9/2030 11:42:17 AM', 'NotAfter   : 10/1/2026 11:42:17 AM'),
    code: 'hma.oauth-certificate.expired',
    script: [/New-ExchangeCertificate/, /Set-AuthConfig -PublishCertificate/, /NotAfter -lt \(Get-Date\)\.AddDays\(60\)/],
  },
  {
    name: 'OAuth certificate named by Get-AuthConfig not among the certificates',
    apply: (i) => edit(i, org, 'Thumbprint : 5D2B8C4E1F3A7B9C0D6E2F4A8B1C3D5E7F9A0B2C', 'Thumbprint : 0000000000000000000000000000000000000000'),
    code: 'hma.oauth-certificate.missing',
    script: [/New-ExchangeCertificate/],
  },
  {
    name: 'one server below Exchange 2016 CU8',
    apply: (i) => edit(i, org, 'EX2  Mailbox    Version 15.2 (Build 1544.4)', 'EX2  Mailbox    Version 15.1 (Build 1261.35)'),
    code: 'hma.version.unsupported',
    server: 'EX2',
    script: [/# EX2: install Exchange 2016 CU23/, /\$ReadyToEnableHma = \$false/],
  },
];

describe('each single defect is reported alone, with its fix', () => {
  for (const d of defects) {
    it(d.name, () => {
      const report = analyzeHmaReadiness(d.apply(readyOrg()), { now });
      assert.deepEqual(report.inputIssues, [], 'the edited fixture still parses');
      const errors = report.findings.filter((f) => f.severity === 'error');
      assert.deepEqual(errors.map((f) => f.code), [d.code]);
      assert.equal(report.ready, false);
      const finding = errors[0]!;
      if (d.server) assert.equal(finding.server, d.server);
      assert.ok(finding.evidence.length > 0 || finding.code.startsWith('hma.input.'), 'evidence lines');
      for (const e of finding.evidence) assert.match(`${e.file}:${e.line}`, /^[\w.-]+\.txt:\d+$/);
      assert.ok(finding.why.length > 20 && finding.fix.length > 10);
      const script = renderHmaScript(report);
      for (const re of d.script) assert.match(script, re);
      for (const re of d.notInScript ?? []) assert.doesNotMatch(script, re);
    });
  }

  it('a certificate expiring within 60 days is a warning, not an error', () => {
    const at = (date: string) => analyzeHmaReadiness(edit(readyOrg(), org, 'NotAfter   : 3/9/2030 11:42:17 AM', `NotAfter   : ${date}`), { now });
    const soon = at('1/20/2027 10:00:00 AM');
    assert.equal(soon.ready, true);
    assert.deepEqual(soon.findings.filter((f) => f.severity === 'warning').map((f) => f.code), ['hma.oauth-certificate.expiring']);
    assert.match(soon.findings.find((f) => f.code === 'hma.oauth-certificate.expiring')!.title, /expires in 59 day/);
    const later = at('1/22/2027 10:00:00 AM');
    assert.deepEqual(later.findings.filter((f) => f.severity !== 'info').map((f) => f.code), []);
  });

  it('missing output is never a pass: each absent cmdlet is named with the command to run', () => {
    const report = analyzeHmaReadiness(readyOrg().filter((i) => i.name === vd), { now });
    assert.equal(report.ready, false);
    const codes = report.findings.filter((f) => f.severity === 'error').map((f) => f.code).sort();
    assert.deepEqual(codes, ['hma.input.auth-servers-missing', 'hma.input.oauth-certificate-missing', 'hma.input.organization-config-missing', 'hma.input.spn-list-missing', 'hma.input.versions-missing']);
    assert.match(report.findings.find((f) => f.code === 'hma.input.spn-list-missing')!.fix, /select -ExpandProperty ServicePrincipalNames/);
  });
});

describe('AuthServer output without Enabled', () => {
  it('cannot confirm the EvoSTS AuthServer is enabled, and says so', () => {
    const inputs = edit(readyOrg(), 'organization.txt', 'Type                           : AzureAD\nEnabled                        : True\n', 'Type                           : AzureAD\n');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['hma.auth-server.enabled-unverified']);
  });
});
