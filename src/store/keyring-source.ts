/**
 * Where the sealing keys come from: DOVETAIL_SECRET_KEY (one or more base64 or hex 32-byte keys,
 * comma-separated, current first) or a key file, created on first run with mode 0600. The key
 * file sits outside the database so a copy of the database alone reveals no secret.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock, Random } from '../clock.ts';
import { AppError } from '../errors.ts';
import { secretKey, type Keyring, type SecretKey } from './sealing.ts';

export type KeyringSource = { kind: 'env'; value: string } | { kind: 'file'; path: string };

type KeyFile = { version: 1; current: string; keys: Array<{ id: string; key: string; createdAt: string }> };

export function parseKeyMaterial(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) {
    throw new AppError('secret_key_invalid', 'DOVETAIL_SECRET_KEY must hold 32-byte keys, each as 64 hex digits or base64, comma-separated', {
      kind: 'permanent',
    });
  }
  return buf;
}

function toKeyring(keys: SecretKey[], currentId: string): Keyring {
  const map = new Map(keys.map((k) => [k.id, k]));
  const current = map.get(currentId);
  if (current === undefined) throw new AppError('secret_key_invalid', `the key file names current key ${currentId} but does not hold it`);
  return { current, keys: map };
}

/** Loads the keyring; with a key file that does not exist yet, creates one holding a new key. */
export function loadKeyring(source: KeyringSource, random: Random, clock: Clock): Keyring {
  if (source.kind === 'env') {
    const keys = source.value.split(',').filter((s) => s.trim() !== '').map((s) => secretKey(parseKeyMaterial(s)));
    if (keys.length === 0) throw new AppError('secret_key_invalid', 'DOVETAIL_SECRET_KEY is empty');
    return toKeyring(keys, keys[0]!.id);
  }
  if (!existsSync(source.path)) {
    const k = secretKey(random.bytes(32));
    writeKeyFile(source.path, { version: 1, current: k.id, keys: [{ id: k.id, key: k.key.toString('base64'), createdAt: new Date(clock.now()).toISOString() }] });
  }
  return readKeyFile(source.path);
}

function readKeyFile(path: string): Keyring {
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (error) {
    throw new AppError('secret_key_invalid', `cannot read the secret key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new AppError('secret_key_invalid', `the secret key file ${path} is not a Dovetail key file`);
  return toKeyring(parsed.keys.map((k) => secretKey(Buffer.from(k.key, 'base64'))), parsed.current);
}

function writeKeyFile(path: string, content: KeyFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * Adds a new key to the key file and makes it current; older keys stay so values sealed with
 * them still open until resealed. Keys given in the environment rotate by changing the variable
 * (new key first), so this refuses them.
 */
export function addKeyToFile(source: KeyringSource, random: Random, clock: Clock): Keyring {
  if (source.kind !== 'file') {
    throw new AppError('secret_rotation_env', 'keys come from DOVETAIL_SECRET_KEY: put a new key first in it (keep the old one after a comma), then run secrets rotate again to reseal');
  }
  readKeyFile(source.path); // refuse a damaged file before changing it
  const k = secretKey(random.bytes(32));
  const raw = JSON.parse(readFileSync(source.path, 'utf8')) as KeyFile;
  raw.keys.push({ id: k.id, key: k.key.toString('base64'), createdAt: new Date(clock.now()).toISOString() });
  raw.current = k.id;
  writeKeyFile(source.path, raw);
  return readKeyFile(source.path);
}
