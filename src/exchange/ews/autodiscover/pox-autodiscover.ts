/**
 * POX Autodiscover (Outlook provider schema), the fallback where SOAP Autodiscover is not offered.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-request-for-exchange
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-response-for-exchange
 */
import { child, children, childText, type XmlNode } from '../xml/xml-reader.ts';
import { escapeXml } from '../xml/xml-text.ts';
import { type AutodiscoverAnswer, defined, settingsFrom } from './answer.ts';

export const POX_RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

export function buildPoxRequest(emailAddress: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">',
    '<Request>',
    `<EMailAddress>${escapeXml(emailAddress, 'email address')}</EMailAddress>`,
    `<AcceptableResponseSchema>${POX_RESPONSE_SCHEMA}</AcceptableResponseSchema>`,
    '</Request>',
    '</Autodiscover>',
  ].join('');
}

export type PoxProtocol = { type: string; server?: string; serverVersion?: string; ewsUrl?: string; asUrl?: string; externalEwsUrl?: string };

export type PoxResponse = {
  error?: { code: string; message: string; time?: string; id?: string };
  user?: { displayName?: string; legacyDN?: string; autoDiscoverSmtpAddress?: string; deploymentId?: string };
  account?: { accountType?: string; action?: string; redirectAddr?: string; redirectUrl?: string; protocols: PoxProtocol[] };
};

const text = (node: XmlNode | undefined, name: string): string | undefined => {
  const value = childText(node, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
};

export function parsePoxResponse(roots: XmlNode[]): PoxResponse {
  const response = child(roots.find((r) => r.name === 'Autodiscover'), 'Response');
  const result: PoxResponse = {};
  const error = child(response, 'Error');
  if (error) {
    result.error = defined({ code: text(error, 'ErrorCode') ?? '', message: text(error, 'Message') ?? '', time: error.attrs['Time'], id: error.attrs['Id'] });
  }
  const user = child(response, 'User');
  if (user) {
    result.user = defined({
      displayName: text(user, 'DisplayName'),
      legacyDN: text(user, 'LegacyDN'),
      autoDiscoverSmtpAddress: text(user, 'AutoDiscoverSMTPAddress'),
      deploymentId: text(user, 'DeploymentId'),
    });
  }
  const account = child(response, 'Account');
  if (account) {
    result.account = {
      ...defined({ accountType: text(account, 'AccountType'), action: text(account, 'Action'), redirectAddr: text(account, 'RedirectAddr'), redirectUrl: text(account, 'RedirectUrl') }),
      protocols: children(account, 'Protocol').map((p) =>
        defined({
          type: text(p, 'Type') ?? '',
          server: text(p, 'Server'),
          serverVersion: text(p, 'ServerVersion'),
          ewsUrl: text(p, 'EwsUrl'),
          asUrl: text(p, 'ASUrl'),
          externalEwsUrl: text(p, 'ExternalEwsUrl'),
        }),
      ),
    };
  }
  return result;
}

/**
 * POX ServerVersion is 8 hex digits: 4 bits unused, 6 bits major, 6 bits minor, 1 flag bit,
 * 15 bits build ([MS-OXDSCLI] ServerVersion), e.g. 73C08204 -> 15.0.516.
 * @see https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxdscli/
 */
export function decodePoxServerVersion(hex: string): string | undefined {
  if (!/^[0-9a-f]{8}$/i.test(hex)) return undefined;
  const value = Number.parseInt(hex, 16);
  return `${(value >>> 22) & 0x3f}.${(value >>> 16) & 0x3f}.${value & 0x7fff}`;
}

/** Action other than "settings" is a redirect (handling-autodiscover-error-messages, table 3). */
export function interpretPox(response: PoxResponse, preferInternal = false): AutodiscoverAnswer {
  if (response.error) return { kind: 'error', code: response.error.code, message: response.error.message };
  const account = response.account;
  if (!account) return { kind: 'error', code: 'NoAccount', message: 'the response has no Account' };
  if (account.action === 'redirectAddr' && account.redirectAddr) return { kind: 'redirect-address', address: account.redirectAddr };
  if (account.action === 'redirectUrl' && account.redirectUrl) return { kind: 'redirect-url', url: account.redirectUrl };
  if (account.action !== 'settings') return { kind: 'error', code: 'UnknownAction', message: `Action "${account.action ?? ''}"` };
  // EXCH describes the inside of the organization, EXPR the outside (Outlook Anywhere); ASUrl is
  // the EWS URL on servers that predate EwsUrl.
  const exch = account.protocols.find((p) => p.type === 'EXCH');
  const expr = account.protocols.find((p) => p.type === 'EXPR');
  const version = exch?.serverVersion ? decodePoxServerVersion(exch.serverVersion) : undefined;
  return settingsFrom(
    defined({
      internalEwsUrl: exch?.ewsUrl ?? exch?.asUrl,
      externalEwsUrl: expr?.externalEwsUrl ?? expr?.ewsUrl ?? expr?.asUrl ?? exch?.externalEwsUrl,
      userDisplayName: response.user?.displayName,
      serverVersion: version,
    }),
    preferInternal,
  );
}
