import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeHmaReadiness } from '../../src/diagnostics/hma/analyze-hma-readiness.ts';
import { kindFromCommand } from '../../src/diagnostics/hma/recognize-record.ts';
import { renderHmaScript } from '../../src/diagnostics/hma/render-script.ts';
import { projectRoot } from '../support/env.ts';
import { edit, fixture, now, readyOrg } from './fixtures.ts';

/**
 * Microsoft's "Configure Exchange Server to use Hybrid Modern Auth" page, as published in the seeds
 * beside the project (read as is, never copied into the repository). The suite skips when the seeds
 * are not there, like the conformance suites do for their kit.
 */
const seedsDir = process.env['DOVETAIL_SEEDS_DIR'] ?? resolve(projectRoot, '..', 'shared', 'seeds');

function seedsSkip(): false | string {
  if (existsSync(seedsDir)) return false;
  if (process.env['DOVETAIL_TEST_CONFORMANCE'] === 'required') throw new Error(`DOVETAIL_TEST_CONFORMANCE=required but ${seedsDir} does not exist`);
  return `seeds not found at ${seedsDir}`;
}

function hmaSeed(): string {
  const file = readdirSync(seedsDir).find((f) => f.startsWith('002_'));
  assert.ok(file, 'seed 002 is present');
  return readFileSync(resolve(seedsDir, file), 'utf8');
}

/** The fenced code blocks of the page, with their first line number. */
function codeBlocks(markdown: string): { text: string; line: number }[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: { text: string; line: number }[] = [];
  let open: { start: number; indent: number; body: string[] } | undefined;
  lines.forEach((l, n) => {
    const fence = /^(\s*)```/.exec(l);
    if (fence) {
      if (open) {
        blocks.push({ text: open.body.join('\n'), line: open.start + 2 });
        open = undefined;
      } else open = { start: n, indent: fence[1]!.length, body: [] };
      return;
    }
    if (open) open.body.push(l.slice(Math.min(open.indent, l.length - l.trimStart().length)));
  });
  return blocks;
}

describe('seed 002: Configure Exchange Server to use Hybrid Modern Auth', { skip: seedsSkip() }, () => {
  it('reads the example output the page shows, with the command line above it', () => {
    const outputs = codeBlocks(hmaSeed()).filter((b) => /^\w+\s+: /m.test(b.text));
    assert.equal(outputs.length, 1, 'the page shows one example of cmdlet output');
    const report = analyzeHmaReadiness([{ name: 'seed-002.md', text: outputs[0]!.text }], { now });
    assert.deepEqual(report.inputIssues, []);
    assert.deepEqual(report.inputs[0]!.records.map((r) => [r.kind, r.format]), [['mapi', 'format-list']]);
    assert.deepEqual(report.servers.map((s) => [s.name, s.virtualDirectories]), [['EX1', ['mapi']]]);
    assert.equal(report.findings.some((f) => f.code === 'hma.vdir.oauth-disabled' || f.code === 'hma.vdir.oauth-unverified'), false, 'OAuth is in all three lists');
    // Its URLs are what the SPN check needs (mail.contoso.com, and autodiscover.contoso.com for the
    // domain of its ExternalUrl); with no SPN list given, it asks for one.
    assert.match(report.findings.find((f) => f.code === 'hma.input.spn-list-missing')!.why, /2 hosts found/);
  });

  it('recognizes every Get- command the page tells the administrator to run', () => {
    const commands = codeBlocks(hmaSeed())
      .flatMap((b) => b.text.split('\n'))
      .map((l) => l.trim())
      .filter((l) => /^\(?Get-|^\$\w+ = Get-/.test(l) && !/Get-ExchangeDiagnosticInfo/.test(l));
    assert.ok(commands.length >= 12, `found ${commands.length} commands`);
    const kinds = new Set<string>();
    for (const c of commands) {
      const kind = kindFromCommand(c);
      assert.ok(kind, `not recognized: ${c}`);
      kinds.add(kind);
    }
    assert.deepEqual([...kinds].sort(), ['auth-server', 'autodiscover', 'client-access-service', 'eas', 'ecp', 'ews', 'mapi', 'oab', 'owa', 'service-principal']);
  });

  it('puts every configuration command of the page into the remediation script, with the same parameters', () => {
    let inputs = [...readyOrg(), fixture('owa-ecp.txt')];
    inputs = edit(inputs, 'service-principal.txt', 'https://mail.corp.contoso.com/\n', '');
    inputs = edit(inputs, 'virtual-directories.txt', 'IISAuthenticationMethods      : {Ntlm, OAuth, Negotiate}', 'IISAuthenticationMethods      : {Ntlm, Negotiate}');
    inputs = edit(inputs, 'virtual-directories.txt', 'Exchange.asmx\nOAuthAuthentication  : True', 'Exchange.asmx\nOAuthAuthentication  : False');
    inputs = edit(inputs, 'virtual-directories.txt', '/OAB\nOAuthAuthentication : True', '/OAB\nOAuthAuthentication : False');
    inputs = edit(inputs, 'virtual-directories.txt', 'Server              : EX1\nOAuthAuthentication : True', 'Server              : EX1\nOAuthAuthentication : False');
    inputs = edit(inputs, 'organization.txt', 'IsDefaultAuthorizationEndpoint : True', 'IsDefaultAuthorizationEndpoint : False');
    inputs = edit(inputs, 'organization.txt', 'OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False');
    const script = renderHmaScript(analyzeHmaReadiness(inputs, { now }));
    const scriptLines = script.split('\n');

    const seed = hmaSeed();
    // Configuration commands in the page's code blocks; the Download Domains and resource forest
    // setting overrides are optional and only named in the report's OWA/ECP warning.
    const seedCommands = codeBlocks(seed)
      .flatMap((b) => b.text.split('\n'))
      .map((l) => l.split('|').pop()!.trim())
      .filter((l) => /^(Set|Update)-\w+/.test(l));
    // The virtual directory cmdlets the page names in prose, for adding OAuth.
    for (const m of seed.matchAll(/\[(Set-\w+VirtualDirectory)\]/g)) seedCommands.push(`${m[1]} -OAuthAuthentication`);
    assert.ok(seedCommands.length >= 10, `found ${seedCommands.length}`);

    for (const command of seedCommands) {
      const cmdlet = /^[\w-]+/.exec(command)![0];
      // The page writes some dashes as en dashes (–BasicAuthentication); PowerShell reads both.
      const params = [...command.matchAll(/(?:^|\s)[-–](\w+)/g)].map((m) => m[1]!.toLowerCase());
      const expected = cmdlet === 'Set-MapiVirtualDirectory' ? ['iisauthenticationmethods'] : params;
      const candidates = scriptLines.filter((l) => l.includes(`${cmdlet} `));
      assert.ok(candidates.length > 0, `script has no ${cmdlet} (seed: ${command})`);
      const ok = candidates.some((l) => expected.every((p) => l.toLowerCase().includes(`-${p}`)));
      assert.ok(ok, `no ${cmdlet} line with ${expected.join(', ')} (seed: ${command})`);
    }
  });
});
