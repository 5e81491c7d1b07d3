import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../../../test/support/env.ts';
import { ewsError, responseCodeKind, responseCodeKinds, stableCode } from './response-codes.ts';

describe('EWS response-code table', () => {
  it('maps the codes the sync engine branches on to their kinds', () => {
    const expected: Record<string, string> = {
      ErrorServerBusy: 'throttled',
      ErrorExceededConnectionCount: 'throttled',
      ErrorInternalServerTransientError: 'transient',
      ErrorMailboxStoreUnavailable: 'transient',
      ErrorPasswordExpired: 'auth',
      ErrorItemNotFound: 'not-found',
      ErrorFolderNotFound: 'not-found',
      ErrorInvalidSyncStateData: 'cursor-invalid',
      ErrorInvalidWatermark: 'cursor-invalid',
      ErrorIrresolvableConflict: 'conflict',
      ErrorStaleObject: 'conflict',
      ErrorInvalidChangeKey: 'conflict',
      ErrorImpersonateUserDenied: 'auth',
      ErrorNonExistentMailbox: 'not-found',
      ErrorAccessDenied: 'auth',
      ErrorSchemaValidation: 'permanent',
    };
    for (const [code, kind] of Object.entries(expected)) assert.equal(responseCodeKind(code), kind, code);
  });

  it('treats an unknown code as permanent', () => {
    assert.equal(responseCodeKind('ErrorSomethingNew'), 'permanent');
  });

  it('keeps the original code and message, and the server back-off', () => {
    const e = ewsError({ responseCode: 'ErrorServerBusy', messageText: 'The server cannot service this request right now.', backOffMs: 30000, operation: 'GetItem' });
    assert.equal(e.code, 'ews_server_busy');
    assert.equal(e.kind, 'throttled');
    assert.equal(e.providerCode, 'ErrorServerBusy');
    assert.equal(e.providerMessage, 'The server cannot service this request right now.');
    assert.equal(e.retryAfterMs, 30000);
    assert.match(e.message, /^GetItem failed: ErrorServerBusy/);
  });

  it('derives stable snake_case codes', () => {
    assert.equal(stableCode('ErrorInvalidSyncStateData'), 'ews_invalid_sync_state_data');
    assert.equal(stableCode('ErrorADUnavailable'), 'ews_ad_unavailable');
    assert.equal(stableCode('ErrorInvalidIdMalformed'), 'ews_invalid_id_malformed');
  });

  it('names only codes that exist in the schema ResponseCodeType', { skip: conformanceSkip() }, () => {
    const xsd = readFileSync(conformancePath('ews-schema/messages.xsd'), 'utf8') + readFileSync(conformancePath('ews-schema/types.xsd'), 'utf8');
    const block = /<xs:simpleType name="ResponseCodeType">([\s\S]*?)<\/xs:simpleType>/.exec(xsd)?.[1] ?? '';
    const codes = new Set([...block.matchAll(/value="([^"]+)"/g)].map((m) => m[1]));
    assert.ok(codes.size > 400);
    assert.deepEqual(Object.keys(responseCodeKinds).filter((c) => !codes.has(c)), []);
  });

  it('covers every code in the kit ResponseCode excerpt', { skip: conformanceSkip() }, () => {
    const md = readFileSync(conformancePath('ews-samples/ResponseCode-descriptions-excerpt.md'), 'utf8');
    const listed = [...md.matchAll(/^\d+:\|(Error\w+)/gm)].map((m) => m[1]!);
    assert.ok(listed.length > 20);
    const unmapped = listed.filter((c) => !(c in responseCodeKinds) && !['ErrorInvalidPropertyRequest', 'ErrorMessageSizeExceeded', 'ErrorSendAsDenied'].includes(c));
    assert.deepEqual(unmapped, []);
  });
});
