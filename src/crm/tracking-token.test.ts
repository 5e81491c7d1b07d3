import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendToken, findToken, formatToken, stripTokens } from './tracking-token.ts';

describe('tracking token', () => {
  it('formats with the configured prefix and digits', () => {
    assert.equal(formatToken(42), 'CRM:0000042');
    assert.equal(formatToken(42, { prefix: 'TRK#', digits: 4 }), 'TRK#0042');
    assert.equal(formatToken(123456, { prefix: 'X', digits: 4 }), 'X3456');
  });

  it('finds the last token of the configured format, not a longer number', () => {
    assert.equal(findToken('RE: Quote CRM:0000042'), 'CRM:0000042');
    assert.equal(findToken('RE: Quote CRM:00000421'), null);
    assert.equal(findToken('RE: CRM:0000001 FW: CRM:0000002'), 'CRM:0000002');
    assert.equal(findToken('RE: Quote [TRK#0042]', { prefix: '[TRK#', digits: 4 }), '[TRK#0042');
    assert.equal(findToken('RE: Quote CRM:0000042', { prefix: 'TRK:', digits: 7 }), null);
  });

  it('round-trips through append and strip', () => {
    const token = formatToken(7);
    const subject = appendToken('Your quote', token);
    assert.equal(subject, 'Your quote CRM:0000007');
    assert.equal(appendToken(subject, token), subject);
    assert.equal(findToken(subject), token);
    assert.equal(stripTokens(subject), 'Your quote');
  });
});
