import type { JsonNode } from './json-with-lines.ts';
import type { RawValue } from './types.ts';

/**
 * How PowerShell prints values, turned back into data.
 * Format-List/Format-Table print collections as `{a, b, c}` and cut them after
 * $FormatEnumerationLimit items (4 by default) with `...` (`…` in PowerShell 7):
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_preference_variables#formatenumerationlimit
 */
const ellipsis = /(\.\.\.|…)$/;

export function valueFromText(raw: string): RawValue {
  const text = raw.trim();
  if (text.startsWith('{') && text.endsWith('}')) {
    const inner = text.slice(1, -1).trim();
    if (inner === '') return { kind: 'list', items: [], truncated: false };
    const parts = inner.split(/,\s*/).map((p) => p.trim());
    const last = parts[parts.length - 1] ?? '';
    const truncated = ellipsis.test(last);
    if (truncated) {
      const cut = last.replace(ellipsis, '').trim();
      if (cut === '') parts.pop();
      else parts[parts.length - 1] = cut;
    }
    return { kind: 'list', items: parts.filter((p) => p !== ''), truncated };
  }
  return { kind: 'scalar', text, truncated: ellipsis.test(text) };
}

/** A Format-Table cell: same as a list value, but a plain cell cut by the column width ends in `...`. */
export function valueFromCell(raw: string): RawValue {
  return valueFromText(raw);
}

const dotnetDate = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** Flattens one ConvertTo-Json node to the text Format-List would have shown. */
function scalarText(node: JsonNode): string | undefined {
  switch (node.type) {
    case 'string': {
      const m = dotnetDate.exec(node.value);
      return m ? new Date(Number(m[1])).toISOString() : node.value;
    }
    case 'number':
      return String(node.value);
    case 'boolean':
      return node.value ? 'True' : 'False';
    case 'null':
      return undefined;
    case 'array':
      return undefined;
    case 'object': {
      const get = (k: string): JsonNode | undefined => node.props.find((p) => p.key.toLowerCase() === k)?.value;
      // ServerVersion (AdminDisplayVersion) serialized from a local shell: {Major, Minor, Build, Revision}.
      const major = get('major');
      const minor = get('minor');
      const build = get('build');
      const revision = get('revision');
      if (major?.type === 'number' && minor?.type === 'number' && build?.type === 'number') {
        const rev = revision?.type === 'number' ? revision.value : 0;
        return `Version ${major.value}.${minor.value} (Build ${build.value}.${rev})`;
      }
      // Uri, ADObjectId, DateTime wrappers: the member Format-List prints.
      for (const key of ['absoluteuri', 'originalstring', 'datetime', 'name', 'value']) {
        const v = get(key);
        if (v && v.type !== 'object' && v.type !== 'array') {
          const t = scalarText(v);
          if (t !== undefined) return t;
        }
      }
      return undefined;
    }
  }
}

export function valueFromJson(node: JsonNode): RawValue {
  if (node.type === 'null') return { kind: 'null' };
  if (node.type === 'array') {
    const items: string[] = [];
    for (const item of node.items) {
      const t = scalarText(item);
      if (t !== undefined) items.push(t);
    }
    return { kind: 'list', items, truncated: false };
  }
  if (node.type === 'object') {
    // Some serializers wrap collections: {"value": [...], "Count": n}.
    const wrapped = node.props.find((p) => p.key.toLowerCase() === 'value');
    if (wrapped && wrapped.value.type === 'array') return valueFromJson(wrapped.value);
  }
  const text = scalarText(node);
  return text === undefined ? { kind: 'null' } : { kind: 'scalar', text, truncated: false };
}

export function asText(value: RawValue | undefined): string | undefined {
  if (!value || value.kind === 'null') return undefined;
  if (value.kind === 'list') return value.items.join(', ');
  return value.text;
}

export function asList(value: RawValue | undefined): { items: string[]; truncated: boolean } | undefined {
  if (!value || value.kind === 'null') return undefined;
  if (value.kind === 'list') return { items: value.items, truncated: value.truncated };
  if (value.text === '') return { items: [], truncated: false };
  // A single-valued collection can be printed without braces by ConvertTo-Json or Format-Table.
  return { items: [value.text], truncated: value.truncated };
}

/** PowerShell prints booleans as True/False; JSON as true/false. Anything else is not a boolean. */
export function asBool(value: RawValue | undefined): boolean | undefined {
  const t = asText(value)?.toLowerCase();
  if (t === 'true' || t === '$true' || t === '1') return true;
  if (t === 'false' || t === '$false' || t === '0') return false;
  return undefined;
}

const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/**
 * Dates as Format-List prints them depend on the shell's culture. We read ISO 8601, en-US
 * (M/d/yyyy h:mm:ss AM/PM), dotted European (d.M.yyyy HH:mm:ss), d/M/yyyy when the day is > 12,
 * and `dd MMM yyyy`. Treated as UTC: a few hours do not change a 60-day warning.
 */
export function parseShellDate(text: string): Date | undefined {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const d = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(t) || t.length === 10 ? t : `${t}Z`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const time = /(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?/i.exec(t);
  let h = time ? Number(time[1]) : 0;
  if (time?.[4]) h = (h % 12) + (time[4].toUpperCase() === 'PM' ? 12 : 0);
  const min = time ? Number(time[2]) : 0;
  const sec = time?.[3] ? Number(time[3]) : 0;
  let y: number | undefined;
  let mo: number | undefined;
  let d: number | undefined;
  const slash = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(t);
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(t);
  const named = /^(\d{1,2})[ -]([A-Za-z]{3})[a-z]*[ -](\d{4})/.exec(t);
  if (slash) {
    const a = Number(slash[1]);
    const b = Number(slash[2]);
    y = Number(slash[3]);
    if (a > 12 && b <= 12) [d, mo] = [a, b];
    else [mo, d] = [a, b];
  } else if (dotted) {
    [d, mo, y] = [Number(dotted[1]), Number(dotted[2]), Number(dotted[3])];
  } else if (named) {
    mo = months[named[2]!.toLowerCase()];
    [d, y] = [Number(named[1]), Number(named[3])];
  }
  if (y === undefined || mo === undefined || d === undefined || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, min, sec));
}
