import type { MethodList, VirtualDirectory } from '../inventory.ts';
import { cmdletOf, vdirTitle, type VdirKind } from '../recognize-record.ts';
import type { HmaFinding } from '../types.ts';
import { clientAccessServers, psQuote, type CheckContext } from './check-context.ts';

/** The directories the seed verifies for OAuth, with the output that shows it. */
const oauthKinds: { kind: VdirKind; collect: string }[] = [
  { kind: 'mapi', collect: 'Get-MapiVirtualDirectory | fl server,*url*,*auth*' },
  { kind: 'ews', collect: 'Get-WebServicesVirtualDirectory | fl server,*url*,*oauth*' },
  { kind: 'oab', collect: 'Get-OABVirtualDirectory | fl server,*url*,*oauth*' },
  { kind: 'autodiscover', collect: 'Get-AutoDiscoverVirtualDirectory | fl server,*oauth*' },
  { kind: 'eas', collect: 'Get-ActiveSyncVirtualDirectory | fl server,*url*,*auth*' },
];

const setCmdlet = (kind: VdirKind) => cmdletOf[kind].replace(/^Get-/, 'Set-');

const hasOAuth = (l: MethodList) => l.methods.some((m) => m.toLowerCase() === 'oauth');

type Verdict = { state: 'ok' } | { state: 'missing'; lists: MethodList[] } | { state: 'unknown'; reason: string; lists: MethodList[] };

function oauthVerdict(v: VirtualDirectory): Verdict {
  const byLists = (lists: MethodList[]): Verdict => {
    const without = lists.filter((l) => !hasOAuth(l));
    if (without.length === 0) return { state: 'ok' };
    if (without.every((l) => l.truncated)) return { state: 'unknown', reason: 'the authentication method list was cut short by PowerShell', lists: without };
    return { state: 'missing', lists: without.filter((l) => !l.truncated) };
  };
  if (v.kind === 'mapi') {
    // OAuth for MAPI/HTTP is set in IISAuthenticationMethods; the internal/external lists follow it.
    const lists = v.iisAuth ? [v.iisAuth] : [v.internalAuth, v.externalAuth].filter((l): l is MethodList => l !== undefined);
    return lists.length === 0 ? { state: 'unknown', reason: 'no authentication fields in the output', lists: [] } : byLists(lists);
  }
  if (v.kind === 'eas') {
    const lists = [v.internalAuth, v.externalAuth].filter((l): l is MethodList => l !== undefined);
    return lists.length === 0 ? { state: 'unknown', reason: 'no authentication fields in the output', lists: [] } : byLists(lists);
  }
  const flag = v.flags.oauth;
  if (!flag) return { state: 'unknown', reason: 'no OAuthAuthentication field in the output', lists: [] };
  return flag.value ? { state: 'ok' } : { state: 'missing', lists: [] };
}

function fixScript(v: VirtualDirectory): string {
  const get = `${cmdletOf[v.kind]} -Server ${psQuote(v.server)}`;
  const set = setCmdlet(v.kind);
  if (v.kind === 'mapi') {
    return [
      `${get} | ForEach-Object {`,
      "    if (@($_.IISAuthenticationMethods) -notcontains 'OAuth') {",
      '        # Keeps every method already configured and adds OAuth.',
      `        ${set} -Identity $_.Identity -IISAuthenticationMethods (@($_.IISAuthenticationMethods | ForEach-Object { "$_" }) + 'OAuth')`,
      '    }',
      '}',
    ].join('\n');
  }
  if (v.kind === 'eas') {
    return [
      `${get} | ForEach-Object {`,
      "    if (@($_.InternalAuthenticationMethods) -notcontains 'OAuth') {",
      `        ${set} -Identity $_.Identity -InternalAuthenticationMethods (@($_.InternalAuthenticationMethods | ForEach-Object { "$_" }) + 'OAuth')`,
      '    }',
      "    if (@($_.ExternalAuthenticationMethods) -notcontains 'OAuth') {",
      `        ${set} -Identity $_.Identity -ExternalAuthenticationMethods (@($_.ExternalAuthenticationMethods | ForEach-Object { "$_" }) + 'OAuth')`,
      '    }',
      '}',
    ].join('\n');
  }
  // A boolean switch: turning it on leaves the other methods as they are.
  return `${get} | Where-Object { -not $_.OAuthAuthentication } | ForEach-Object { ${set} -Identity $_.Identity -OAuthAuthentication $true }`;
}

export function checkVirtualDirectories(ctx: CheckContext): HmaFinding[] {
  const { inv } = ctx;
  const findings: HmaFinding[] = [];
  const servers = clientAccessServers(inv);
  if (servers.length === 0) {
    findings.push({
      code: 'hma.input.virtual-directories-missing',
      severity: 'error',
      title: 'No virtual directory output was provided',
      evidence: [],
      why: 'HMA needs OAuth on the MAPI, EWS, OAB, Autodiscover and ActiveSync virtual directories of every server, and their URLs as SPNs.',
      fix: `Run in the Exchange Management Shell and add the output:\n${oauthKinds.map((k) => k.collect).join('\n')}`,
    });
    return findings;
  }
  for (const server of servers) {
    for (const { kind, collect } of oauthKinds) {
      const dirs = inv.vdirs.filter((v) => v.server === server && v.kind === kind);
      if (dirs.length === 0) {
        findings.push({
          code: 'hma.input.virtual-directory-missing',
          severity: 'error',
          server,
          title: `No ${cmdletOf[kind]} output for ${server}`,
          evidence: [],
          why: `OAuth must be enabled on this directory on every server, and its URLs must be SPNs; ${server} appears in other output but not in this one.`,
          fix: `Run and add the output: ${collect}`,
        });
        continue;
      }
      for (const v of dirs) {
        const verdict = oauthVerdict(v);
        if (verdict.state === 'ok') continue;
        const label = `${server} ${vdirTitle[kind]}${v.identity ? ` (${v.identity.split('\\')[1]})` : ''}`;
        if (verdict.state === 'unknown') {
          findings.push({
            code: 'hma.vdir.oauth-unverified',
            severity: 'error',
            server,
            title: `Cannot tell whether OAuth is enabled on ${label}: ${verdict.reason}`,
            evidence: [v.ref, ...verdict.lists.map((l) => l.ref)],
            why: 'OAuth must be enabled on this virtual directory for clients to use HMA against it.',
            fix: `Run and add the output (with $FormatEnumerationLimit = -1 if lists are cut short): ${collect}`,
          });
          continue;
        }
        const shown = verdict.lists.map((l) => `{${l.methods.join(', ')}}`).join(' / ');
        findings.push({
          code: 'hma.vdir.oauth-disabled',
          severity: 'error',
          server,
          title: `OAuth is not enabled on ${label}${shown ? ` (methods: ${shown})` : ''}`,
          evidence: [v.ref, ...(verdict.lists.length ? verdict.lists.map((l) => l.ref) : v.flags.oauth ? [v.flags.oauth.ref] : [])],
          why: `Clients that obtained a token from Entra ID present it to ${vdirTitle[kind]}; without OAuth on this directory on ${server} they are refused or fall back to legacy authentication.`,
          fix: `Add OAuth with ${setCmdlet(kind)}, keeping the methods already enabled.`,
          remediation: { step: 'vdir-oauth', shell: 'exchange', script: `# ${label}\n${fixScript(v)}` },
        });
      }
    }
  }
  return findings;
}
