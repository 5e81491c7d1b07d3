import { JsonSyntaxError, parseJsonWithLines, type JsonNode } from './json-with-lines.ts';
import { valueFromCell, valueFromJson, valueFromText } from './powershell-values.ts';
import type { InputIssue, RawField, RawRecord } from './types.ts';

/**
 * Reads one pasted file of Exchange Management Shell / Graph PowerShell output into records:
 * Format-List blocks (blank-line separated, long values wrapped onto lines indented under the
 * value column), Format-Table (header, dashes, rows), ConvertTo-Json (array or single object),
 * and bare lists (`select -ExpandProperty ServicePrincipalNames`). Prompt or command lines above
 * the output are kept as a hint of which cmdlet printed it. Anything else becomes an InputIssue
 * naming the file, the line and what was expected there.
 */
export function readCmdletOutput(file: string, text: string): { records: RawRecord[]; issues: InputIssue[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const records: RawRecord[] = [];
  const issues: InputIssue[] = [];
  const lineOffsets: number[] = [];
  let offset = 0;
  for (const l of lines) {
    lineOffsets.push(offset);
    offset += l.length + 1;
  }
  const joined = lines.join('\n');
  let command: string | undefined;
  let tenant: string | undefined;
  // Connect-MgGraph prints a welcome banner; the block right after it is not cmdlet output.
  let afterConnect = false;
  const context = (): Pick<RawRecord, 'command' | 'tenant'> => ({
    ...(command === undefined ? {} : { command }),
    ...(tenant === undefined ? {} : { tenant }),
  });

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') {
      i++;
      continue;
    }
    const tenantComment = /^#\s*tenant\s*[:=]\s*(\S+)/i.exec(trimmed);
    if (tenantComment) {
      tenant = tenantComment[1];
      i++;
      continue;
    }
    if (trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const prompt = /^(?:\[PS\]|PS)\s[^>]*>\s?(.*)$/.exec(trimmed);
    const bareCommand = /^\(?(?:Get|Connect|Invoke|Set|Select)-[A-Za-z]+\b/.test(trimmed) && !/^\S+\s+:\s/.test(trimmed);
    if (prompt || bareCommand) {
      const cmd = (prompt ? prompt[1]! : trimmed).trim();
      const tenantArg = /Connect-(?:MgGraph|Graph)\b.*-TenantId\s+["']?([^"'\s]+)/i.exec(cmd);
      if (tenantArg) tenant = tenantArg[1];
      afterConnect = /^Connect-/i.test(cmd);
      if (cmd !== '' && !afterConnect) command = cmd;
      i++;
      continue;
    }
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
      const start = lineOffsets[i]! + line.indexOf(trimmed[0]!);
      try {
        const { node, end } = parseJsonWithLines(joined, start, i + 1);
        records.push(...recordsFromJson(node, file, lines, context()));
        const endLine = lineAt(lineOffsets, end);
        const rest = (lines[endLine] ?? '').slice(end - lineOffsets[endLine]!).trim();
        if (rest !== '') {
          issues.push(issue('input.json-trailing-text', file, endLine + 1, `unexpected text after the JSON value: ${JSON.stringify(rest.slice(0, 40))}`, 'nothing after the closing bracket of ConvertTo-Json output'));
        }
        i = endLine + 1;
      } catch (e) {
        if (!(e instanceof JsonSyntaxError)) throw e;
        issues.push(issue('input.json-syntax', file, e.line, `ConvertTo-Json output is broken at column ${e.column}: ${e.message}`, 'complete ConvertTo-Json output (an array or a single object)'));
        // Resume after the broken part; a prompt or comment right there still counts.
        i = e.line - 1 > i && isBoundary(lines[e.line - 1]!) ? e.line - 1 : skipBlock(lines, e.line - 1);
      }
      afterConnect = false;
      continue;
    }
    const end = skipBlock(lines, i);
    const banner = afterConnect && /^(Welcome to Microsoft Graph|Connected via|Readme:|SDK Docs:|API Docs:|NOTE: You can use)/i.test(trimmed);
    afterConnect = false;
    if (banner) {
      i = end;
      continue;
    }
    const block = lines.slice(i, end);
    readBlock(block, i, file, lines, context(), records, issues);
    i = end;
  }
  return { records, issues };
}

function issue(code: string, file: string, line: number, message: string, expected: string): InputIssue {
  return { code, severity: 'error', file, line, message, expected };
}

function lineAt(offsets: number[], pos: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function isBoundary(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#') || /^(?:\[PS\]|PS)\s[^>]*>/.test(t);
}

/** A block ends at a blank line, a comment, or a prompt line. */
function skipBlock(lines: string[], from: number): number {
  let j = from;
  while (j < lines.length && !isBoundary(lines[j]!)) j++;
  return Math.max(j, from + 1);
}

const listLine = /^([A-Za-z_][\w.\-]*)\s*:(?:\s(.*))?$/;
const dashes = /^\s*-{2,}(?:\s+-{2,})*\s*$/;
const bareItem = /^(?:https?:\/\/\S+|[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}\/\S+|[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[\w.-]+\/[\w.-]+)$/;

function readBlock(
  block: string[],
  first: number,
  file: string,
  lines: string[],
  context: Pick<RawRecord, 'command' | 'tenant'>,
  records: RawRecord[],
  issues: InputIssue[],
): void {
  const ref = (k: number) => ({ file, line: first + k + 1, text: (lines[first + k] ?? '').trimEnd() });
  // PowerShell's own error text pasted with the output: say so instead of guessing at it.
  const errorAt = block.findIndex((l) => /^\s*\+\s*(CategoryInfo|FullyQualifiedErrorId)\s*:/.test(l) || /^At line:\d+ char:\d+/.test(l.trim()));
  if (errorAt >= 0) {
    issues.push(issue('input.powershell-error', file, first + 1, `PowerShell reported an error here instead of output: ${block[0]!.trim().slice(0, 160)}`, 'the output of a command that ran without errors'));
    return;
  }
  if (block.length >= 2 && dashes.test(block[1]!)) {
    readTable(block, first, file, lines, context, records, issues);
    return;
  }
  if (listLine.test(block[0]!)) {
    const fields = new Map<string, RawField>();
    let last: { name: string; raw: string; k: number; prevRaw: string } | undefined;
    const flush = () => {
      if (!last) return;
      fields.set(last.name.toLowerCase(), { name: last.name, value: valueFromText(last.raw), ref: ref(last.k) });
    };
    for (let k = 0; k < block.length; k++) {
      const l = block[k]!;
      if (/^\s/.test(l) && last) {
        // Wrapped value: PowerShell breaks at a space when it can (the space is lost) and cuts
        // long words (URLs, thumbprints) anywhere. A break after a comma or trailing blank was a space.
        const joinWithSpace = /[,\s]$/.test(last.prevRaw);
        last.raw = `${last.raw.trimEnd()}${joinWithSpace ? ' ' : ''}${l.trim()}`;
        last.prevRaw = l;
        continue;
      }
      const m = listLine.exec(l);
      if (!m) {
        issues.push(issue('input.unrecognized-line', file, first + k + 1, `cannot read ${JSON.stringify(l.trim().slice(0, 80))} inside a Format-List block`, '"Name : value" (Format-List) or a continuation line indented under the value column'));
        flush();
        last = undefined;
        continue;
      }
      flush();
      last = { name: m[1]!, raw: m[2] ?? '', k, prevRaw: l };
    }
    flush();
    records.push({ fields, ref: ref(0), format: 'format-list', ...context });
    return;
  }
  const items = block.map((l) => l.trim());
  const bad = items.findIndex((t) => !bareItem.test(t));
  if (bad < 0) {
    const fields = new Map<string, RawField>();
    fields.set('_items', { name: '_items', value: { kind: 'list', items, truncated: false }, ref: ref(0) });
    const lineRefs = items.map((_, k) => ref(k));
    records.push({ fields, ref: ref(0), format: 'bare-list', ...context, itemRefs: lineRefs });
    return;
  }
  issues.push(issue('input.unrecognized-line', file, first + bad + 1, `cannot read ${JSON.stringify(items[bad]!.slice(0, 80))}`, 'Format-List ("Name : value"), Format-Table (a header underlined with dashes), ConvertTo-Json, or one URL/SPN per line'));
}

function readTable(
  block: string[],
  first: number,
  file: string,
  lines: string[],
  context: Pick<RawRecord, 'command' | 'tenant'>,
  records: RawRecord[],
  issues: InputIssue[],
): void {
  const header = block[0]!;
  const rule = block[1]!;
  const columns: { start: number; end: number }[] = [];
  const re = /-+/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) columns.push({ start: m.index, end: m.index + m[0].length });
  const names = columns.map((c, n) => header.slice(c.start, n + 1 < columns.length ? columns[n + 1]!.start : undefined).trim());
  if (names.some((n) => !/^[A-Za-z_][\w.\-]*$/.test(n))) {
    issues.push(issue('input.table-header', file, first + 1, `the table header ${JSON.stringify(header.trim().slice(0, 80))} does not line up with the dashes below it`, 'a Format-Table header whose column names sit above their ---- underlines'));
    return;
  }
  let previous: RawRecord | undefined;
  for (let k = 2; k < block.length; k++) {
    const row = block[k]!;
    const lineNo = first + k;
    // Format-Table -Wrap continues a long cell on the next line with the first column left blank.
    if (previous && columns.length > 1 && row.slice(0, columns[1]!.start).trim() === '') {
      columns.forEach((c, n) => {
        const piece = row.slice(c.start, n + 1 < columns.length ? columns[n + 1]!.start : undefined).trim();
        const field = previous!.fields.get(names[n]!.toLowerCase());
        if (piece === '' || !field || field.value.kind !== 'scalar') return;
        field.value = valueFromCell(`${field.value.text}${/[,\s]$/.test(field.value.text) ? ' ' : ''}${piece}`);
      });
      continue;
    }
    const fields = new Map<string, RawField>();
    columns.forEach((c, n) => {
      // Right-aligned columns (numbers) end at the dash group's end; left-aligned start at its start.
      const from = n === 0 ? 0 : c.start;
      const to = n + 1 < columns.length ? columns[n + 1]!.start : undefined;
      const cell = row.slice(from, to);
      fields.set(names[n]!.toLowerCase(), { name: names[n]!, value: valueFromCell(cell), ref: { file, line: lineNo + 1, text: (lines[lineNo] ?? '').trimEnd() } });
    });
    previous = { fields, ref: { file, line: lineNo + 1, text: (lines[lineNo] ?? '').trimEnd() }, format: 'format-table', ...context };
    records.push(previous);
  }
}

function recordsFromJson(node: JsonNode, file: string, lines: string[], context: Pick<RawRecord, 'command' | 'tenant'>): RawRecord[] {
  const ref = (line: number) => ({ file, line, text: (lines[line - 1] ?? '').trimEnd() });
  if (node.type === 'array' && node.items.every((n) => n.type === 'string')) {
    const fields = new Map<string, RawField>();
    fields.set('_items', { name: '_items', value: valueFromJson(node), ref: ref(node.line) });
    return [{ fields, ref: ref(node.line), format: 'json', ...context, itemRefs: node.items.map((n) => ref(n.line)) }];
  }
  const objects = node.type === 'array' ? node.items : [node];
  const out: RawRecord[] = [];
  for (const obj of objects) {
    if (obj.type !== 'object') continue;
    const fields = new Map<string, RawField>();
    for (const p of obj.props) fields.set(p.key.toLowerCase(), { name: p.key, value: valueFromJson(p.value), ref: ref(p.line) });
    out.push({ fields, ref: ref(obj.line), format: 'json', ...context });
  }
  return out;
}
