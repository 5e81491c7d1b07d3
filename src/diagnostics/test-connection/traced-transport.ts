/**
 * An EWS transport that hands each exchange to an ExchangeTap: the request as the client built it
 * (the transport adds the credentials afterwards, so they never pass through here), the status and
 * headers, and the start of the response body, copied while the caller reads it. Only Test
 * Connection uses it: sync traffic is never copied.
 */
import type { EwsTransport, HttpResponse } from '../../exchange/ews/transport.ts';
import { exchangeError, TRACE_BODY_LIMIT, type ExchangeTap, type HttpExchange } from '../redact-http.ts';

export function tracedTransport(inner: EwsTransport, tap: ExchangeTap): EwsTransport {
  return {
    async send(request) {
      const exchange: HttpExchange = { method: 'POST', url: request.url, authenticated: true, requestHeaders: { ...request.headers }, requestBody: request.body };
      tap.record(exchange);
      let response: HttpResponse;
      try {
        response = await inner.send(request);
      } catch (error) {
        exchange.error = exchangeError(error);
        throw error;
      }
      exchange.status = response.status;
      exchange.responseHeaders = { ...response.headers };
      return { ...response, body: copying(response.body, exchange) };
    },
    close: () => inner.close(),
  };
}

/** Passes the body through unchanged, keeping its first bytes and counting the rest. */
async function* copying(body: AsyncIterable<Uint8Array>, exchange: HttpExchange): AsyncIterable<Uint8Array> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  const settle = (): void => {
    exchange.responseBody = Buffer.concat(kept).toString('utf8');
    exchange.responseBytes = total;
  };
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      // UTF-8 takes at most 4 bytes a character: this many bytes always hold TRACE_BODY_LIMIT characters.
      if (keptBytes < TRACE_BODY_LIMIT * 4) {
        const part = Buffer.from(chunk.subarray(0, TRACE_BODY_LIMIT * 4 - keptBytes));
        kept.push(part);
        keptBytes += part.byteLength;
        settle();
      }
      yield chunk;
    }
  } catch (error) {
    exchange.error = exchangeError(error);
    throw error;
  } finally {
    settle();
  }
}
