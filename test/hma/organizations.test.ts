import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import { renderHmaText } from '../../src/diagnostics/hma/render-text.ts';
import { edit, fixture, now, readyOrg } from './fixtures.ts';

const readyWithout = (name: string) => readyOrg().filter((i) => i.name !== name);

describe('several servers, one of them pasted as ConvertTo-Json', () => {
  it('reads the JSON server next to the Format-List ones and reports its gaps by server', () => {
    const report = analyzeHmaReadiness([...readyOrg(), fixture('exchange-json.json'), fixture('exchange-json-2.json')], { now });
    assert.deepEqual(report.inputIssues, []);
    assert.deepEqual(report.servers.map((s) => s.name), ['EX1', 'EX2', 'EX3']);
    assert.equal(report.servers[2]!.version, 'Exchange 2016 CU10 (15.1.1531.3)');
    const ex3 = report.findings.filter((f) => f.server === 'EX3');
    // MAPI on EX3 is [2, 13] = {Ntlm, Negotiate} (Windows PowerShell writes enums as numbers).
    const mapi = ex3.find((f) => f.code === 'hma.vdir.oauth-disabled')!;
    assert.match(mapi.title, /EX3 MAPI\/HTTP \(mapi \(Default Web Site\)\) \(methods: \{Ntlm, Negotiate\}/);
    assert.equal(mapi.evidence[1]!.file, 'exchange-json.json');
    assert.equal(mapi.evidence[1]!.line, 13);
    assert.deepEqual(ex3.filter((f) => f.code === 'hma.input.virtual-directory-missing').map((f) => f.title).sort(), [
      'No Get-ActiveSyncVirtualDirectory output for EX3',
      'No Get-AutodiscoverVirtualDirectory output for EX3',
      'No Get-OABVirtualDirectory output for EX3',
      'No Get-WebServicesVirtualDirectory output for EX3',
    ]);
    // EX3's MAPI URL uses a host already registered: no SPN finding.
    assert.equal(report.findings.some((f) => f.code === 'hma.spn.missing'), false);
  });

  it('leaves -DomainName out once one server is older than 2016 CU18', () => {
    const inputs = edit([...readyOrg(), fixture('exchange-json-2.json')], 'organization.txt', 'IsDefaultAuthorizationEndpoint : True', 'IsDefaultAuthorizationEndpoint : False');
    const script = renderHmaScript(analyzeHmaReadiness(inputs, { now }));
    assert.match(script, /Set-AuthServer -Identity 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98' -IsDefaultAuthorizationEndpoint \$true/);
    assert.doesNotMatch(script, /-DomainName/);
  });
});

describe('several tenants in hybrid', () => {
  it('checks the SPNs in every tenant, matching hosts case-insensitively and ignoring paths', () => {
    const report = analyzeHmaReadiness([...readyWithout('service-principal.txt'), fixture('multi-tenant.txt')], { now });
    assert.deepEqual(report.inputIssues, []);
    assert.deepEqual(report.tenants, ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']);
    const spn = report.findings.filter((f) => f.code === 'hma.spn.missing');
    assert.equal(spn.length, 1);
    assert.equal(spn[0]!.tenant, 'fabrikam.onmicrosoft.com');
    // fabrikam has https://MAIL.CONTOSO.COM/owa, which covers mail.contoso.com (scheme + host).
    assert.match(spn[0]!.title, /: https:\/\/autodiscover\.contoso\.com\/, https:\/\/mail\.corp\.contoso\.com\/$/);
    assert.ok(spn[0]!.evidence.some((e) => e.file === 'multi-tenant.txt' && e.line === 12));
    const perTenant = report.findings.find((f) => f.code === 'hma.auth-server.per-tenant')!;
    assert.equal(perTenant.severity, 'error');
    assert.match(perTenant.title, /none for fabrikam\.onmicrosoft\.com$/);
    const script = renderHmaScript(report);
    assert.equal(script.match(/Update-MgServicePrincipal/g)!.length, 1);
    assert.match(script, /# Tenant: fabrikam\.onmicrosoft\.com/);
  });

  it('does not count an http:// SPN, and warns about http:// virtual directory URLs', () => {
    const inputs = edit(edit(readyOrg(), 'service-principal.txt', 'https://mail.contoso.com/\n', 'http://mail.contoso.com/\n'), 'virtual-directories.txt', 'ExternalUrl          : https://mail.contoso.com/EWS', 'ExternalUrl          : http://mail.contoso.com/EWS');
    const report = analyzeHmaReadiness(inputs, { now });
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['hma.spn.missing']);
    assert.equal(report.findings.filter((f) => f.code === 'hma.url.not-https').length, 1);
  });

  it('with two tenants and no tenant names, each file is its own tenant: one list never covers the other', () => {
    const second = { name: 'tenant-b.txt', text: 'https://mail.contoso.com/\n00000002-0000-0ff1-ce00-000000000000\n' };
    const report = analyzeHmaReadiness([...readyOrg(), second], { now });
    const spn = report.findings.filter((f) => f.code === 'hma.spn.missing');
    assert.deepEqual(spn.map((f) => f.tenant), ['tenant-b.txt']);
  });
});

describe('old versions', () => {
  it('names every server below 2013 CU19 / 2016 CU8 and keeps HMA switched off in the script', () => {
    const report = analyzeHmaReadiness([...readyWithout('organization.txt'), fixture('old-versions.txt')], { now });
    const unsupported = report.findings.filter((f) => f.code === 'hma.version.unsupported');
    assert.deepEqual(unsupported.map((f) => f.server), ['EX2013', 'EX2016A', 'EX2010']);
    assert.match(unsupported[0]!.title, /Exchange 2013 CU18 \(15\.0\.1347\.2\)/);
    assert.equal(unsupported[0]!.evidence[0]!.line, 5);
    assert.equal(report.servers.some((s) => s.name === 'EDGE1'), false, 'Edge servers do not serve clients');
    const script = renderHmaScript(report);
    assert.match(script, /\$ReadyToEnableHma = \$false/);
    assert.match(script, /# BLOCKING: \[hma\.version\.unsupported\] EX2013/);
  });
});

describe('garbled input', () => {
  it('says which file, which line and what was expected, and still reads what it can', () => {
    const report = analyzeHmaReadiness([...readyOrg(), fixture('garbled.txt')], { now });
    const issues = report.inputIssues.map((i) => [i.code, i.file, i.line]);
    assert.deepEqual(issues, [
      ['input.unrecognized-line', 'garbled.txt', 9],
      ['input.json-syntax', 'garbled.txt', 16],
      ['input.powershell-error', 'garbled.txt', 21],
    ]);
    assert.ok(report.inputIssues.every((i) => i.expected.length > 10));
    assert.equal(report.unreadableInput, true);
    assert.equal(report.ready, false);
    assert.ok(report.inputs.find((i) => i.name === 'garbled.txt')!.records.some((r) => r.kind === 'auth-server' && r.format === 'format-table'));
    assert.match(renderHmaText(report), /garbled\.txt:16: ConvertTo-Json output is broken at column 9/);
  });

  it('an empty file and a file of unknown objects are input problems, not passes', () => {
    const report = analyzeHmaReadiness([{ name: 'empty.txt', text: '  \n' }, { name: 'other.txt', text: 'DisplayName : Contoso\nAlias       : admin\n' }], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.file, i.line]), [
      ['input.empty', 'empty.txt', 1],
      ['input.unrecognized-record', 'other.txt', 1],
    ]);
    assert.equal(report.ready, false);
  });

  it('never throws, whatever lines of the fixtures are shuffled together', async () => {
    const fc = (await import('fast-check')).default;
    const lines = [...readyOrg(), fixture('garbled.txt'), fixture('exchange-json.json')].flatMap((i) => i.text.split('\n'));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...lines), { maxLength: 60 }), (picked) => {
        const report = analyzeHmaReadiness([{ name: 'mix.txt', text: picked.join('\n') }], { now });
        assert.equal(typeof report.ready, 'boolean');
        renderHmaText(report);
        renderHmaScript(report);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Format-List wrapped at 80 columns with a truncated SPN list', () => {
  it('joins the wrapped SPNs and reports hosts it cannot see as unverified (not missing, not a pass)', () => {
    const report = analyzeHmaReadiness([...readyWithout('service-principal.txt'), fixture('wrapped-80-columns.txt')], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.line]), [['input.truncated', 'warning', 5]]);
    const errors = report.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(errors.map((f) => f.code), ['hma.spn.unverified']);
    // mail.contoso.com was wrapped mid-word ("contos" / "o.com") and is found; autodiscover is past the cut.
    assert.match(errors[0]!.title, /: https:\/\/autodiscover\.contoso\.com\/$/);
    assert.match(errors[0]!.fix, /select -ExpandProperty ServicePrincipalNames/);
    assert.equal(errors[0]!.remediation, undefined, 'no SPN is added on a guess');
    assert.equal(report.ready, false);
  });
});

describe('HMA for OWA and ECP', () => {
  const inputs = () => [...readyOrg(), fixture('owa-ecp.txt')];

  it('checks the April 2024 HU from ExSetup, the reply URLs, the other methods, and warns about the built-in Administrator', () => {
    const report = analyzeHmaReadiness(inputs(), { now });
    assert.deepEqual(report.inputIssues, []);
    assert.equal(report.ready, true, 'OWA/ECP HMA is optional: its gaps are warnings in auto mode');
    const codes = report.findings.map((f) => f.code);
    assert.ok(codes.includes('hma.owa-ecp.builtin-administrator'));
    const version = report.findings.find((f) => f.code === 'hma.owa-ecp.version')!;
    assert.match(version.title, /EX2 \(Exchange 2019 CU14 \(15\.2\.1544\.9\)\)/);
    assert.doesNotMatch(version.title, /EX1/);
    const reply = report.findings.find((f) => f.code === 'hma.owa-ecp.reply-url-missing')!;
    // https://mail.contoso.com/ecp/ (trailing slash) counts as https://mail.contoso.com/ecp.
    assert.match(reply.title, /: https:\/\/mail\.corp\.contoso\.com\/ecp, https:\/\/mail\.corp\.contoso\.com\/owa$/);
    assert.equal(report.findings.filter((f) => f.code === 'hma.owa-ecp.other-auth-enabled').length, 2);
  });

  it('orders the script: reply URLs, enable HMA, disable other methods, then OAuth with ECP before OWA, all behind $EnableOwaEcpHma', () => {
    const inputsOff = edit(inputs(), 'organization.txt', 'OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False');
    const script = renderHmaScript(analyzeHmaReadiness(inputsOff, { now }));
    const at = (re: RegExp) => {
      const m = re.exec(script);
      assert.ok(m, String(re));
      return m.index;
    };
    const reply = at(/-ReplyUrls \(@\(\$servicePrincipal\.ReplyUrls\) \+ \$replyUrlsToBeAdded\)/);
    const enable = at(/Set-OrganizationConfig -OAuth2ClientProfileEnabled \$true/);
    const disable = at(/Set-OwaVirtualDirectory -AdfsAuthentication \$false -BasicAuthentication \$false -FormsAuthentication \$false -DigestAuthentication \$false/);
    const ecp = at(/Set-EcpVirtualDirectory -OAuthAuthentication \$true/);
    const owa = at(/Set-OwaVirtualDirectory -OAuthAuthentication \$true/);
    assert.ok(reply < enable && enable < disable && disable < ecp && ecp < owa, 'seed order');
    assert.match(script, /\$EnableOwaEcpHma = \$false {2}# BLOCKED/);
    assert.equal(script.match(/if \(\$EnableOwaEcpHma\) \{/g)!.length, 3);
    assert.match(script, /built-in Administrator/);
  });

  it('becomes errors when required, or when OWA/ECP already use OAuth somewhere', () => {
    const required = analyzeHmaReadiness(inputs(), { now, owaEcp: 'required' });
    assert.equal(required.ready, false);
    assert.ok(required.findings.some((f) => f.code === 'hma.owa-ecp.version' && f.severity === 'error'));
    const partly = analyzeHmaReadiness(edit(inputs(), 'owa-ecp.txt', 'OAuthAuthentication           : False', 'OAuthAuthentication           : True', 2), { now });
    assert.ok(partly.findings.some((f) => f.code === 'hma.owa-ecp.other-auth-enabled' && f.severity === 'error'));
    const skipped = analyzeHmaReadiness(inputs(), { now, owaEcp: 'skip' });
    assert.equal(skipped.findings.some((f) => f.code.includes('owa-ecp')), false);
  });
});

describe('the remediation script', () => {
  it('keeps the seed order across steps: SPNs, virtual directories, AuthServer, certificate, then HMA on', () => {
    let inputs = edit(readyOrg(), 'service-principal.txt', 'https://mail.corp.contoso.com/\n', '');
    inputs = edit(inputs, 'virtual-directories.txt', '/OAB\nOAuthAuthentication : True', '/OAB\nOAuthAuthentication : False');
    inputs = edit(inputs, 'organization.txt', 'Type                           : AzureAD\nEnabled                        : True', 'Type                           : AzureAD\nEnabled                        : False');
    inputs = edit(inputs, 'organization.txt', 'NotAfter   : 3/9/2030 11:42:17 AM', 'NotAfter   : 12/1/2026 11:42:17 AM');
    inputs = edit(inputs, 'organization.txt', 'OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False');
    const report = analyzeHmaReadiness(inputs, { now });
    const script = renderHmaScript(report);
    const order = ['Update-MgServicePrincipal', 'Set-OABVirtualDirectory', "-Enabled $true", 'New-ExchangeCertificate', 'Set-OrganizationConfig'].map((s) => script.indexOf(s));
    assert.ok(order.every((n) => n > 0));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.match(script, /\$ReadyToEnableHma = \$true\n/);
    // The text report lists errors in the same order.
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['hma.spn.missing', 'hma.vdir.oauth-disabled', 'hma.auth-server.evosts-disabled', 'hma.org.oauth2-client-profile-disabled']);
  });
});

describe('OWA/ECP URLs collected the way the seed does ("fl name, *url*", no Server)', () => {
  it('checks them as reply URLs and says once per cmdlet that per-server settings cannot be checked', () => {
    const sp = { name: 'reply-urls.txt', text: 'PS C:\\> (Get-MgServicePrincipal -Filter "AppId eq \'00000002-0000-0ff1-ce00-000000000000\'").ReplyUrls\nhttps://mail.contoso.com/owa/\n' };
    const report = analyzeHmaReadiness([...readyOrg(), fixture('owa-ecp-urls.txt'), sp], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.line]), [
      ['input.missing-server', 'warning', 4],
      ['input.missing-server', 'warning', 19],
    ]);
    assert.deepEqual(report.tenants, ['unnamed tenant'], 'SPNs and reply URLs from two files are one tenant');
    const reply = report.findings.find((f) => f.code === 'hma.owa-ecp.reply-url-missing')!;
    assert.match(reply.title, /: https:\/\/mail\.contoso\.com\/ecp$/);
    assert.equal(report.findings.some((f) => f.code === 'hma.input.owa-ecp-server-missing'), false);
    assert.ok(report.findings.some((f) => f.code === 'hma.owa-ecp.version-unverified'));
  });
});

describe('Format-Table output, cut and wrapped', () => {
  it('joins -Wrap rows, keeps URLs cut inside the path, and drops (with a warning) one cut inside the host', () => {
    const report = analyzeHmaReadiness([fixture('format-table.txt')], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.severity, i.line]), [['input.truncated', 'warning', 14]]);
    assert.deepEqual(report.servers.map((s) => [s.name, s.version]), [
      ['EX1', 'Exchange 2019 CU14 (15.2.1544.4)'],
      ['EX2', 'Exchange 2019 CU14 (15.2.1544.4)'],
    ]);
    // Both AuthServers read whole across their wrapped rows; the EvoSts one is the default: no AuthServer finding.
    assert.equal(report.findings.some((f) => f.code.startsWith('hma.auth-server.')), false);
    const withSpns = analyzeHmaReadiness([fixture('format-table.txt'), { name: 'spn.txt', text: 'https://mail.contoso.com/\n' }], { now });
    const spn = withSpns.findings.find((f) => f.code === 'hma.spn.missing')!;
    // mail.corp.contoso.com comes from the cut InternalUrl cells; the host-cut ExternalUrl adds nothing;
    // autodiscover.contoso.com is the Autodiscover name of the domain of the readable ExternalUrls.
    assert.match(spn.title, /: https:\/\/autodiscover\.contoso\.com\/, https:\/\/mail\.corp\.contoso\.com\/$/);
  });
});

describe('output that is not there', () => {
  it('names a file with only command lines, and makes a directory without its OAuth fields an error, not a pass', () => {
    const onlyCommands = { name: 'commands.txt', text: 'PS C:\\> Get-AuthServer | ft name,enabled\n# nothing was copied below\n' };
    const urlsOnly = edit(readyOrg(), 'virtual-directories.txt', 'IISAuthenticationMethods      : {Ntlm, OAuth, Negotiate}\nInternalAuthenticationMethods : {Ntlm, OAuth, Negotiate}\nExternalAuthenticationMethods : {Ntlm, OAuth, Negotiate}\n', '');
    const report = analyzeHmaReadiness([...urlsOnly, onlyCommands], { now });
    assert.deepEqual(report.inputIssues.map((i) => [i.code, i.file]), [['input.no-output', 'commands.txt']]);
    const unverified = report.findings.filter((f) => f.code === 'hma.vdir.oauth-unverified');
    assert.deepEqual(unverified.map((f) => [f.server, f.severity]), [['EX1', 'error']]);
    assert.equal(report.ready, false);
  });
});
