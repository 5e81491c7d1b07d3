import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HmaInput } from '../../src/diagnostics/hma/types.ts';

export const fixtureDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hma');

export function fixture(name: string): HmaInput {
  return { name: name.split('/').pop()!, text: readFileSync(resolve(fixtureDir, name), 'utf8') };
}

/** The fully ready two-server organization. */
export function readyOrg(): HmaInput[] {
  return ['ready/virtual-directories.txt', 'ready/organization.txt', 'ready/service-principal.txt'].map(fixture);
}

/**
 * Replaces the n-th (1-based) occurrence of `from` in the named input. Fails loudly when the text
 * is not there, so an edit that no longer matches the fixture cannot turn a defect test into a no-op.
 */
export function edit(inputs: HmaInput[], name: string, from: string, to: string, nth = 1): HmaInput[] {
  return inputs.map((input) => {
    if (input.name !== name) return input;
    let at = -1;
    for (let k = 0; k < nth; k++) {
      at = input.text.indexOf(from, at + 1);
      if (at < 0) throw new Error(`fixture ${name}: occurrence ${nth} of ${JSON.stringify(from)} not found`);
    }
    return { ...input, text: input.text.slice(0, at) + to + input.text.slice(at + from.length) };
  });
}

export const now = new Date('2026-11-22T00:00:00Z');

/**
 * Replaces the text from the line starting with `from` up to (not including) the line starting
 * with `until` (or the end) by `lines`. Fails loudly when `from` is not there.
 */
export function replaceSection(inputs: HmaInput[], name: string, from: string, until: string | undefined, lines: string[]): HmaInput[] {
  return inputs.map((input) => {
    if (input.name !== name) return input;
    const start = input.text.indexOf(from);
    if (start < 0) throw new Error(`fixture ${name}: ${JSON.stringify(from)} not found`);
    const end = until === undefined ? input.text.length : input.text.indexOf(until, start);
    if (end < 0) throw new Error(`fixture ${name}: ${JSON.stringify(until)} not found`);
    return { ...input, text: input.text.slice(0, start) + lines.map((l) => `${l}\n`).join('') + input.text.slice(end) };
  });
}
