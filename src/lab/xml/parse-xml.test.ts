import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XmlParseError } from './parse-xml.ts';

describe('lab request parser', () => {
  it('reads namespaces, attributes and text into a light tree', () => {
    const doc = parseXml('<s:E xmlns:s="urn:s" xmlns:t="urn:t"><t:A Id="1" t:Key="k">x &amp; y</t:A></s:E>');
    assert.equal(doc.name, 'E');
    assert.equal(doc.uri, 'urn:s');
    const a = doc.children[0]!;
    assert.deepEqual([a.name, a.uri, a.attrs, a.text], ['A', 'urn:t', { Id: '1', Key: 'k' }, 'x & y']);
  });

  it('refuses DOCTYPE, so no entity is ever expanded', () => {
    assert.throws(() => parseXml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'), XmlParseError);
  });

  it('names the line of malformed input', () => {
    assert.throws(
      () => parseXml('<a>\n<b>\n</a>'),
      (e: unknown) => e instanceof XmlParseError && e.line >= 2,
    );
  });
});
