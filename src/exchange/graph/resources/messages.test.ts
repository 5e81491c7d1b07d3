import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMessageItem, messageSelect, toEmailMessage } from './messages.ts';

/** The conversation fields correlation needs, as Graph names them on a message resource. */
describe('Graph message mapping: conversation fields', () => {
  const index = 'AdzGEjRWd3d3d3d3d3d3d3d3d3d3d3cBAgME'; // a 22-byte header plus one response level

  it('asks Graph for conversationId and conversationIndex', () => {
    const fields = messageSelect.split(',');
    assert.ok(fields.includes('conversationId'));
    assert.ok(fields.includes('conversationIndex'));
    assert.match(getMessageItem('a@x.test', 'id1').url, /\$select=[^&]*conversationIndex/);
  });

  it('maps them unchanged (conversationIndex stays base64, as Graph sends the bytes)', () => {
    const m = toEmailMessage({ id: 'm1', internetMessageId: '<m1@x>', subject: 'RE: x', conversationId: 'AAQkAGI2TTV=', conversationIndex: index });
    assert.equal(m.conversationId, 'AAQkAGI2TTV=');
    assert.equal(m.conversationIndex, index);
  });

  it('leaves them out when Graph has none (null or missing), so correlation does not match on empty values', () => {
    const missing = toEmailMessage({ id: 'm2', internetMessageId: '<m2@x>', subject: 'x' });
    assert.equal('conversationId' in missing, false);
    assert.equal('conversationIndex' in missing, false);
    const nulls = toEmailMessage({ id: 'm3', internetMessageId: '<m3@x>', subject: 'x', conversationId: null, conversationIndex: null });
    assert.equal(nulls.conversationId, undefined);
    assert.equal(nulls.conversationIndex, undefined);
  });
});
