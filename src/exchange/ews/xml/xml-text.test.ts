import { describe, it } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { AppError } from '../../../errors.ts';
import { element, escapeXml, escapeXmlAttribute, stripIllegalXmlChars, textElement } from './xml-text.ts';
import { readXmlString } from './xml-reader.ts';

describe('XML text for requests', () => {
  it('escapes markup so any string round-trips through a parser', async () => {
    const nasty = `a<b>&c"d'e\r\nf]]>g</t:Subject><t:Injected/>`;
    const [root] = await readXmlString(`<r x="${escapeXmlAttribute(nasty)}">${textElement('t:Subject', nasty)}</r>`);
    assert.equal(root?.attrs['x'], nasty);
    assert.equal(root?.children.length, 1);
    assert.equal(root?.children[0]?.text, nasty);
  });

  it('rejects characters XML 1.0 cannot carry, naming the field and the code point', () => {
    for (const [bad, cp] of [['a\u0000b', '0000'], ['\u0008', '0008'], ['x\uFFFE', 'FFFE'], ['\uD800', 'D800']] as const) {
      assert.throws(
        () => escapeXml(bad, 'Subject'),
        (e: unknown) => e instanceof AppError && e.code === 'ews_illegal_xml_character' && e.kind === 'invalid-input' && e.message.includes(`U+${cp}`) && e.message.startsWith('Subject'),
      );
    }
    assert.equal(escapeXml('tab\tnewline\n\u{1F600}'), 'tab\tnewline\n\u{1F600}');
  });

  it('strips them from free text instead when asked', () => {
    assert.equal(stripIllegalXmlChars('a\u0001b\u000Bc\uFFFFd\u{1F600}'), 'abcd\u{1F600}');
  });

  it('writes attributes escaped and omits undefined ones', () => {
    assert.equal(element('t:ItemId', { Id: 'a"b&', ChangeKey: undefined }), '<t:ItemId Id="a&quot;b&amp;"/>');
  });

  it('for any string: either a clear rejection, or text and attribute that parse back to exactly it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (value) => {
        let text: string;
        let attr: string;
        try {
          text = escapeXml(value);
          attr = escapeXmlAttribute(value);
        } catch (e) {
          assert.ok(e instanceof AppError && e.code === 'ews_illegal_xml_character');
          assert.notEqual(stripIllegalXmlChars(value), value);
          return;
        }
        const [root] = await readXmlString(`<r a="${attr}">${text}</r>`);
        assert.equal(root?.text, value);
        assert.equal(root?.attrs['a'], value);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
