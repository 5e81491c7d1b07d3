/**
 * Secret sealing: AES-256-GCM under a key that lives outside the database (DESIGN.md section 6).
 * A sealed value is `dvs1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts), so it names the key
 * that sealed it and keys can rotate: old keys stay in the keyring to open values until every
 * value is resealed under the current key (see reseal.ts).
 * A value sealed under a key we do not have, or a value that does not authenticate, fails with a
 * clear AppError; never with garbage.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { Random } from '../clock.ts';
import { AppError } from '../errors.ts';

export const SEALED_PREFIX = 'dvs1';
const IV_BYTES = 12;

export type SecretKey = { id: string; key: Buffer };

export type Keyring = {
  /** The key new values are sealed with. */
  current: SecretKey;
  /** Every key values may be sealed with, current included. */
  keys: ReadonlyMap<string, SecretKey>;
};

export type Sealer = {
  readonly currentKeyId: string;
  seal(plain: string): string;
  open(sealed: string): string;
  /** The key id a sealed value names, or undefined when the value is not sealed by us. */
  keyIdOf(sealed: string): string | undefined;
  /** Whether the keyring holds the key with this id. */
  hasKey(keyId: string): boolean;
};

/** A key's id: derived from the key so the same key always has the same id on every machine. */
export function keyIdFor(key: Buffer): string {
  return createHash('sha256').update('dovetail-secret-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function secretKey(key: Buffer): SecretKey {
  if (key.length !== 32) throw new AppError('secret_key_invalid', 'a secret key must be 32 bytes (AES-256)', { kind: 'permanent' });
  return { id: keyIdFor(key), key };
}

export function createSealer(keyring: Keyring, random: Random): Sealer {
  const aad = (keyId: string) => Buffer.from(`${SEALED_PREFIX}.${keyId}`);
  return {
    currentKeyId: keyring.current.id,
    seal(plain) {
      const { id, key } = keyring.current;
      const iv = random.bytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(id));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [SEALED_PREFIX, id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== SEALED_PREFIX) {
        throw new AppError('secret_unseal_failed', 'a stored secret is not in the sealed format; it cannot be read', { kind: 'permanent' });
      }
      const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
      const k = keyring.keys.get(keyId);
      if (k === undefined) {
        throw new AppError(
          'secret_key_missing',
          `a stored secret was sealed with key ${keyId}, which is not configured (set DOVETAIL_SECRET_KEY or DOVETAIL_SECRET_KEY_FILE to the keyring that holds it)`,
          { kind: 'permanent', details: { keyId } },
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', k.key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(aad(keyId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new AppError('secret_unseal_failed', `a stored secret sealed with key ${keyId} failed authentication (wrong key or altered value)`, {
          kind: 'permanent',
          details: { keyId },
        });
      }
    },
    keyIdOf(sealed) {
      const parts = sealed.split('.');
      return parts.length === 5 && parts[0] === SEALED_PREFIX ? parts[1] : undefined;
    },
    hasKey(keyId) {
      return keyring.keys.has(keyId);
    },
  };
}

/** A keyring from keys, the first being current. */
export function keyringOf(first: SecretKey, ...older: SecretKey[]): Keyring {
  return { current: first, keys: new Map([first, ...older].map((k) => [k.id, k])) };
}
