import { escapeXml } from './xml/xml-text.ts';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const TYPES_NS = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const MESSAGES_NS = 'http://schemas.microsoft.com/exchange/services/2006/messages';

/** t:ExchangeVersionType values Dovetail sends. Exchange Server 2013 SP1 is the oldest we support. */
export type ExchangeVersion = 'Exchange2010_SP2' | 'Exchange2013' | 'Exchange2013_SP1' | 'Exchange2016';

export const defaultExchangeVersion: ExchangeVersion = 'Exchange2013_SP1';

/**
 * The one older version to try when the server refuses ours (ErrorInvalidServerVersion, or
 * ErrorInvalidSchemaVersionForMailboxVersion for a mailbox still on an older server in coexistence).
 */
export const fallbackVersion: Readonly<Record<ExchangeVersion, ExchangeVersion | undefined>> = {
  Exchange2016: 'Exchange2013_SP1',
  Exchange2013_SP1: 'Exchange2010_SP2',
  Exchange2013: 'Exchange2010_SP2',
  Exchange2010_SP2: undefined,
};

export type EnvelopeOptions = {
  version: ExchangeVersion;
  /**
   * ExchangeImpersonation by PrimarySmtpAddress: the service account acts as this mailbox.
   * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/exchangeimpersonation
   */
  impersonate?: string;
};

/** A complete SOAP 1.1 request around one operation element (`body` is already XML, m:/t: prefixed). */
export function buildEnvelope(body: string, options: EnvelopeOptions): string {
  const impersonation =
    options.impersonate === undefined
      ? ''
      : `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${escapeXml(options.impersonate, 'mailbox')}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:t="${TYPES_NS}" xmlns:m="${MESSAGES_NS}">` +
    `<soap:Header><t:RequestServerVersion Version="${options.version}"/>${impersonation}</soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}
