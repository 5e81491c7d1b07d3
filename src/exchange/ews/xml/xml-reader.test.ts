import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../../errors.ts';
import { readXml, readXmlString } from './xml-reader.ts';

const malformed = (e: unknown): boolean => e instanceof AppError && e.code === 'ews_malformed_response';

async function* chunks(parts: Array<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

describe('streaming XML reader', () => {
  it('reads local names and attributes across chunk boundaries, including a split multi-byte character', async () => {
    const bytes = new TextEncoder().encode('<s:Envelope xmlns:s="x"><t:A Id="1">caf\u00e9 \u{1F600}</t:A></s:Envelope>');
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 3) parts.push(bytes.subarray(i, i + 3));
    const [root] = await readXml(chunks(parts));
    assert.equal(root?.name, 'Envelope');
    assert.deepEqual(root?.children[0], { name: 'A', attrs: { Id: '1' }, children: [], text: 'caf\u00e9 \u{1F600}', parsed: undefined });
  });

  it('refuses a DOCTYPE, so no entity is ever defined or expanded (billion laughs)', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    await assert.rejects(readXmlString(bomb), (e: unknown) => malformed(e) && /DOCTYPE/.test((e as Error).message));
  });

  it('refuses an external entity reference', async () => {
    await assert.rejects(readXmlString('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&xxe;</a>'), malformed);
    await assert.rejects(readXmlString('<a>&xxe;</a>'), malformed);
  });

  it('refuses illegal XML characters, raw or as character references', async () => {
    await assert.rejects(readXmlString('<a>\u0001</a>'), malformed);
    await assert.rejects(readXmlString('<a>&#x1;</a>'), malformed);
    await assert.rejects(readXmlString('<a>&#xFFFE;</a>'), malformed);
  });

  it('refuses bytes that are not UTF-8', async () => {
    await assert.rejects(readXml(chunks(['<a>', new Uint8Array([0xc3, 0x28]), '</a>'])), (e: unknown) => malformed(e) && /UTF-8/.test((e as Error).message));
  });

  it('refuses malformed XML with a clear error', async () => {
    for (const bad of ['<a><b></a>', '<a>', '', 'not xml', '<a></a><b/>', '<a x="1" x="2"/>']) {
      await assert.rejects(readXmlString(bad), malformed, bad);
    }
  });

  it('stops at the size bound without reading the rest', async () => {
    let produced = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('<a>');
      for (;;) {
        produced++;
        yield new Uint8Array(1024).fill(0x61);
      }
    }
    await assert.rejects(readXml(endless(), { maxBytes: 64 * 1024 }), (e: unknown) => malformed(e) && /larger than 65536 bytes/.test((e as Error).message));
    assert.ok(produced <= 65);
  });

  it('stops at the depth bound', async () => {
    const deep = '<a>'.repeat(200) + '</a>'.repeat(200);
    await assert.rejects(readXmlString(deep, { maxDepth: 64 }), (e: unknown) => malformed(e) && /deeper than 64/.test((e as Error).message));
    assert.equal((await readXmlString('<a>'.repeat(10) + '</a>'.repeat(10), { maxDepth: 64 })).length, 1);
  });

  it('reads several documents from one fragment stream, dropping their XML declarations', async () => {
    const text = '<?xml version="1.0" encoding="utf-8"?><E><N>1</N></E><?xml version="1.0"?>\n<E><N>2</N></E>';
    for (const size of [1, 2, 5, 7, 1000]) {
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
      const roots = await readXml(chunks(parts), { fragment: true });
      assert.deepEqual(roots.map((r) => r.children[0]?.text), ['1', '2'], `chunk size ${size}`);
    }
  });

  it('hands closed elements to onClose and can drop them', async () => {
    const seen: string[] = [];
    const [root] = await readXmlString('<r><i>1</i><i>2</i><k/></r>', { onClose: (n, path) => (n.name === 'i' ? (seen.push(`${path.join('/')}:${n.text}`), true) : false) });
    assert.deepEqual(seen, ['r:1', 'r:2']);
    assert.deepEqual(root?.children.map((c) => c.name), ['k']);
  });
});
