/**
 * A small JSON reader that keeps the line of every value, so a finding can point at the line of
 * ConvertTo-Json output it came from, and a broken paste is reported at its exact line and column
 * (JSON.parse only gives an offset, and not on every Node version).
 */
export type JsonNode =
  | { type: 'object'; line: number; props: { key: string; line: number; value: JsonNode }[] }
  | { type: 'array'; line: number; items: JsonNode[] }
  | { type: 'string'; line: number; value: string }
  | { type: 'number'; line: number; value: number }
  | { type: 'boolean'; line: number; value: boolean }
  | { type: 'null'; line: number };

export class JsonSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** Parses one JSON value starting at `start`; returns it and the offset just past it. */
export function parseJsonWithLines(text: string, start: number, firstLine: number): { node: JsonNode; end: number } {
  let pos = start;
  let line = firstLine;
  let lineStart = start;

  const fail = (what: string): never => {
    const found = pos < text.length ? JSON.stringify(text[pos]) : 'end of input';
    throw new JsonSyntaxError(`${what}, found ${found}`, line, pos - lineStart + 1);
  };
  const skipSpace = (): void => {
    while (pos < text.length) {
      const c = text[pos];
      if (c === '\n') {
        line++;
        pos++;
        lineStart = pos;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') pos++;
      else break;
    }
  };
  const readString = (): string => {
    pos++;
    let out = '';
    while (pos < text.length) {
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\n') fail('expected the closing quote of a string before the end of the line');
      if (c === '\\') {
        const e = text[pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
          pos += 6;
        } else {
          pos++;
          fail('expected a valid escape sequence');
        }
      } else {
        out += c;
        pos++;
      }
    }
    return fail('expected the closing quote of a string');
  };
  const readValue = (depth: number): JsonNode => {
    if (depth > 64) fail('nesting deeper than 64 levels');
    skipSpace();
    const at = line;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const props: { key: string; line: number; value: JsonNode }[] = [];
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return { type: 'object', line: at, props };
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        const keyLine = line;
        const key = readString();
        skipSpace();
        if (text[pos] !== ':') fail(`expected ':' after property "${key}"`);
        pos++;
        props.push({ key, line: keyLine, value: readValue(depth + 1) });
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { type: 'object', line: at, props };
        }
        fail("expected ',' or '}' in an object");
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return { type: 'array', line: at, items };
      }
      for (;;) {
        items.push(readValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { type: 'array', line: at, items };
        }
        fail("expected ',' or ']' in an array");
      }
    }
    if (c === '"') return { type: 'string', line: at, value: readString() };
    const word = /^(true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos, pos + 40));
    if (word) {
      pos += word[1]!.length;
      if (word[1] === 'true' || word[1] === 'false') return { type: 'boolean', line: at, value: word[1] === 'true' };
      if (word[1] === 'null') return { type: 'null', line: at };
      return { type: 'number', line: at, value: Number(word[1]) };
    }
    return fail('expected a JSON value');
  };

  const node = readValue(0);
  return { node, end: pos };
}
