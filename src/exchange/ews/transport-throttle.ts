/**
 * What the transport tells the ExchangeRequestObserver about an EWS or Autodiscover answer: the
 * operation (from SOAPAction) and whether the answer was a throttling refusal. Exchange refuses with
 * HTTP 503, with 401 right after a good NTLM handshake (transport-ntlm.ts), or with a throttling
 * ResponseCode (ErrorServerBusy and kin) in a SOAP fault (500) or in response messages (200);
 * those are found in the body as it streams to the client, without parsing it twice.
 */
import { operationLabel } from '../../observability/exchange-requests.ts';
import { responseCodeKinds } from './response-codes.ts';
import type { HttpRequest } from './transport.ts';

/**
 * A throttling code counts only as the text of a ResponseCode element (m:ResponseCode in a response
 * message, e:ResponseCode with its xmlns in a fault): in element text "<" is always escaped and no
 * item has an element of that name, so an email whose subject or body is "ErrorServerBusy" never
 * matches.
 */
const THROTTLE_MARKERS: ReadonlyArray<Buffer> = Object.entries(responseCodeKinds)
  .filter(([, kind]) => kind === 'throttled')
  .map(([code]) => Buffer.from(`>${code}<`, 'latin1'));
/** Bytes kept from one chunk to the next: a marker and its start tag may span two chunks. */
const CARRY = 512;
const LT = 0x3c;

function inResponseCode(window: Buffer, at: number): boolean {
  const open = window.lastIndexOf(LT, at);
  if (open === -1) return false;
  const name = window.subarray(open + 1, at).toString('latin1').split(/\s/, 1)[0] ?? '';
  return /^(?:[\w.-]+:)?ResponseCode$/.test(name);
}

/** "FindItem" from SOAPAction ".../messages/FindItem"; "Autodiscover" for POX Autodiscover. */
export function ewsOperation(request: HttpRequest, url: URL): string {
  const action = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'soapaction')?.[1];
  const name = action?.replace(/"/g, '').split('/').pop();
  if (name !== undefined && name !== '') return operationLabel(name);
  return /autodiscover/i.test(url.pathname) ? 'Autodiscover' : 'other';
}

/** Counts throttling ResponseCodes in a body seen chunk by chunk (a marker may span two chunks). */
export class ThrottleScanner {
  #tail: Buffer = Buffer.alloc(0);
  count = 0;

  push(chunk: Uint8Array): void {
    const window = Buffer.concat([this.#tail, chunk]);
    for (const marker of THROTTLE_MARKERS) {
      // Matches wholly inside the previous tail were counted with the previous chunk.
      for (let at = window.indexOf(marker); at !== -1; at = window.indexOf(marker, at + 1)) {
        if (at + marker.length > this.#tail.length && inResponseCode(window, at)) this.count++;
      }
    }
    this.#tail = window.subarray(Math.max(0, window.length - CARRY));
  }
}
