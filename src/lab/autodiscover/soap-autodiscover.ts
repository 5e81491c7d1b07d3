import { child, childText, children, type XmlNode } from '../xml/parse-xml.ts';
import { el, tel } from '../xml/xml-writer.ts';
import { lookup, userSettings, type AutodiscoverContext } from './user-settings.ts';

/** The namespace as Exchange serves it; the published docs show it rewritten to https (a docs-site defect). */
const AUTODISCOVER_NS = 'http://schemas.microsoft.com/exchange/2010/Autodiscover';
const ACCEPTED_NS = new Set([AUTODISCOVER_NS, 'https://schemas.microsoft.com/exchange/2010/Autodiscover']);
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSA = 'http://www.w3.org/2005/08/addressing';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function userResponse(ctx: AutodiscoverContext, address: string, wanted: string[]): string {
  const found = lookup(ctx, address, 'svc');
  if (found.kind === 'redirectAddress' || found.kind === 'redirectUrl') {
    const code = found.kind === 'redirectAddress' ? 'RedirectAddress' : 'RedirectUrl';
    const text = found.kind === 'redirectAddress' ? 'Redirection address.' : 'Redirection URL.';
    return el(
      'UserResponse',
      undefined,
      tel('ErrorCode', code),
      tel('ErrorMessage', text),
      tel('RedirectTarget', found.kind === 'redirectAddress' ? found.target : found.url),
      '<UserSettingErrors/>',
      '<UserSettings/>',
    );
  }
  if (found.kind === 'unknown') {
    return el('UserResponse', undefined, tel('ErrorCode', 'InvalidUser'), tel('ErrorMessage', `Invalid user: '${address}'`), '<RedirectTarget i:nil="true"/>', '<UserSettingErrors/>', '<UserSettings/>');
  }
  const all = userSettings(ctx, found.mailbox);
  const settings: string[] = [];
  const errors: string[] = [];
  for (const name of wanted) {
    const value = all[name];
    if (value === undefined) {
      errors.push(el('UserSettingError', undefined, tel('ErrorCode', 'InvalidSetting'), tel('ErrorMessage', 'The requested setting is invalid.'), tel('SettingName', name)));
    } else {
      settings.push(el('UserSetting', { 'i:type': 'StringSetting' }, tel('Name', name), tel('Value', value)));
    }
  }
  return el('UserResponse', undefined, tel('ErrorCode', 'NoError'), tel('ErrorMessage', 'No error.'), '<RedirectTarget i:nil="true"/>', el('UserSettingErrors', undefined, ...errors), el('UserSettings', undefined, ...settings));
}

/**
 * GetUserSettings, answered like ../shared/conformance/autodiscover/SOAP-GetUserSettings-*-response.xml
 * (same elements; namespace with http://). Returns undefined for a request it cannot read.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getusersettings-operation-soap
 */
export function soapAutodiscover(ctx: AutodiscoverContext, doc: XmlNode): string | undefined {
  const message = child(child(doc, 'Body'), 'GetUserSettingsRequestMessage');
  if (!message || !ACCEPTED_NS.has(message.uri)) return undefined;
  const request = child(message, 'Request');
  const users = children(child(request, 'Users'), 'User').map((u) => childText(u, 'Mailbox') ?? '');
  const wanted = children(child(request, 'RequestedSettings'), 'Setting').map((s) => s.text.trim());
  const b = ctx.lab.build;
  const header = el(
    's:Header',
    undefined,
    tel('a:Action', 'http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse', { 's:mustUnderstand': '1' }),
    el(
      'h:ServerVersionInfo',
      { 'xmlns:h': AUTODISCOVER_NS, 'xmlns:i': XSI },
      tel('h:MajorVersion', b.major),
      tel('h:MinorVersion', b.minor),
      tel('h:MajorBuildNumber', b.build),
      tel('h:MinorBuildNumber', b.revision),
      tel('h:Version', 'Exchange2015'),
    ),
  );
  const response = el(
    'GetUserSettingsResponseMessage',
    { xmlns: AUTODISCOVER_NS },
    el(
      'Response',
      { 'xmlns:i': XSI },
      tel('ErrorCode', 'NoError'),
      '<ErrorMessage/>',
      el('UserResponses', undefined, ...users.map((u) => userResponse(ctx, u, wanted))),
    ),
  );
  return '<?xml version="1.0" encoding="utf-8"?>' + el('s:Envelope', { 'xmlns:s': SOAP, 'xmlns:a': WSA }, header, el('s:Body', undefined, response));
}
