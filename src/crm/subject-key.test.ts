import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subjectKey } from './subject-key.ts';

describe('subject key', () => {
  it('removes reply and forward prefixes in several languages, repeated', () => {
    assert.equal(subjectKey('RE: FW: AW:  Quote  for   Q3'), 'quote for q3');
    assert.equal(subjectKey('Re[2]: quote for q3'), 'quote for q3');
    assert.equal(subjectKey('SV: VS: WG: TR: Quote for Q3'), 'quote for q3');
  });
  it('removes tracking tokens when given the format', () => {
    assert.equal(subjectKey('RE: Quote CRM:0000042', { prefix: 'CRM:', digits: 7 }), 'quote');
  });
  it('keeps words that merely start like a prefix', () => {
    assert.equal(subjectKey('Report: Q3'), 'report: q3');
    assert.equal(subjectKey('Trade fair'), 'trade fair');
  });
});
