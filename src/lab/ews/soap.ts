import { el, escapeText, NS, tel } from '../xml/xml-writer.ts';
import { responseText } from './response-codes.ts';

/**
 * Envelope and response-message framing, shaped like Exchange 2013+ answers (see the published
 * samples, e.g. ews-samples/GetItem-MimeContent-response.xml): s: envelope, h:ServerVersionInfo
 * header, m:/t: prefixes declared on the response element.
 */
export type ServerBuild = { major: number; minor: number; build: number; revision: number; version: string };

export function envelope(build: ServerBuild, bodyContent: string): string {
  const header = el(
    's:Header',
    undefined,
    el('h:ServerVersionInfo', {
      MajorVersion: build.major,
      MinorVersion: build.minor,
      MajorBuildNumber: build.build,
      MinorBuildNumber: build.revision,
      Version: build.version,
      'xmlns:h': NS.t,
      xmlns: NS.t,
      'xmlns:xsd': NS.xsd,
      'xmlns:xsi': NS.xsi,
    }),
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    el('s:Envelope', { 'xmlns:s': NS.soap }, header, el('s:Body', { 'xmlns:xsi': NS.xsi, 'xmlns:xsd': NS.xsd }, bodyContent))
  );
}

/** `<m:{Op}Response>` with its ResponseMessages. */
export function operationResponse(op: string, messages: string[]): string {
  return el(`m:${op}Response`, { 'xmlns:m': NS.m, 'xmlns:t': NS.t }, el('m:ResponseMessages', undefined, ...messages));
}

export function success(op: string, inner = '', element = `${op}ResponseMessage`): string {
  return `<m:${element} ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${inner}</m:${element}>`;
}

export type ErrorMessage = {
  code: string;
  text?: string;
  /** Serialized children of m:MessageXml. */
  messageXml?: string;
  /** Elements the response message type requires after the error fields (e.g. `<m:Items/>`). */
  trailer?: string;
};

export function errorMessage(op: string, error: ErrorMessage, element = `${op}ResponseMessage`): string {
  return (
    `<m:${element} ResponseClass="Error">` +
    tel('m:MessageText', error.text ?? responseText(error.code)) +
    tel('m:ResponseCode', error.code) +
    '<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>' +
    (error.messageXml ? `<m:MessageXml>${error.messageXml}</m:MessageXml>` : '') +
    (error.trailer ?? '') +
    `</m:${element}>`
  );
}

/** A per-operation failure the dispatcher turns into an HTTP 500 SOAP fault. */
export class EwsFault extends Error {
  readonly code: string;
  readonly values: Array<[string, string]>;
  readonly status: number;
  constructor(code: string, text: string, values: Array<[string, string]> = [], status = 500) {
    super(text);
    this.name = 'EwsFault';
    this.code = code;
    this.values = values;
    this.status = status;
  }
}

/**
 * Exchange's fault form for request-level errors (throttling, impersonation, schema): HTTP 500,
 * `a:`-prefixed faultcode in the types namespace, detail with e:ResponseCode, e:Message and
 * t:MessageXml values. Shape as in ews-samples/FindConversation-error-soapfault-ErrorSchemaValidation-response.xml.
 */
export function faultEnvelope(fault: { code: string; text: string; message?: string; values?: Array<[string, string]>; messageXml?: string }): string {
  const values = fault.values ?? [];
  const messageXml =
    fault.messageXml !== undefined
      ? el('t:MessageXml', { 'xmlns:t': NS.t }, fault.messageXml)
      : values.length === 0
        ? ''
        : el('t:MessageXml', { 'xmlns:t': NS.t }, ...values.map(([name, value]) => tel('t:Value', value, { Name: name })));
  const detail = el(
    'detail',
    undefined,
    `<e:ResponseCode xmlns:e="${NS.e}">${escapeText(fault.code)}</e:ResponseCode>`,
    `<e:Message xmlns:e="${NS.e}">${escapeText(fault.message ?? fault.text)}</e:Message>`,
    messageXml,
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    el(
      's:Envelope',
      { 'xmlns:s': NS.soap },
      el(
        's:Body',
        undefined,
        el(
          's:Fault',
          undefined,
          `<faultcode xmlns:a="${NS.t}">a:${escapeText(fault.code)}</faultcode>`,
          tel('faultstring', fault.text, { 'xml:lang': 'en-US' }),
          detail,
        ),
      ),
    )
  );
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
