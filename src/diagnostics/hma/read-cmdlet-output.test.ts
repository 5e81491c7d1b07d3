import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asBool, asList, asText, parseShellDate } from './powershell-values.ts';
import { readCmdletOutput } from './read-cmdlet-output.ts';

describe('readCmdletOutput: Format-List', () => {
  it('reads blank-line separated records with their line numbers and the command above them', () => {
    const text = [
      'PS C:\\> Get-WebServicesVirtualDirectory | fl server,*url*,*oauth*',
      '',
      'Server              : EX1',
      'InternalUrl         : https://mail.corp.contoso.com/EWS/Exchange.asmx',
      'OAuthAuthentication : True',
      '',
      'Server              : EX2',
      'InternalUrl         :',
      'OAuthAuthentication : False',
    ].join('\r\n');
    const { records, issues } = readCmdletOutput('ews.txt', text);
    assert.deepEqual(issues, []);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.command, 'Get-WebServicesVirtualDirectory | fl server,*url*,*oauth*');
    assert.equal(records[0]!.ref.line, 3);
    assert.equal(asText(records[0]!.fields.get('internalurl')!.value), 'https://mail.corp.contoso.com/EWS/Exchange.asmx');
    assert.equal(records[0]!.fields.get('internalurl')!.ref.line, 4);
    assert.equal(asText(records[1]!.fields.get('internalurl')!.value), '');
    assert.equal(asBool(records[1]!.fields.get('oauthauthentication')!.value), false);
    assert.equal(records[1]!.fields.get('oauthauthentication')!.ref.line, 9);
  });

  it('joins wrapped values: after a comma with a space, inside a word without one', () => {
    const text = [
      'ServicePrincipalNames : {00000002-0000-0ff1-ce00-000000000000/outlook.com,',
      '                        https://autodiscover.contoso.com/, https://mail.contos',
      '                        o.com/}',
      'Subject               : CN=Microsoft Exchange Server Auth ',
      '                        Certificate',
    ].join('\n');
    const { records, issues } = readCmdletOutput('spn.txt', text);
    assert.deepEqual(issues, []);
    const spns = asList(records[0]!.fields.get('serviceprincipalnames')!.value)!;
    assert.deepEqual(spns.items, ['00000002-0000-0ff1-ce00-000000000000/outlook.com', 'https://autodiscover.contoso.com/', 'https://mail.contoso.com/']);
    assert.equal(spns.truncated, false);
    assert.equal(asText(records[0]!.fields.get('subject')!.value), 'CN=Microsoft Exchange Server Auth Certificate');
  });

  it('marks collections PowerShell cut at $FormatEnumerationLimit', () => {
    for (const cut of ['{Ntlm, OAuth, Negotiate...}', '{Ntlm, OAuth, Negotiate…}', '{Ntlm, OAuth, Negotiate, ...}']) {
      const { records } = readCmdletOutput('x.txt', `IISAuthenticationMethods : ${cut}`);
      const l = asList(records[0]!.fields.get('iisauthenticationmethods')!.value)!;
      assert.deepEqual(l.items, ['Ntlm', 'OAuth', 'Negotiate'], cut);
      assert.equal(l.truncated, true, cut);
    }
    const { records } = readCmdletOutput('x.txt', 'DomainName : {}');
    assert.deepEqual(asList(records[0]!.fields.get('domainname')!.value), { items: [], truncated: false });
  });

  it('names the line that is not Format-List inside a block', () => {
    const { records, issues } = readCmdletOutput('org.txt', 'OAuth2ClientProfileEnabled : True\nthis is a note typed by hand');
    assert.equal(records.length, 1);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, 'input.unrecognized-line');
    assert.equal(issues[0]!.file, 'org.txt');
    assert.equal(issues[0]!.line, 2);
    assert.match(issues[0]!.expected, /Name : value/);
  });
});

describe('readCmdletOutput: Format-Table', () => {
  it('slices rows by the dash columns, last column to the end of the line', () => {
    const text = [
      'Name                                          Enabled',
      '----                                          -------',
      'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98 True',
      'ACS - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98    False',
    ].join('\n');
    const { records, issues } = readCmdletOutput('auth.txt', text);
    assert.deepEqual(issues, []);
    assert.equal(records.length, 2);
    assert.equal(asText(records[0]!.fields.get('name')!.value), 'EvoSts - 6b9f1c2d-41a8-4f0e-9b7a-3c5d2e1f0a98');
    assert.equal(asBool(records[1]!.fields.get('enabled')!.value), false);
    assert.equal(records[1]!.ref.line, 4);
    assert.equal(records[1]!.format, 'format-table');
  });

  it('marks cells cut by the column width', () => {
    const text = ['Name InternalUrl', '---- -----------', 'EX1  https://mail.corp.contoso.com/Microsoft-Serv...'].join('\n');
    const { records } = readCmdletOutput('t.txt', text);
    const v = records[0]!.fields.get('internalurl')!.value;
    assert.equal(v.kind === 'scalar' && v.truncated, true);
  });
});

describe('readCmdletOutput: ConvertTo-Json', () => {
  it('reads an array of objects, flattening Uri, ADObjectId, ServerVersion and /Date()/ values', () => {
    const text = [
      '[',
      '    {',
      '        "Server":  { "Name":  "EX3", "DistinguishedName":  "CN=EX3,CN=Servers" },',
      '        "InternalUrl":  { "AbsoluteUri":  "https://mail.corp.contoso.com/mapi" },',
      '        "IISAuthenticationMethods":  [ 2, 10, 13 ],',
      '        "NotAfter":  "\\/Date(1857404565000)\\/",',
      '        "AdminDisplayVersion":  { "Major": 15, "Minor": 1, "Build": 2507, "Revision": 6 }',
      '    }',
      ']',
    ].join('\n');
    const { records, issues } = readCmdletOutput('x.json', text);
    assert.deepEqual(issues, []);
    const f = records[0]!.fields;
    assert.equal(asText(f.get('server')!.value), 'EX3');
    assert.equal(asText(f.get('internalurl')!.value), 'https://mail.corp.contoso.com/mapi');
    assert.equal(f.get('internalurl')!.ref.line, 4);
    assert.deepEqual(asList(f.get('iisauthenticationmethods')!.value)!.items, ['2', '10', '13']);
    assert.equal(asText(f.get('notafter')!.value), new Date(1857404565000).toISOString());
    assert.equal(asText(f.get('admindisplayversion')!.value), 'Version 15.1 (Build 2507.6)');
  });

  it('reads a single object and a bare array of strings', () => {
    const one = readCmdletOutput('o.json', '{ "OAuth2ClientProfileEnabled": true }');
    assert.equal(asBool(one.records[0]!.fields.get('oauth2clientprofileenabled')!.value), true);
    const list = readCmdletOutput('l.json', '[\n  "https://mail.contoso.com/",\n  "00000002-0000-0ff1-ce00-000000000000"\n]');
    assert.deepEqual(asList(list.records[0]!.fields.get('_items')!.value)!.items, ['https://mail.contoso.com/', '00000002-0000-0ff1-ce00-000000000000']);
    assert.deepEqual(list.records[0]!.itemRefs!.map((r) => r.line), [2, 3]);
  });

  it('reports broken JSON at its line and column and goes on with the rest of the file', () => {
    const text = ['[', '  { "Thumbprint": "AB"', '    "NotAfter": "x" }', ']', '', 'OAuth2ClientProfileEnabled : False'].join('\n');
    const { records, issues } = readCmdletOutput('c.json', text);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, 'input.json-syntax');
    assert.equal(issues[0]!.line, 3);
    assert.match(issues[0]!.message, /column 5/);
    assert.equal(records.length, 1);
    assert.equal(asBool(records[0]!.fields.get('oauth2clientprofileenabled')!.value), false);
  });
});

describe('readCmdletOutput: bare lists, prompts and PowerShell errors', () => {
  it('reads select -ExpandProperty output as one list with a line per item', () => {
    const text = ['PS C:\\> Get-MgServicePrincipal -Filter "AppId eq \'00000002-0000-0ff1-ce00-000000000000\'" | select -ExpandProperty ServicePrincipalNames', 'https://mail.contoso.com/', '00000002-0000-0ff1-ce00-000000000000/outlook.com', '00000002-0000-0ff1-ce00-000000000000'].join('\n');
    const { records, issues } = readCmdletOutput('s.txt', text);
    assert.deepEqual(issues, []);
    assert.equal(records[0]!.format, 'bare-list');
    assert.deepEqual(records[0]!.itemRefs!.map((r) => r.line), [2, 3, 4]);
  });

  it('takes tenants from "# tenant:" lines and Connect-MgGraph -TenantId, and skips the Graph welcome banner', () => {
    const text = ['# tenant: contoso.onmicrosoft.com', 'https://mail.contoso.com/', '', 'PS C:\\> Connect-MgGraph -TenantId fabrikam.onmicrosoft.com -Scopes Application.Read.All', 'Welcome to Microsoft Graph!', '', 'https://mail.fabrikam.com/'].join('\n');
    const { records, issues } = readCmdletOutput('t.txt', text);
    assert.deepEqual(issues, []);
    assert.deepEqual(records.map((r) => r.tenant), ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']);
  });

  it('recognizes PowerShell error text instead of reading it as data', () => {
    const text = [
      "Get-AuthServer : The term 'Get-AuthServer' is not recognized as the name of a cmdlet.",
      'At line:1 char:1',
      '+ Get-AuthServer | ft name,enabled',
      '    + CategoryInfo          : ObjectNotFound: (Get-AuthServer:String) [], CommandNotFoundException',
    ].join('\n');
    const { records, issues } = readCmdletOutput('e.txt', text);
    assert.equal(records.length, 0);
    assert.equal(issues[0]!.code, 'input.powershell-error');
    assert.equal(issues[0]!.line, 1);
  });

  it('never throws on arbitrary text: every unreadable line becomes an issue', () => {
    const noise = ['%%%% ^^^^', '   leading spaces only', ': starts with a colon', '{ not json', '[1, 2'];
    for (const n of noise) {
      const { issues } = readCmdletOutput('n.txt', n);
      assert.ok(issues.length > 0, n);
      assert.equal(issues[0]!.file, 'n.txt');
    }
  });
});

describe('parseShellDate', () => {
  it('reads the cultures Format-List prints dates in', () => {
    assert.equal(parseShellDate('3/9/2030 11:42:17 AM')!.toISOString(), '2030-03-09T11:42:17.000Z');
    assert.equal(parseShellDate('3/9/2030 11:42:17 PM')!.toISOString(), '2030-03-09T23:42:17.000Z');
    assert.equal(parseShellDate('14.11.2028 15:22:45')!.toISOString(), '2028-11-14T15:22:45.000Z');
    assert.equal(parseShellDate('25/12/2027 08:00:00')!.toISOString(), '2027-12-25T08:00:00.000Z');
    assert.equal(parseShellDate('2028-11-14T15:22:45Z')!.toISOString(), '2028-11-14T15:22:45.000Z');
    assert.equal(parseShellDate('14 Nov 2028 15:22')!.toISOString(), '2028-11-14T15:22:00.000Z');
    assert.equal(parseShellDate('next tuesday'), undefined);
    assert.equal(parseShellDate('13/13/2028'), undefined);
  });
});

describe('readCmdletOutput on any text', () => {
  it('returns records and issues, never throws, and every issue names a line of the input', async () => {
    const fc = (await import('fast-check')).default;
    const pieces = fc.constantFrom('Server : EX1', 'OAuthAuthentication : True', '  wrapped', '----  ----', 'Name Enabled', '{', '[', '"x": 1', '}', ']', '', 'PS C:\\> Get-AuthServer', 'https://mail.contoso.com/', '+ CategoryInfo : x', 'garbage ::: !!', '\t', 'IISAuthenticationMethods : {Ntlm, OAuth...}');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 30 }), (lines) => {
        const text = lines.join('\n');
        const { issues } = readCmdletOutput('fuzz.txt', text);
        const count = text.split('\n').length;
        for (const i of issues) assert.ok(i.line >= 1 && i.line <= count, `line ${i.line} of ${count}`);
      }),
      { numRuns: 400 },
    );
  });
});

describe('readCmdletOutput: what follows Connect-MgGraph and broken JSON', () => {
  it('reads a list right after Connect-MgGraph -NoWelcome (only a welcome banner is skipped)', () => {
    const text = ['PS C:\\> Connect-MgGraph -NoWelcome', 'https://mail.contoso.com/', '00000002-0000-0ff1-ce00-000000000000'].join('\n');
    const { records, issues } = readCmdletOutput('s.txt', text);
    assert.deepEqual(issues, []);
    assert.equal(records.length, 1);
  });

  it('keeps the command line that directly follows a truncated JSON paste', () => {
    const text = ['[', '  { "Name": "EX1",', 'PS C:\\> Get-OrganizationConfig | fl OAuth2ClientProfileEnabled', 'OAuth2ClientProfileEnabled : True'].join('\n');
    const { records, issues } = readCmdletOutput('j.txt', text);
    assert.deepEqual(issues.map((i) => [i.code, i.line]), [['input.json-syntax', 3]]);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.command, 'Get-OrganizationConfig | fl OAuth2ClientProfileEnabled');
  });
});
