import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildMime, parseAddressList, parseMime } from './mime.ts';

describe('lab MIME', () => {
  it('builds a message the parser reads back: headers, UTF-8 subject, body and attachment', () => {
    const raw = buildMime({
      from: { name: 'Zoë Dubois', address: 'zoe@fabrikam.example' },
      to: [{ address: 'alex.wilber@contoso.lab' }],
      cc: [{ name: 'Megan', address: 'megan.bowen@contoso.lab' }],
      subject: 'Devis n° 42 CRM:0000042',
      date: new Date('2026-11-22T10:00:00Z'),
      messageId: '<m1@fabrikam.example>',
      inReplyTo: '<q@contoso.lab>',
      references: '<q@contoso.lab>',
      body: { type: 'HTML', content: '<p>Bonjour</p>' },
      attachments: [{ name: 'devis.txt', contentType: 'text/plain', content: Buffer.from('42'), isInline: false }],
      boundary: 'b1',
    });
    const m = parseMime(raw);
    assert.equal(m.subject, 'Devis n° 42 CRM:0000042');
    assert.deepEqual(m.from, { name: 'Zoë Dubois', address: 'zoe@fabrikam.example' });
    assert.deepEqual(m.cc, [{ name: 'Megan', address: 'megan.bowen@contoso.lab' }]);
    assert.equal(m.messageId, '<m1@fabrikam.example>');
    assert.equal(m.inReplyTo, '<q@contoso.lab>');
    assert.deepEqual(m.body, { type: 'HTML', content: '<p>Bonjour</p>' });
    assert.equal(m.attachments[0]?.name, 'devis.txt');
    assert.equal(m.attachments[0]?.content.toString(), '42');
  });

  it('reads address lists with quoted commas', () => {
    assert.deepEqual(parseAddressList('"Diaz, Ana" <ana@x.example>, bo@y.example'), [{ name: 'Diaz, Ana', address: 'ana@x.example' }, { address: 'bo@y.example' }]);
  });
});
