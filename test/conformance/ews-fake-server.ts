/**
 * A scripted Exchange for driver tests: answers each SOAPAction from a handler, wraps the answer in a
 * real-looking envelope, and keeps every request so the suite can validate them against the XSDs.
 */
import type { HttpRequest, HttpResponse } from '../../src/exchange/ews/transport.ts';
import { FakeTransport, bytes } from './ews-sample-io.ts';

export const M = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const T = 'http://schemas.microsoft.com/exchange/services/2006/types';

export function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>` +
    `<h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11" xmlns:h="${T}"/></s:Header>` +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export function responseOf(operation: string, messages: string[]): string {
  return `<m:${operation}Response xmlns:m="${M}" xmlns:t="${T}"><m:ResponseMessages>${messages.join('')}</m:ResponseMessages></m:${operation}Response>`;
}

export function ok(operation: string, inner = ''): string {
  return `<m:${operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${inner}</m:${operation}ResponseMessage>`;
}

export function fail(operation: string, code: string, text = code): string {
  return `<m:${operation}ResponseMessage ResponseClass="Error"><m:MessageText>${text}</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:${operation}ResponseMessage>`;
}

export type Handler = (request: HttpRequest) => string;

export class FakeExchange {
  readonly transport: FakeTransport;
  readonly calls: Array<{ operation: string; body: string }> = [];
  readonly #handlers = new Map<string, Handler[]>();

  constructor() {
    this.transport = new FakeTransport();
  }

  /** Queue answers for an operation (each used once, the last one repeats). */
  on(operation: string, ...handlers: Handler[]): this {
    this.#handlers.set(operation, [...(this.#handlers.get(operation) ?? []), ...handlers]);
    return this;
  }

  send = async (request: HttpRequest): Promise<HttpResponse> => {
    const operation = /messages\/(\w+)"/.exec(request.headers['soapaction'] ?? '')?.[1] ?? '?';
    this.calls.push({ operation, body: request.body });
    const list = this.#handlers.get(operation) ?? [];
    const handler = list.length > 1 ? list.shift() : list[0];
    if (!handler) throw new Error(`FakeExchange: no handler for ${operation}`);
    const xml = envelope(handler(request));
    return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: bytes(xml, 257) };
  };

  /** Bind the fake transport to this server. */
  install(): this {
    const send = this.send;
    this.transport.send = (r: HttpRequest) => {
      this.transport.requests.push(r);
      return send(r);
    };
    return this;
  }
}
