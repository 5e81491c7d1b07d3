/** Reads the options declared in options.ts from the environment and the optional config file. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppError } from '../errors.ts';
import { OPTIONS, type OptionSpec } from './options.ts';

export type Config = {
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  secretKey: string | undefined;
  secretKeyFile: string;
  host: string;
  port: number;
  logLevel: string;
  workerId: string;
  workerPollMs: number;
  workerConcurrency: number;
  leaseSeconds: number;
  firstTokenFile: string;
  configFile: string | undefined;
};

function parse(name: string, spec: OptionSpec, raw: unknown, source: string): string | number | boolean {
  if (spec.type === 'string') {
    if (typeof raw !== 'string') throw invalid(name, spec, source, 'must be a string');
    return raw;
  }
  if (spec.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw invalid(name, spec, source, 'must be true or false');
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n)) throw invalid(name, spec, source, 'must be an integer');
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw invalid(name, spec, source, `must be between ${spec.min} and ${spec.max}`);
  }
  return n;
}

function invalid(name: string, spec: OptionSpec, source: string, rule: string): AppError {
  return new AppError('config_invalid', `${source === 'env' ? spec.env : `${name} in the config file`}: ${rule}`, { kind: 'invalid-input', details: { option: name } });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  let file: Record<string, unknown> = {};
  const configFile = overrides.configFile ?? env[OPTIONS.configFile.env];
  if (configFile !== undefined && configFile !== '') {
    try {
      file = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new AppError('config_invalid', `cannot read the config file ${configFile}: ${(error as Error).message}`);
    }
    const known = new Set(Object.values(OPTIONS as Record<string, OptionSpec>).map((o) => o.fileKey).filter((k) => k !== undefined));
    for (const key of Object.keys(file)) {
      if (!known.has(key)) throw new AppError('config_invalid', `${configFile}: unknown option ${key}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS as Record<string, OptionSpec>)) {
    const override = (overrides as Record<string, unknown>)[name];
    const fromEnv = env[spec.env];
    if (override !== undefined) out[name] = override;
    else if (fromEnv !== undefined && fromEnv !== '') out[name] = parse(name, spec, fromEnv, 'env');
    else if (spec.fileKey !== undefined && file[spec.fileKey] !== undefined) out[name] = parse(name, spec, file[spec.fileKey], 'file');
    else if (spec.default !== undefined) out[name] = typeof spec.default === 'function' ? spec.default(out) : spec.default;
    else out[name] = undefined;
  }
  out['workerId'] ??= `${hostname()}-${process.pid}`;
  return out as Config;
}
