import type { LabState } from '../lab-state.ts';
import { el, tel } from '../xml/xml-writer.ts';
import { deploymentId, legacyDn, lookup, userSettings, type AutodiscoverContext } from './user-settings.ts';

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

function wrap(inner: string): string {
  return '<?xml version="1.0" encoding="utf-8"?>' + el('Autodiscover', { xmlns: RESPONSE_NS }, inner);
}

/** POX error form, as ../shared/conformance/autodiscover/POX-error-response.xml. */
export function poxError(lab: LabState, code: string, message: string): string {
  const t = new Date(lab.clock.now()).toISOString().slice(11, 23);
  return wrap(el('Response', { xmlns: RESPONSE_NS }, el('Error', { Time: t, Id: '2477272013' }, tel('ErrorCode', code), tel('Message', message), '<DebugData/>')));
}

/**
 * POX Autodiscover (autodiscover.xml): settings shaped like POX-response.xml, redirects as the
 * Action redirectAddr / redirectUrl form from handling-autodiscover-error-messages.md.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-web-service-reference-for-exchange
 */
export function poxAutodiscover(ctx: AutodiscoverContext, address: string): string {
  const found = lookup(ctx, address, 'xml');
  if (found.kind === 'redirectAddress') {
    return wrap(el('Response', { xmlns: OUTLOOK_NS }, el('Account', undefined, tel('Action', 'redirectAddr'), tel('RedirectAddr', found.target))));
  }
  if (found.kind === 'redirectUrl') {
    return wrap(el('Response', { xmlns: OUTLOOK_NS }, el('Account', undefined, tel('Action', 'redirectUrl'), tel('RedirectUrl', found.url))));
  }
  if (found.kind === 'unknown') return poxError(ctx.lab, '500', 'The email address can\'t be found.');
  const s = userSettings(ctx, found.mailbox);
  const mb = found.mailbox;
  const ews = s['ExternalEwsUrl']!;
  const b = ctx.lab.build;
  // ServerVersion: the build packed as Outlook reads it (major<<28 | minor<<22 | build).
  const serverVersion = (((b.major << 28) | (b.minor << 22) | b.build) >>> 0).toString(16).toUpperCase();
  const base = ews.replace(/\/EWS\/Exchange\.asmx$/, '');
  const protocol = (type: string, server: string): string =>
    el(
      'Protocol',
      undefined,
      tel('Type', type),
      tel('Server', server),
      type === 'EXCH' ? tel('ServerDN', s['MailboxDN']!.replace(/\/cn=Microsoft Private MDB$/, '')) : '',
      type === 'EXCH' ? tel('ServerVersion', serverVersion) : '',
      type === 'EXCH' ? tel('MdbDN', s['MailboxDN']!) : '',
      tel('ASUrl', ews),
      tel('EwsUrl', ews),
      tel('EmwsUrl', ews),
      tel('OOFUrl', ews),
      tel('OABUrl', `${base}/OAB/${deploymentId(mb)}/`),
    );
  const web = el('Protocol', undefined, tel('Type', 'WEB'), el('Internal', undefined, tel('OWAUrl', `${base}/owa/`, { AuthenticationMethod: 'Ntlm, WindowsIntegrated' })));
  return wrap(
    el(
      'Response',
      { xmlns: OUTLOOK_NS },
      el('User', undefined, tel('DisplayName', mb.account.displayName), tel('LegacyDN', legacyDn(ctx.lab, mb)), tel('AutoDiscoverSMTPAddress', mb.account.smtp), tel('DeploymentId', deploymentId(mb))),
      el('Account', undefined, tel('AccountType', 'email'), tel('Action', 'settings'), protocol('EXCH', s['InternalMailboxServer']!), protocol('EXPR', s['ExternalMailboxServer']!), web),
    ),
  );
}
