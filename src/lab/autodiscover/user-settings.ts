import type { LabState } from '../lab-state.ts';
import type { Mailbox } from '../mailbox-store/mailbox.ts';

export type AutodiscoverContext = { lab: LabState; baseUrl: string; redirected: boolean };

export type Lookup =
  | { kind: 'user'; mailbox: Mailbox }
  | { kind: 'redirectAddress'; target: string }
  | { kind: 'redirectUrl'; url: string }
  | { kind: 'unknown' };

/** Decides what Autodiscover says about an address: settings, a redirect, or "invalid user". */
export function lookup(ctx: AutodiscoverContext, address: string, extension: 'svc' | 'xml'): Lookup {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const target = ctx.lab.redirectAddressDomains.get(domain);
  if (target) return { kind: 'redirectAddress', target: `${local}@${target}` };
  if (ctx.lab.redirectUrlDomains.has(domain) && !ctx.redirected) {
    return { kind: 'redirectUrl', url: `${ctx.baseUrl}/redirected/autodiscover/autodiscover.${extension}` };
  }
  const mailbox = ctx.lab.mailbox(address);
  return mailbox ? { kind: 'user', mailbox } : { kind: 'unknown' };
}

export function ewsUrl(ctx: AutodiscoverContext): string {
  return `${ctx.baseUrl}/EWS/Exchange.asmx`;
}

/** Stable per-mailbox GUID-shaped value (Autodiscover's UserDeploymentId / DeploymentId). */
export function deploymentId(mailbox: Mailbox): string {
  const h = Buffer.from(mailbox.account.smtp.toLowerCase().padEnd(16, '.')).subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function legacyDn(lab: LabState, mailbox: Mailbox): string {
  return `/o=${lab.netbiosDomain}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${mailbox.account.userName}`;
}

/** The settings GetUserSettings can return for a lab mailbox, by name. */
export function userSettings(ctx: AutodiscoverContext, mailbox: Mailbox): Record<string, string> {
  const b = ctx.lab.build;
  const host = new URL(ctx.baseUrl).host;
  return {
    UserDisplayName: mailbox.account.displayName,
    UserDN: legacyDn(ctx.lab, mailbox),
    UserDeploymentId: deploymentId(mailbox),
    InternalMailboxServer: host,
    ExternalMailboxServer: host,
    MailboxDN: `/o=${ctx.lab.netbiosDomain}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EXLAB01/cn=Microsoft Private MDB`,
    ActiveDirectoryServer: `dc01.${ctx.lab.domain}`,
    CasVersion: `${b.major}.${String(b.minor).padStart(2, '0')}.${String(b.build).padStart(4, '0')}.${String(b.revision).padStart(3, '0')}`,
    EwsSupportedSchemas: 'Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2016',
    InternalEwsUrl: ewsUrl(ctx),
    ExternalEwsUrl: ewsUrl(ctx),
    ExternalEwsVersion: `${b.major}.${String(b.minor).padStart(2, '0')}.${String(b.build).padStart(4, '0')}.${String(b.revision).padStart(3, '0')}`,
    AutoDiscoverSMTPAddress: mailbox.account.smtp,
  };
}
