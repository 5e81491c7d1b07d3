import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGraphError, graphError, parseRetryAfter } from './error-codes.ts';

describe('Graph error table', () => {
  it('maps statuses to the kinds EWS uses', () => {
    const cases: Array<[number, string | undefined, string]> = [
      [401, 'InvalidAuthenticationToken', 'auth'],
      [403, 'ErrorAccessDenied', 'auth'],
      [403, undefined, 'auth'],
      [404, 'ErrorItemNotFound', 'not-found'],
      [404, 'MailboxNotEnabledForRESTAPI', 'not-found'],
      [410, undefined, 'cursor-invalid'],
      [400, 'syncStateNotFound', 'cursor-invalid'],
      [400, 'resyncRequired', 'cursor-invalid'],
      [409, 'ErrorFolderExists', 'conflict'],
      [412, 'ErrorIrresolvableConflict', 'conflict'],
      [429, 'ApplicationThrottled', 'throttled'],
      [503, undefined, 'throttled'],
      [504, undefined, 'throttled'],
      [500, 'ErrorInternalServerError', 'transient'],
      [502, undefined, 'transient'],
      [400, 'ErrorInvalidRequest', 'permanent'],
    ];
    for (const [status, code, kind] of cases) assert.equal(classifyGraphError(status, code).kind, kind, `${status} ${code}`);
  });

  it('tells a mailbox outside Exchange Online from a missing item', () => {
    assert.equal(classifyGraphError(404, 'MailboxNotEnabledForRESTAPI').code, 'graph_mailbox_not_in_cloud');
    assert.equal(classifyGraphError(404, 'ErrorMailboxNotEnabledForRESTAPI').code, 'graph_mailbox_not_in_cloud');
    assert.equal(classifyGraphError(404, 'ErrorItemNotFound').code, 'graph_not_found');
  });

  it('never lets a code turn a 5xx into a permanent failure', () => {
    assert.equal(classifyGraphError(500, 'ErrorAccessDenied').kind, 'transient');
  });

  it('keeps the provider code, message and request id, and carries Retry-After', () => {
    const error = graphError(
      429,
      { error: { code: 'TooManyRequests', message: 'Please retry again later.', innerError: { 'request-id': 'r-1', date: '2020-08-18T12:51:51' } } },
      { method: 'GET', path: '/v1.0/users/a@b/messages/delta?$deltatoken=SECRETISH', mailbox: 'a@b', retryAfterMs: 2128 },
    );
    assert.equal(error.kind, 'throttled');
    assert.equal(error.providerCode, 'TooManyRequests');
    assert.equal(error.providerMessage, 'Please retry again later.');
    assert.equal(error.retryAfterMs, 2128);
    assert.equal(error.details['requestId'], 'r-1');
    assert.equal(error.details['mailbox'], 'a@b');
    assert.ok(!error.message.includes('SECRETISH'), 'delta tokens stay out of messages');
  });

  it('reads Retry-After in seconds (fractional, as Graph sends it) or as a date', () => {
    assert.equal(parseRetryAfter('2.128', 0), 2128);
    assert.equal(parseRetryAfter('10', 0), 10_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1_000), 4_000);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
    assert.equal(parseRetryAfter('soon', 0), undefined);
  });
});
