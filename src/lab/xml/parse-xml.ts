import { SaxesParser } from 'saxes';

/** A light element tree: enough for the lab to read requests, never a DOM. */
export type XmlNode = {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI ('' when none). */
  uri: string;
  /** Attributes by local name (namespace declarations left out). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated character data directly inside this element. */
  text: string;
  /** 1-based line and column where the start tag ends, for schema-style error messages. */
  line: number;
  column?: number;
};

export class XmlParseError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'XmlParseError';
    this.line = line;
    this.column = column;
  }
}

const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Parses a request body into a tree. DOCTYPE is refused outright: no DTD, no entity expansion
 * (DESIGN.md section 6), exactly like a hardened SOAP stack.
 */
export function parseXml(text: string): XmlNode {
  if (text.length > MAX_BYTES) throw new XmlParseError('document too large', 1, 1);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let failure: XmlParseError | undefined;
  parser.on('error', (error) => {
    failure ??= new XmlParseError(error.message, parser.line, parser.column);
  });
  parser.on('doctype', () => {
    failure ??= new XmlParseError('DOCTYPE is not allowed', parser.line, parser.column);
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) {
      if (typeof attr === 'string') continue;
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
      attrs[attr.local] = attr.value;
    }
    const node: XmlNode = { name: tag.local ?? tag.name, uri: tag.uri ?? '', attrs, children: [], text: '', line: parser.line, column: parser.column };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  try {
    parser.write(text).close();
  } catch (error) {
    failure ??= new XmlParseError((error as Error).message, parser.line, parser.column);
  }
  if (failure) throw failure;
  if (!root) throw new XmlParseError('no root element', 1, 1);
  return root;
}

/** First child with this local name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of the named child, or undefined. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  return c === undefined ? undefined : c.text.trim();
}
