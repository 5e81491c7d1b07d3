/**
 * Record input for create/update commands, in the API's JSON shape: --data '<json>',
 * --file <path|->, and --set key=value (dot paths; values parsed as JSON when they are JSON,
 * e.g. --set minimumPollingIntervalMinutes=5 --set auth.type=credentials). Secrets are best
 * given with --file or stdin so they stay out of shell history.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../errors.ts';

export type InputOptions = { data?: string; file?: string; set?: string[] };

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--data <json>', 'fields as a JSON object')
    .option('--file <path>', 'read the JSON object from a file (- for stdin)')
    .option('--set <key=value>', 'set one field (dot path; repeatable)', (v: string, prev: string[] = []) => [...prev, v]);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AppError('cli_input_invalid', `${where} is not valid JSON: ${(e as Error).message}`, { kind: 'invalid-input' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('cli_input_invalid', `${where} must be a JSON object`, { kind: 'invalid-input' });
  return v as Record<string, unknown>;
}

export async function readInput(opts: InputOptions, stdin: NodeJS.ReadableStream): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  if (opts.file !== undefined) out = parseJsonObject(opts.file === '-' ? await readAll(stdin) : readFileSync(opts.file, 'utf8'), `--file ${opts.file}`);
  if (opts.data !== undefined) out = { ...out, ...parseJsonObject(opts.data, '--data') };
  for (const pair of opts.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('cli_input_invalid', `--set ${pair}: expected key=value`, { kind: 'invalid-input' });
    const path = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}

/** --limit <n> of the list commands, checked as the API checks it. */
export function limitOf(value: string | undefined): { limit?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new AppError('cli_input_invalid', `--limit ${value}: must be between 1 and 1000`, { kind: 'invalid-input' });
  return { limit: n };
}
