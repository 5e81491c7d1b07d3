import { SaxesParser } from 'saxes';
import { AppError } from '../../../errors.ts';

/** An element by local name (prefixes dropped: Exchange and the published samples mix m:, t:, default and even https namespaces). */
export type XmlNode = {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  /** Set by an onClose hook that already turned this element into a value (its children are then dropped). */
  parsed?: unknown;
};

export type XmlReadLimits = {
  /** Bytes of the body; past this the response is refused (a server or proxy gone wrong must not exhaust memory). */
  maxBytes: number;
  maxDepth: number;
};

export const defaultXmlReadLimits: XmlReadLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 };

export type XmlReadOptions = Partial<XmlReadLimits> & {
  /** Accept several top-level elements in one body (GetStreamingEvents sends one envelope after another). */
  fragment?: boolean;
  /**
   * Called when an element closes, with its ancestors' names. Returning true drops the node from its
   * parent: the caller took what it needed, so a page of 512 items never sits in memory twice.
   */
  onClose?: (node: XmlNode, path: readonly string[]) => boolean | void;
};

/** Shared by every element without attributes; never written to. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function malformed(message: string, cause?: unknown): AppError {
  return new AppError('ews_malformed_response', `Exchange returned a response Dovetail cannot read: ${message}`, {
    kind: 'transient',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Parses XML streamed from `chunks` with saxes, never holding the raw body: no DTD, no entity
 * expansion (a DOCTYPE is refused outright), bounded size and depth. Any well-formedness or limit
 * failure becomes one AppError 'ews_malformed_response' for this response; nothing else is thrown.
 */
export async function readXml(chunks: AsyncIterable<Uint8Array>, options: XmlReadOptions = {}): Promise<XmlNode[]> {
  const maxBytes = options.maxBytes ?? defaultXmlReadLimits.maxBytes;
  const maxDepth = options.maxDepth ?? defaultXmlReadLimits.maxDepth;
  // Line/column tracking costs a third of parse time on large pages; errors name the byte offset instead.
  const parser = new SaxesParser({ fragment: options.fragment === true, position: false });
  const roots: XmlNode[] = [];
  const stack: XmlNode[] = [];
  const path: string[] = [];
  const onClose = options.onClose;
  let failure: AppError | undefined;
  let total = 0;
  const fail = (e: AppError): never => {
    failure ??= e;
    throw failure;
  };

  parser.on('doctype', () => fail(malformed('a DOCTYPE is not allowed (no DTDs or entities are ever processed)')));
  parser.on('error', (e) => fail(malformed(`${e.message.replace(/\.$/, '')} (within the first ${total} bytes)`, e)));
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) fail(malformed(`elements nested deeper than ${maxDepth}`));
    let attrs = NO_ATTRIBUTES;
    const source = tag.attributes as Record<string, string>;
    for (const k in source) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      if (attrs === NO_ATTRIBUTES) attrs = {};
      attrs[localName(k)] = source[k]!;
    }
    // Every node gets the same shape (parsed included), so the code reading them stays monomorphic.
    const node: XmlNode = { name: localName(tag.name), attrs, children: [], text: '', parsed: undefined };
    stack.push(node);
    path.push(node.name);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    const node = stack.pop();
    path.pop();
    if (!node) return;
    if (node.children.length > 0 && node.text.trim() === '') node.text = '';
    if (onClose?.(node, path) === true) return;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else roots.push(node);
  });

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const feed = options.fragment === true ? declarationStripper((t) => parser.write(t), () => stack.length) : (t: string | null) => {
        if (t !== null) parser.write(t);
      };
  try {
    for await (const chunk of chunks) {
      total += chunk.byteLength;
      if (total > maxBytes) fail(malformed(`response larger than ${maxBytes} bytes`));
      feed(decoder.decode(chunk, { stream: true }));
    }
    feed(decoder.decode());
    feed(null);
    parser.close();
  } catch (e) {
    if (failure) throw failure;
    if (e instanceof AppError) throw e;
    if (e instanceof TypeError) throw malformed('the body is not valid UTF-8', e);
    throw malformed(e instanceof Error ? e.message : String(e), e);
  }
  if (failure) throw failure;
  return roots;
}

const DECL = '<?xml';

/**
 * saxes refuses an XML declaration anywhere in a fragment, and a streaming body repeats one before
 * each envelope. Between documents (depth 0) a declaration carries nothing we need, so it is dropped
 * there; inside an element it is passed on and saxes reports it. Handles declarations split across chunks.
 */
function declarationStripper(write: (t: string) => void, depth: () => number): (t: string | null) => void {
  let held = '';
  let skipping = false;
  return (chunk) => {
    let text = held + (chunk ?? '');
    held = '';
    while (text.length > 0) {
      if (skipping) {
        const end = text.indexOf('?>');
        if (end < 0) {
          if (chunk !== null) held = text.endsWith('?') ? '?' : '';
          return;
        }
        text = text.slice(end + 2);
        skipping = false;
        continue;
      }
      const at = text.indexOf(DECL);
      if (at < 0) {
        // Keep back a possible start of a declaration cut by the chunk boundary.
        let keep = 0;
        if (chunk !== null) for (let n = Math.min(DECL.length - 1, text.length); n > 0; n--) if (DECL.startsWith(text.slice(-n))) { keep = n; break; }
        if (text.length > keep) write(text.slice(0, text.length - keep));
        held = text.slice(text.length - keep);
        return;
      }
      if (at > 0) write(text.slice(0, at));
      if (depth() === 0) {
        skipping = true;
        text = text.slice(at + DECL.length);
      } else {
        write(DECL);
        text = text.slice(at + DECL.length);
      }
    }
  };
}

/** Reads a whole string (tests, published samples). */
export function readXmlString(xml: string, options: XmlReadOptions = {}): Promise<XmlNode[]> {
  return readXml(
    (async function* () {
      yield new TextEncoder().encode(xml);
    })(),
    options,
  );
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!node) return [];
  return node.children.filter((c) => c.name === name);
}

export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}
