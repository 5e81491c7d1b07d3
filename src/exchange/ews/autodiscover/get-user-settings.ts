/**
 * SOAP Autodiscover GetUserSettings: the request Dovetail sends and how it reads the answer.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getusersettings-operation-soap
 */
import { child, children, childText, type XmlNode } from '../xml/xml-reader.ts';
import { escapeXml } from '../xml/xml-text.ts';
import { type AutodiscoverAnswer, defined, settingsFrom } from './answer.ts';

const AUTODISCOVER_NS = 'http://schemas.microsoft.com/exchange/2010/Autodiscover';
export const GET_USER_SETTINGS_ACTION = `${AUTODISCOVER_NS}/Autodiscover/GetUserSettings`;

/** Only what Dovetail uses: fewer settings, less work for the server (improving-performance-when-using-autodiscover). */
export const REQUESTED_SETTINGS = ['UserDisplayName', 'InternalEwsUrl', 'ExternalEwsUrl', 'CasVersion', 'EwsSupportedSchemas'] as const;

export function buildGetUserSettingsRequest(mailbox: string, endpointUrl: string, settings: readonly string[] = REQUESTED_SETTINGS): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<soap:Envelope xmlns:a="${AUTODISCOVER_NS}" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">`,
    '<soap:Header>',
    '<a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion>',
    `<wsa:Action>${GET_USER_SETTINGS_ACTION}</wsa:Action>`,
    `<wsa:To>${escapeXml(endpointUrl, 'Autodiscover URL')}</wsa:To>`,
    '</soap:Header>',
    '<soap:Body>',
    '<a:GetUserSettingsRequestMessage>',
    '<a:Request>',
    `<a:Users><a:User><a:Mailbox>${escapeXml(mailbox, 'mailbox')}</a:Mailbox></a:User></a:Users>`,
    `<a:RequestedSettings>${settings.map((s) => `<a:Setting>${escapeXml(s, 'setting')}</a:Setting>`).join('')}</a:RequestedSettings>`,
    '</a:Request>',
    '</a:GetUserSettingsRequestMessage>',
    '</soap:Body>',
    '</soap:Envelope>',
  ].join('');
}

export type ServerVersionInfo = { majorVersion: number; minorVersion: number; majorBuildNumber: number; minorBuildNumber: number; version?: string };

export type GetUserSettingsResponse = {
  serverVersionInfo?: ServerVersionInfo;
  /** A SOAP fault instead of a response. */
  fault?: { code: string; message: string };
  errorCode: string;
  errorMessage: string;
  users: Array<{
    errorCode: string;
    errorMessage: string;
    redirectTarget?: string;
    settings: Record<string, string>;
    settingErrors: Array<{ settingName: string; errorCode: string; errorMessage: string }>;
  }>;
};

const text = (node: XmlNode | undefined, name: string): string | undefined => {
  const value = childText(node, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** Reads the parsed envelope by local names (the published samples spell the namespaces with https). */
export function parseGetUserSettingsResponse(roots: XmlNode[]): GetUserSettingsResponse {
  const envelope = roots.find((r) => r.name === 'Envelope');
  const header = child(envelope, 'Header');
  const body = child(envelope, 'Body');
  const info = child(header, 'ServerVersionInfo');
  const fault = child(body, 'Fault');
  const response = child(child(body, 'GetUserSettingsResponseMessage'), 'Response');
  const result: GetUserSettingsResponse = {
    errorCode: text(response, 'ErrorCode') ?? (fault ? 'SoapFault' : 'MissingResponse'),
    errorMessage: text(response, 'ErrorMessage') ?? '',
    users: children(child(response, 'UserResponses'), 'UserResponse').map((user) => {
      const settings: Record<string, string> = {};
      for (const setting of children(child(user, 'UserSettings'), 'UserSetting')) {
        const name = text(setting, 'Name');
        const value = childText(setting, 'Value');
        if (name && value !== undefined) settings[name] = value.trim();
      }
      const redirectTarget = text(user, 'RedirectTarget');
      return {
        errorCode: text(user, 'ErrorCode') ?? 'NoError',
        errorMessage: text(user, 'ErrorMessage') ?? '',
        ...(redirectTarget ? { redirectTarget } : {}),
        settings,
        settingErrors: children(child(user, 'UserSettingErrors'), 'UserSettingError').map((e) => ({
          settingName: text(e, 'SettingName') ?? '',
          errorCode: text(e, 'ErrorCode') ?? '',
          errorMessage: text(e, 'ErrorMessage') ?? '',
        })),
      };
    }),
  };
  if (info) {
    const n = (name: string): number => Number(text(info, name) ?? NaN);
    const version = text(info, 'Version');
    result.serverVersionInfo = {
      majorVersion: n('MajorVersion'),
      minorVersion: n('MinorVersion'),
      majorBuildNumber: n('MajorBuildNumber'),
      minorBuildNumber: n('MinorBuildNumber'),
      ...(version ? { version } : {}),
    };
  }
  if (fault) result.fault = { code: text(fault, 'faultcode') ?? '', message: text(fault, 'faultstring') ?? '' };
  return result;
}

/**
 * What the response means for discovery. ErrorCode under Response applies to the whole request,
 * under UserResponse to the user (handling-autodiscover-error-messages: RedirectAddress, RedirectUrl).
 */
export function interpretGetUserSettings(response: GetUserSettingsResponse, preferInternal = false): AutodiscoverAnswer {
  if (response.fault) return { kind: 'error', code: 'SoapFault', message: `${response.fault.code}: ${response.fault.message}` };
  if (response.errorCode !== 'NoError') return { kind: 'error', code: response.errorCode, message: response.errorMessage };
  const user = response.users[0];
  if (!user) return { kind: 'error', code: 'NoUserResponse', message: 'the response has no UserResponse' };
  if (user.errorCode === 'RedirectAddress' && user.redirectTarget) return { kind: 'redirect-address', address: user.redirectTarget };
  if (user.errorCode === 'RedirectUrl' && user.redirectTarget) return { kind: 'redirect-url', url: user.redirectTarget };
  if (user.errorCode !== 'NoError') return { kind: 'error', code: user.errorCode, message: user.errorMessage };
  const info = response.serverVersionInfo;
  const build = info && Number.isFinite(info.majorVersion) ? `${info.majorVersion}.${info.minorVersion}.${info.majorBuildNumber}.${info.minorBuildNumber}` : undefined;
  const schemas = user.settings['EwsSupportedSchemas'];
  return settingsFrom(
    defined({
      internalEwsUrl: user.settings['InternalEwsUrl'],
      externalEwsUrl: user.settings['ExternalEwsUrl'],
      userDisplayName: user.settings['UserDisplayName'],
      serverVersion: user.settings['CasVersion'] ?? build,
      ewsSupportedSchemas: schemas ? schemas.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    }),
    preferInternal,
  );
}
