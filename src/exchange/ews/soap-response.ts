import type { AppError } from '../../errors.ts';
import { ewsError } from './response-codes.ts';
import { child, childText, type XmlNode } from './xml/xml-reader.ts';

export type ServerVersionInfo = {
  MajorVersion: number;
  MinorVersion: number;
  MajorBuildNumber: number;
  MinorBuildNumber: number;
  Version?: string;
};

export type ResponseMessage = {
  /** e.g. GetItemResponseMessage */
  element: string;
  ResponseClass: 'Success' | 'Warning' | 'Error';
  ResponseCode: string;
  MessageText?: string;
  /** From MessageXml Value Name="BackOffMilliseconds" (ErrorServerBusy). */
  backOffMs?: number;
  /**
   * From MessageXml Value Name="InnerErrorResponseCode": throttling can arrive as HTTP 200 with
   * ErrorInternalServerError wrapping ErrorServerBusy.
   * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange
   */
  innerResponseCode?: string;
  node: XmlNode;
};

export type SoapFault = {
  faultcode: string;
  faultstring: string;
  /** detail/ResponseCode when Exchange gives one (ErrorSchemaValidation, ErrorServerBusy…), else the faultcode's local part. */
  responseCode: string;
  message?: string;
  backOffMs?: number;
  /** Schema violations: where in our request. */
  line?: number;
  position?: number;
  violation?: string;
};

export type SoapEnvelope = {
  serverVersion?: ServerVersionInfo;
  fault?: SoapFault;
  /** The operation's response element (e.g. GetItemResponse). */
  response?: XmlNode;
  messages: ResponseMessage[];
};

export function formatBuild(v: ServerVersionInfo): string {
  return `${v.MajorVersion}.${v.MinorVersion}.${v.MajorBuildNumber}.${v.MinorBuildNumber}`;
}

function backOff(messageXml: XmlNode | undefined): number | undefined {
  if (!messageXml) return undefined;
  for (const v of messageXml.children) {
    if (v.name === 'Value' && v.attrs['Name'] === 'BackOffMilliseconds') {
      const n = Number.parseInt(v.text, 10);
      if (Number.isFinite(n) && n >= 0) return n;
    }
  }
  return undefined;
}

export function readServerVersion(node: XmlNode): ServerVersionInfo {
  const n = (k: string): number => Number.parseInt(node.attrs[k] ?? '0', 10) || 0;
  return {
    MajorVersion: n('MajorVersion'),
    MinorVersion: n('MinorVersion'),
    MajorBuildNumber: n('MajorBuildNumber'),
    MinorBuildNumber: n('MinorBuildNumber'),
    ...(node.attrs['Version'] === undefined ? {} : { Version: node.attrs['Version'] }),
  };
}

function readFault(f: XmlNode): SoapFault {
  const faultcode = (childText(f, 'faultcode') ?? '').trim();
  const detail = child(f, 'detail');
  const code = childText(detail, 'ResponseCode')?.trim();
  const messageXml = child(detail, 'MessageXml');
  const lineText = childText(messageXml, 'LineNumber') ?? childText(detail, 'Line');
  const posText = childText(messageXml, 'LinePosition') ?? childText(detail, 'Position');
  const violation = childText(messageXml, 'Violation');
  const message = childText(detail, 'Message');
  const bo = backOff(messageXml);
  return {
    faultcode,
    faultstring: (childText(f, 'faultstring') ?? '').trim(),
    responseCode: code ?? faultcode.slice(faultcode.indexOf(':') + 1),
    ...(message === undefined ? {} : { message }),
    ...(bo === undefined ? {} : { backOffMs: bo }),
    ...(lineText === undefined ? {} : { line: Number(lineText) }),
    ...(posText === undefined ? {} : { position: Number(posText) }),
    ...(violation === undefined ? {} : { violation }),
  };
}

function innerCode(messageXml: XmlNode | undefined): string | undefined {
  for (const v of messageXml?.children ?? []) if (v.name === 'Value' && v.attrs['Name'] === 'InnerErrorResponseCode') return v.text.trim();
  return undefined;
}

export function readResponseMessage(m: XmlNode): ResponseMessage {
  const rc = m.attrs['ResponseClass'];
  const text = childText(m, 'MessageText');
  const messageXml = child(m, 'MessageXml');
  const bo = backOff(messageXml);
  const inner = innerCode(messageXml);
  return {
    element: m.name,
    ResponseClass: rc === 'Error' ? 'Error' : rc === 'Warning' ? 'Warning' : 'Success',
    ResponseCode: (childText(m, 'ResponseCode') ?? (rc === 'Error' ? 'ErrorInternalServerError' : 'NoError')).trim(),
    ...(text === undefined ? {} : { MessageText: text }),
    ...(bo === undefined ? {} : { backOffMs: bo }),
    ...(inner === undefined ? {} : { innerResponseCode: inner }),
    node: m,
  };
}

/**
 * Reads the parts every EWS response shares from a parsed envelope, a bare Header/Body pair (one
 * GetStreamingEvents chunk) or a bare operation response element (traces that drop the envelope).
 */
export function readEnvelope(roots: readonly XmlNode[]): SoapEnvelope {
  let header: XmlNode | undefined;
  let body: XmlNode | undefined;
  for (const r of roots) {
    if (r.name === 'Envelope') {
      header ??= child(r, 'Header');
      body ??= child(r, 'Body');
    } else if (r.name === 'Header') header ??= r;
    else if (r.name === 'Body') body ??= r;
    else if (r.name.endsWith('Response')) body ??= { name: 'Body', attrs: {}, children: [r], text: '' };
  }
  const sv = child(header, 'ServerVersionInfo');
  const out: SoapEnvelope = { messages: [] };
  if (sv) out.serverVersion = readServerVersion(sv);
  const fault = child(body, 'Fault');
  if (fault) {
    out.fault = readFault(fault);
    return out;
  }
  const response = body?.children[0];
  if (response) {
    out.response = response;
    const rm = child(response, 'ResponseMessages');
    if (rm) out.messages = rm.children.map(readResponseMessage);
  }
  return out;
}

export function faultError(fault: SoapFault, operation: string, status?: number): AppError {
  const text = fault.violation ?? fault.message ?? fault.faultstring;
  return ewsError({
    responseCode: fault.responseCode,
    messageText: fault.line === undefined ? text : `${text} (request line ${fault.line}, position ${fault.position ?? 0})`,
    operation,
    ...(fault.backOffMs === undefined ? {} : { backOffMs: fault.backOffMs }),
    ...(status === undefined ? {} : { status }),
  });
}

export function messageError(m: ResponseMessage, operation: string): AppError {
  return ewsError({
    responseCode: m.ResponseCode,
    ...(m.innerResponseCode === undefined ? {} : { innerResponseCode: m.innerResponseCode }),
    operation,
    ...(m.MessageText === undefined ? {} : { messageText: m.MessageText }),
    ...(m.backOffMs === undefined ? {} : { backOffMs: m.backOffMs }),
  });
}

/**
 * Every envelope of a streaming body: whole Envelope elements, or Header/Body pairs as the
 * published GetStreamingEvents sample shows them.
 */
export function readEnvelopes(roots: readonly XmlNode[]): SoapEnvelope[] {
  const out: SoapEnvelope[] = [];
  let pending: XmlNode[] = [];
  for (const r of roots) {
    if (r.name === 'Envelope') out.push(readEnvelope([r]));
    else if (r.name === 'Header') pending = [r];
    else {
      out.push(readEnvelope([...pending, r]));
      pending = [];
    }
  }
  return out;
}
