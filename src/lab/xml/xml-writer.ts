import type { XmlNode } from './parse-xml.ts';

export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  t: 'http://schemas.microsoft.com/exchange/services/2006/types',
  m: 'http://schemas.microsoft.com/exchange/services/2006/messages',
  e: 'http://schemas.microsoft.com/exchange/services/2006/errors',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
} as const;

/** Characters XML 1.0 forbids even as references; the lab never writes them. */
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeText(value: string): string {
  return value.replace(ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

export type Attrs = Record<string, string | number | boolean | undefined>;

function attrString(attrs: Attrs | undefined): string {
  if (!attrs) return '';
  let out = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out += ` ${k}="${escapeAttr(String(v))}"`;
  return out;
}

/** One element; `content` is already-serialized XML (use `text()` for character data). */
export function el(name: string, attrs?: Attrs, ...content: Array<string | undefined | false>): string {
  const inner = content.filter((c): c is string => typeof c === 'string' && c !== '').join('');
  return inner === '' ? `<${name}${attrString(attrs)}/>` : `<${name}${attrString(attrs)}>${inner}</${name}>`;
}

/** An element holding character data. */
export function tel(name: string, value: string | number | boolean, attrs?: Attrs): string {
  return `<${name}${attrString(attrs)}>${escapeText(String(value))}</${name}>`;
}

const PREFIX_BY_URI: Record<string, string> = { [NS.t]: 't', [NS.m]: 'm' };

/** Writes a stored request subtree back out, with the t:/m: prefixes the envelope declares. */
export function writeNode(node: XmlNode): string {
  const prefix = PREFIX_BY_URI[node.uri];
  const name = prefix ? `${prefix}:${node.name}` : node.name;
  const attrs: Attrs = {};
  for (const [k, v] of Object.entries(node.attrs)) attrs[k === 'type' && v.includes(':') ? 'xsi:type' : k] = v;
  if (node.children.length === 0) {
    const text = node.text;
    return text === '' ? el(name, attrs) : `<${name}${attrString(attrs)}>${escapeText(text)}</${name}>`;
  }
  return el(name, attrs, ...node.children.map(writeNode));
}

/** Builds a node in the types namespace (for values the lab computes itself). */
export function tnode(name: string, text = '', attrs: Record<string, string> = {}, kids: XmlNode[] = []): XmlNode {
  return { name, uri: NS.t, attrs, children: kids, text, line: 0 };
}
