import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import type { HmaInput } from '../../src/diagnostics/hma/types.ts';
import { edit, now, readyOrg, replaceSection } from './fixtures.ts';

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
    name: 'an ACS AuthServer, not EvoSTS, is the default authorization endpoint',
    // The flags swapped: EvoSts loses it (its only "True") and ACS, listed first, gets it.
    apply: (i) => edit(edit(i, org, 'IsDefaultAuthorizationEndpoint : True', 'IsDefaultAuthorizationEndpoint : False'), org, 'IsDefaultAuthorizationEndpoint : False', 'IsDefaultAuthorizationEndpoint : True'),
    code: 'hma.auth-server.default-not-evosts',
    script: [
      /Set-AuthServer -Identity 'ACS - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -IsDefaultAuthorizationEndpoint \$false\n\s*Set-AuthServer -Identity 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -DomainName 'contoso\.onmicrosoft\.com' -IsDefaultAuthorizationEndpoint \$true/,
    ],
  },
  {
    name: 'Get-AuthServer collected as the seed shows it ("ft name,enabled"): IsDefaultAuthorizationEndpoint unknown',
    apply: (i) => replaceSection(i, org, '[PS] C:\\Windows\\system32>Get-AuthServer', '[PS] C:\\Windows\\system32>Get-OrganizationConfig', [
      '[PS] C:\\Windows\\system32>Get-AuthServer | where {$_.Name -like "EvoSts*"} | ft name,enabled',
      '',
      'Name                                          Enabled',
      '----                                          -------',
      'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98    True',
      '',
      '',
    ]),
    code: 'hma.auth-server.default-unverified',
    // "ft name,enabled" shows no DomainName either, so -DomainName is left for the administrator to add.
    script: [/if \(-not \(Get-AuthServer \| Where-Object \{ \$_\.IsDefaultAuthorizationEndpoint \}\)\) \{\n\s*Set-AuthServer -Identity 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -IsDefaultAuthorizationEndpoint \$true\n\s*\}/],
  },
  {
    name: 'Get-ExchangeServer run for EX1 only, while EX2 serves virtual directories',
    apply: (i) => edit(edit(i, org, 'Get-ExchangeServer | ft', 'Get-ExchangeServer EX1 | ft'), org, 'EX2  Mailbox    Version 15.2 (Build 1544.4)\n', ''),
    code: 'hma.input.server-version-missing',
    server: 'EX2',
    script: [],
  },
  {
    name: 'no OAuth certificate configured (CurrentCertificateThumbprint empty, so there is no certificate to show)',
    apply: (i) => replaceSection(edit(i, org, 'CurrentCertificateThumbprint : 5D2B8C4E1F3A7B9C0D6E2F4A8B1C3D5E7F9A0B2C', 'CurrentCertificateThumbprint :'), org, "[PS] C:\\Windows\\system32>Get-ExchangeServer | where { $_.ServerRole -ne 'Edge' }", undefined, []),
    code: 'hma.oauth-certificate.not-configured',
    script: [/New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable \$true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate'/, /Set-AuthConfig -PublishCertificate/],
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

describe('single defects reported as warnings, the organization still ready', () => {
  it('two EvoSTS AuthServers (two tenants in hybrid) but the SPN list of only one: hma.auth-server.tenants-not-all-checked', () => {
    const second = 'Name                           : EvoSts - 2c4e6a8b-0d1f-4a3c-8e5b-7f9a1b3c5d7e\nType                           : AzureAD\nEnabled                        : True\nIsDefaultAuthorizationEndpoint : False\nDomainName                     : {fabrikam.onmicrosoft.com}\n\n';
    const inputs = edit(readyOrg(), org, 'Name                           : EvoSts - 6b9f', `${second}Name                           : EvoSts - 6b9f`);
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.inputIssues, []);
    assert.equal(report.ready, true);
    const warnings = report.findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(warnings.map((f) => f.code), ['hma.auth-server.tenants-not-all-checked']);
    assert.match(warnings[0]!.title, /2 EvoSTS AuthServers suggest 2 tenants in hybrid, but SPN lists for only 1 were provided/);
    assert.deepEqual(warnings[0]!.evidence.map((e) => `${e.file}:${e.line}`).length, 2);
  });

  it('OWA/ECP collected without their authentication settings ("fl server,name,*url*"): hma.owa-ecp.auth-unverified per directory', () => {
    const block = (cmdlet: string, name: string, path: string) =>
      [`[PS] C:\\Windows\\system32>${cmdlet} | fl server,name,*url*`, ''].concat(
        ['EX1', 'EX2'].flatMap((server) => ['', `Server      : ${server}`, `Name        : ${name} (Default Web Site)`, `InternalUrl : https://mail.corp.contoso.com/${path}`, `ExternalUrl : https://mail.contoso.com/${path}`]),
      );
    const owaEcp = {
      name: 'owa-ecp.txt',
      text: [
        ...block('Get-OwaVirtualDirectory', 'owa', 'owa'),
        '',
        ...block('Get-EcpVirtualDirectory', 'ecp', 'ecp'),
        '',
        'PS C:\\> Invoke-Command -ComputerName EX1,EX2 { (Get-Command ExSetup.exe).FileVersionInfo } | fl PSComputerName,FileVersion',
        '',
        'PSComputerName : EX1',
        'FileVersion    : 15.02.1544.011',
        '',
        'PSComputerName : EX2',
        'FileVersion    : 15.02.1544.011',
        '',
        'PS C:\\> (Get-MgServicePrincipal -Filter "AppId eq \'00000002-0000-0ff1-ce00-000000000000\'").ReplyUrls',
        'https://mail.contoso.com/owa',
        'https://mail.contoso.com/ecp',
        'https://mail.corp.contoso.com/owa',
        'https://mail.corp.contoso.com/ecp',
        '',
      ].join('\n'),
    };
    const report = analyzeHmaReadiness([...readyOrg(), owaEcp], { now });
    assert.deepEqual(report.inputIssues, []);
    assert.equal(report.ready, true, 'OWA/ECP HMA is optional: in auto mode the gap is a warning');
    const warnings = report.findings.filter((f) => f.severity === 'warning' && f.code !== 'hma.owa-ecp.builtin-administrator');
    assert.deepEqual(warnings.map((f) => [f.code, f.server]).sort(), [
      ['hma.owa-ecp.auth-unverified', 'EX1'],
      ['hma.owa-ecp.auth-unverified', 'EX1'],
      ['hma.owa-ecp.auth-unverified', 'EX2'],
      ['hma.owa-ecp.auth-unverified', 'EX2'],
    ]);
    assert.ok(warnings.every((f) => /Get-(Owa|Ecp)VirtualDirectory/.test(f.fix)), 'the fix names the command that shows the settings');
    // Without the settings, no other authentication method is switched off on a guess.
    assert.doesNotMatch(renderHmaScript(report), /-BasicAuthentication \$false/);
  });
});

describe('single input problems: the line, what was expected, never a pass', () => {
  it('input.bad-version: AdminDisplayVersion cut short by a narrow console', () => {
    const inputs = edit(readyOrg(), org, 'EX2  Mailbox    Version 15.2 (Build 1544.4)', 'EX2  Mailbox    Version 15.2 (Bu...');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.file, i.line]), [['input.bad-version', 'error', org, 6]]);
    assert.match(report.inputIssues[0]!.message, /cut short by Format-Table/);
    assert.match(report.inputIssues[0]!.expected, /use fl rather than ft/);
    assert.equal(report.ready, false);
    // The server whose version could not be read is not taken as supported.
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.server]), [['hma.input.server-version-missing', 'EX2']]);
  });

  it('input.bad-date: NotAfter in a culture the check cannot read (ko-KR)', () => {
    let inputs = edit(readyOrg(), org, 'NotAfter   : 3/9/2030 11:42:17 AM', 'NotAfter   : 2030-03-09 오전 11:42:17');
    inputs = edit(inputs, org, 'NotAfter   : 3/9/2030 11:42:17 AM', 'NotAfter   : 2030-03-09 오전 11:42:17');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.line]), [['input.bad-date', 'error', 46], ['input.bad-date', 'error', 53]]);
    assert.match(report.inputIssues[0]!.message, /cannot read the date "2030-03-09 오전 11:42:17"/);
    assert.equal(report.ready, false);
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['hma.input.oauth-certificate-expiry-missing']);
  });

  it('input.exsetup-without-server: ExSetup.exe read on one server without PSComputerName, two servers present', () => {
    const exsetup = { name: 'exsetup.txt', text: '[PS] C:\\Windows\\system32>(Get-Command ExSetup.exe).FileVersionInfo | fl FileVersion\n\nFileVersion : 15.02.1544.011\n' };
    const report = analyzeHmaReadiness([...readyOrg(), exsetup], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.file, i.line]), [['input.exsetup-without-server', 'error', 'exsetup.txt', 3]]);
    assert.match(report.inputIssues[0]!.expected, /PSComputerName/);
    assert.equal(report.ready, false);
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error'), []);
  });
});
