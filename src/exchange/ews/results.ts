import type { ItemResult } from '../driver.ts';
import { AppError as Err } from '../../errors.ts';
import { messageError, type ResponseMessage, type SoapEnvelope } from './soap-response.ts';

/** One ItemResult per ResponseMessage, in the order Exchange returns them (the request's order). */
export function perMessage<T>(envelope: SoapEnvelope, operation: string, read: (m: ResponseMessage) => T): ItemResult<T>[] {
  return envelope.messages.map((m) => {
    if (m.ResponseClass === 'Error') return { ok: false, error: messageError(m, operation) };
    try {
      return { ok: true, value: read(m) };
    } catch (e) {
      const error: Err = e instanceof Err ? e : new Err('ews_malformed_response', `${operation}: ${e instanceof Error ? e.message : String(e)}`, { kind: 'transient', cause: e });
      return { ok: false, error };
    }
  });
}

/** The single ResponseMessage of a one-target call; its error is thrown. */
export function single(envelope: SoapEnvelope, operation: string): ResponseMessage {
  const m = envelope.messages[0];
  if (!m) throw new Err('ews_malformed_response', `${operation}: the response has no ResponseMessage`, { kind: 'transient' });
  if (m.ResponseClass === 'Error') throw messageError(m, operation);
  return m;
}

/** Checks that a batch answered once per input; Exchange does, and anything else would misattribute results. */
export function expectCount<T>(results: ItemResult<T>[], expected: number, operation: string): ItemResult<T>[] {
  if (results.length !== expected) {
    throw new Err('ews_malformed_response', `${operation}: ${results.length} response messages for ${expected} inputs`, { kind: 'transient' });
  }
  return results;
}
