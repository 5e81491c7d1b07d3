import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Failures a lab service can be told to show, to prove that an outage is never read as a bad
 * credential: connections dropped ('down'), an HTTP error status with an optional Retry-After
 * (503, 429, 500...), or answers held back ('slow').
 */
export type LabFault =
  | { kind: 'down'; only?: 'token' | 'all' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; only?: 'token' | 'all' }
  | { kind: 'slow'; delayMs: number; only?: 'token' | 'all' };

/** Returns true when the fault took the request over. */
export function applyFault(
  fault: LabFault,
  isPrimary: boolean,
  request: IncomingMessage,
  response: ServerResponse,
  proceed: () => void,
): boolean {
  if (fault.only === 'token' && !isPrimary) return false;
  switch (fault.kind) {
    case 'down':
      request.socket.destroy();
      return true;
    case 'status': {
      const body = `<html><body><h1>${fault.status}</h1><p>The service is unavailable.</p></body></html>`;
      response.writeHead(fault.status, {
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(body),
        ...(fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) }),
      });
      response.end(body);
      return true;
    }
    case 'slow': {
      const timer = setTimeout(proceed, fault.delayMs);
      timer.unref();
      response.once('close', () => clearTimeout(timer));
      return true;
    }
  }
}
