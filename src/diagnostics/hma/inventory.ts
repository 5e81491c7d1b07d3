import { asBool, asList, asText, parseShellDate } from './powershell-values.ts';
import { addPrincipal, groupTenants } from './add-principal.ts';
import { isVdirKind, recognizeRecord, type VdirKind } from './recognize-record.ts';
import type { CmdletKind, InputIssue, OutputFormat, RawRecord, SourceRef } from './types.ts';

/** What the analyzer knows about the organization, each fact with the line it came from. */
export type Fact<T> = { value: T; ref: SourceRef };
export type MethodList = { methods: string[]; truncated: boolean; ref: SourceRef };
export type VdirFlag = 'oauth' | 'basic' | 'forms' | 'digest' | 'adfs' | 'windows';

export type VirtualDirectory = {
  kind: VdirKind;
  server: string;
  identity?: string;
  ref: SourceRef;
  internalUrl?: Fact<string>;
  externalUrl?: Fact<string>;
  iisAuth?: MethodList;
  internalAuth?: MethodList;
  externalAuth?: MethodList;
  flags: Partial<Record<VdirFlag, Fact<boolean>>>;
};

export type AuthServerInfo = { name: string; ref: SourceRef; enabled?: Fact<boolean>; isDefault?: Fact<boolean>; domainName?: string; type?: string };
export type ExchangeServerInfo = { name: string; ref: SourceRef; adminDisplayVersion?: Fact<string>; role?: string };
export type ExSetupInfo = { server?: string; version: Fact<string> };
/**
 * One certificate as one server reported it: Get-ExchangeCertificate reads one server's store (the
 * local one, or -Server's). `server` is left out when the output does not say which server it was.
 */
export type CertificateInfo = { thumbprint: string; server?: string; ref: SourceRef; notAfter?: Fact<Date>; notAfterText?: string; subject?: string };
export type UrlList = { items: Fact<string>[]; truncated: boolean; ref: SourceRef };
export type PrincipalInfo = { tenant: string; spns?: UrlList; replyUrls?: UrlList; named: boolean };

export type Inventory = {
  vdirs: VirtualDirectory[];
  casUris: { server: string; url: Fact<string> }[];
  authServers: AuthServerInfo[];
  oauth2ClientProfileEnabled?: Fact<boolean>;
  exchangeServers: ExchangeServerInfo[];
  exsetup: ExSetupInfo[];
  certificates: CertificateInfo[];
  authConfigThumbprint?: Fact<string>;
  /** Accepted domains users have addresses in (authoritative and internal relay), from Get-AcceptedDomain. */
  acceptedDomains: Fact<string>[];
  /** True when Get-AcceptedDomain output was given at all (it may list only relay domains). */
  acceptedDomainsGiven: boolean;
  principals: PrincipalInfo[];
  recognized: { file: string; kind: CmdletKind; line: number; format: OutputFormat }[];
  issues: InputIssue[];
};

/**
 * Exchange's AuthenticationMethod enum, in declaration order (the order Microsoft's cmdlet
 * reference lists its values, e.g. Set-PublicFolderMigrationRequest -AuthenticationMethod).
 * Windows PowerShell's ConvertTo-Json writes enums as these numbers.
 */
const authMethodNames = ['Basic', 'Digest', 'Ntlm', 'Fba', 'WindowsIntegrated', 'LiveIdFba', 'LiveIdBasic', 'WSSecurity', 'Certificate', 'NegoEx', 'OAuth', 'Adfs', 'Kerberos', 'Negotiate', 'LiveIdNegotiate', 'Misconfigured'];

export function serverKey(name: string): string {
  return name.trim().split('.')[0]!.toUpperCase();
}

export function buildInventory(records: RawRecord[]): Inventory {
  const inv: Inventory = { vdirs: [], casUris: [], authServers: [], exchangeServers: [], exsetup: [], certificates: [], acceptedDomains: [], acceptedDomainsGiven: false, principals: [], recognized: [], issues: [] };
  // kind|server -> directories already read, so pastes of the same directory merge in linear time.
  const vdirIndex = new Map<string, VirtualDirectory[]>();
  for (const record of records) {
    const r = recognizeRecord(record);
    if ('ambiguous' in r) {
      inv.issues.push({ code: 'input.unrecognized-record', severity: 'warning', file: record.ref.file, line: record.ref.line, message: `cannot tell which cmdlet printed this: ${r.ambiguous}`, expected: 'output of one of the cmdlets listed in docs/hma-readiness.md' });
      continue;
    }
    inv.recognized.push({ file: record.ref.file, kind: r.kind, line: record.ref.line, format: record.format });
    addRecord(inv, r.kind, record, vdirIndex);
  }
  inv.principals = groupTenants(inv.principals);
  return inv;
}

function addRecord(inv: Inventory, kind: CmdletKind, record: RawRecord, vdirIndex: Map<string, VirtualDirectory[]>): void {
  const f = (k: string) => record.fields.get(k);
  const text = (k: string) => {
    const t = asText(f(k)?.value)?.trim();
    return t === '' ? undefined : t;
  };
  const fact = <T>(k: string, value: T | undefined): Fact<T> | undefined => (value === undefined ? undefined : { value, ref: f(k)!.ref });
  const warnTruncated = (k: string) => {
    const field = f(k);
    if (field && field.value.kind !== 'null' && field.value.truncated) {
      inv.issues.push({ code: 'input.truncated', severity: 'warning', file: field.ref.file, line: field.ref.line, message: `${field.name} was cut short by PowerShell ("..."), so items after the cut are unknown`, expected: 'the full value: set $FormatEnumerationLimit = -1 before Format-List, or use ConvertTo-Json / select -ExpandProperty' });
    }
  };

  /**
   * A URL cut by Format-Table ("https://mail.corp.contoso.com/Microsoft-Serv...") still names its
   * host when the cut is inside the path; a cut inside the host would name the wrong one.
   */
  const urlFact = (k: string): Fact<string> | undefined => {
    const field = f(k);
    const t = text(k);
    if (!field || t === undefined) return undefined;
    if (field.value.kind !== 'scalar' || !field.value.truncated) return { value: t, ref: field.ref };
    const cut = t.replace(/(\.\.\.|…)$/, '');
    if (/^https?:\/\/[^/]+\//i.test(cut)) return { value: cut, ref: field.ref };
    inv.issues.push({ code: 'input.truncated', severity: 'warning', file: field.ref.file, line: field.ref.line, message: `${field.name} was cut short inside the host name ("${t}"), so it is left out`, expected: 'the full URL: use Format-List (fl) instead of Format-Table' });
    return undefined;
  };

  if (isVdirKind(kind)) {
    const identity = text('identity') ?? text('name');
    const server = text('server') ?? text('pscomputername') ?? (identity?.includes('\\') ? identity.split('\\')[0] : undefined);
    if (!server && (kind === 'owa' || kind === 'ecp')) {
      // The seed collects OWA/ECP URLs with "fl name, *url*": enough for the reply URL check.
      const said = inv.issues.some((i) => i.code === 'input.missing-server' && i.file === record.ref.file && i.message.startsWith(kind.toUpperCase()));
      if (!said) inv.issues.push({ code: 'input.missing-server', severity: 'warning', file: record.ref.file, line: record.ref.line, message: `${kind.toUpperCase()} virtual directory output without a Server property: its URLs are checked as reply URLs, its authentication settings per server are not`, expected: 'the Server property as well, e.g. "| fl server,name,*url*,*auth*"' });
    } else if (!server) {
      inv.issues.push({ code: 'input.missing-server', severity: 'error', file: record.ref.file, line: record.ref.line, message: `${kind} virtual directory output without a Server (or Identity) property: cannot tell which server it belongs to`, expected: 'the Server property, e.g. "| fl server,*url*,*auth*" as Microsoft\'s HMA page shows' });
      return;
    }
    const methods = (k: string): MethodList | undefined => {
      const l = asList(f(k)?.value);
      if (!l) return undefined;
      warnTruncated(k);
      return { methods: l.items.map((m) => (/^\d+$/.test(m) ? (authMethodNames[Number(m)] ?? m) : m)), truncated: l.truncated, ref: f(k)!.ref };
    };
    /** '' marks an OWA/ECP directory whose server the output did not show. */
    const vd: VirtualDirectory = { kind, server: server ? serverKey(server) : '', ref: record.ref, flags: {} };
    if (identity && server) vd.identity = identity.includes('\\') ? identity : `${server}\\${identity}`;
    const iu = urlFact('internalurl');
    const eu = urlFact('externalurl');
    if (iu) vd.internalUrl = iu;
    if (eu) vd.externalUrl = eu;
    const iis = methods('iisauthenticationmethods');
    const ia = methods('internalauthenticationmethods');
    const ea = methods('externalauthenticationmethods');
    if (iis) vd.iisAuth = iis;
    if (ia) vd.internalAuth = ia;
    if (ea) vd.externalAuth = ea;
    const flagFields: [VdirFlag, string][] = [['oauth', 'oauthauthentication'], ['basic', 'basicauthentication'], ['forms', 'formsauthentication'], ['digest', 'digestauthentication'], ['adfs', 'adfsauthentication'], ['windows', 'windowsauthentication']];
    for (const [flag, key] of flagFields) {
      const b = fact(key, asBool(f(key)?.value));
      if (b) vd.flags[flag] = b;
    }
    if (kind === 'eas') {
      const basic = fact('basicauthenabled', asBool(f('basicauthenabled')?.value));
      if (basic) vd.flags.basic = basic;
    }
    // The same directory pasted twice (e.g. "fl server,*url*" and "fl server,*auth*") is merged.
    const key = `${kind}|${vd.server}`;
    const siblings = vd.server === '' ? [] : (vdirIndex.get(key) ?? []);
    const same = siblings.find((v) => v.identity === undefined || vd.identity === undefined || v.identity.toLowerCase() === vd.identity.toLowerCase());
    if (same) {
      Object.assign(same, { ...vd, ...stripUndefined(same), flags: { ...vd.flags, ...same.flags } });
      if (!same.identity && vd.identity) same.identity = vd.identity;
    } else {
      inv.vdirs.push(vd);
      vdirIndex.set(key, [...siblings, vd]);
    }
    return;
  }

  switch (kind) {
    case 'client-access-service': {
      const server = text('name') ?? text('identity') ?? text('server');
      const url = fact('autodiscoverserviceinternaluri', text('autodiscoverserviceinternaluri'));
      if (server && url) inv.casUris.push({ server: serverKey(server), url });
      return;
    }
    case 'auth-server': {
      const name = text('name') ?? text('identity');
      if (!name) return;
      const a: AuthServerInfo = { name, ref: record.ref };
      const enabled = fact('enabled', asBool(f('enabled')?.value));
      const isDefault = fact('isdefaultauthorizationendpoint', asBool(f('isdefaultauthorizationendpoint')?.value));
      if (enabled) a.enabled = enabled;
      if (isDefault) a.isDefault = isDefault;
      const dn = asList(f('domainname')?.value)?.items[0];
      const type = text('type');
      if (dn) a.domainName = dn;
      if (type) a.type = type;
      const same = inv.authServers.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (same) Object.assign(same, { ...a, ...stripUndefined(same) });
      else inv.authServers.push(a);
      return;
    }
    case 'organization-config': {
      const v = fact('oauth2clientprofileenabled', asBool(f('oauth2clientprofileenabled')?.value));
      if (v) inv.oauth2ClientProfileEnabled = v;
      else inv.issues.push({ code: 'input.bad-value', severity: 'error', file: record.ref.file, line: f('oauth2clientprofileenabled')?.ref.line ?? record.ref.line, message: 'OAuth2ClientProfileEnabled is neither True nor False', expected: 'True or False' });
      return;
    }
    case 'exchange-server': {
      const name = text('name') ?? text('identity');
      if (!name) return;
      const e: ExchangeServerInfo = { name: serverKey(name), ref: record.ref };
      const v = fact('admindisplayversion', text('admindisplayversion'));
      if (v) e.adminDisplayVersion = v;
      const role = text('serverrole');
      if (role) e.role = role;
      if (!inv.exchangeServers.some((x) => x.name === e.name)) inv.exchangeServers.push(e);
      return;
    }
    case 'exsetup-version': {
      const key = f('fileversion') ? 'fileversion' : 'productversion';
      const v = fact(key, text(key));
      const server = text('pscomputername') ?? text('server') ?? text('computername');
      if (v) inv.exsetup.push({ ...(server ? { server: serverKey(server) } : {}), version: v });
      return;
    }
    case 'exchange-certificate': {
      const thumbprint = text('thumbprint');
      if (!thumbprint) return;
      const c: CertificateInfo = { thumbprint: thumbprint.toUpperCase(), ref: record.ref };
      const server = certificateServer(text('server') ?? text('pscomputername'), text('identity'), record.command);
      if (server) c.server = server;
      const na = text('notafter');
      if (na !== undefined) {
        c.notAfterText = na;
        const d = parseShellDate(na);
        if (d) c.notAfter = { value: d, ref: f('notafter')!.ref };
        else inv.issues.push({ code: 'input.bad-date', severity: 'error', file: f('notafter')!.ref.file, line: f('notafter')!.ref.line, message: `cannot read the date ${JSON.stringify(na)}`, expected: 'a date such as 11/14/2028 3:22:45 PM, 14.11.2028 15:22:45 or 2028-11-14T15:22:45Z' });
      }
      const subject = text('subject');
      if (subject) c.subject = subject;
      inv.certificates.push(c);
      return;
    }
    case 'auth-config': {
      const field = f('currentcertificatethumbprint');
      if (field) inv.authConfigThumbprint = { value: (text('currentcertificatethumbprint') ?? '').toUpperCase(), ref: field.ref };
      return;
    }
    case 'accepted-domain': {
      inv.acceptedDomainsGiven = true;
      const domain = fact('domainname', text('domainname')?.toLowerCase());
      // ExternalRelay domains (1 in Windows PowerShell's ConvertTo-Json) have no mailboxes here.
      const type = text('domaintype');
      if (domain && type !== undefined && !/^(externalrelay|1)$/i.test(type)) inv.acceptedDomains.push(domain);
      return;
    }
    case 'service-principal':
      addPrincipal(inv, record);
      return;
  }
}

/**
 * Which server a certificate was read on: a Server property (e.g. the calculated one of
 * docs/hma-readiness.md), PSComputerName (Invoke-Command), an Identity of the form
 * SERVER\THUMBPRINT, or a single "-Server NAME" on the pasted command line. A command that
 * loops over servers ("-Server $_.Name") names none.
 */
function certificateServer(field: string | undefined, identity: string | undefined, command: string | undefined): string | undefined {
  if (field) return serverKey(field);
  if (identity?.includes('\\')) return serverKey(identity.split('\\')[0]!);
  const named = /-Server\s+(?:'([^']+)'|"([^"$]+)"|([^\s'"$(|;]+))/i.exec(command ?? '');
  const name = named?.[1] ?? named?.[2] ?? named?.[3];
  return name ? serverKey(name) : undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
