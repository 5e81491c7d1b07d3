/**
 * Stores for tests: an in-memory PGlite, or a fresh PostgreSQL database (see postgres.ts), with a
 * frozen clock, seeded ids and a throwaway sealing key.
 *
 * A new PGlite runs initdb, which costs seconds of CPU. Test processes instead start from a dump
 * of an initialized, migrated database, made once per set of migrations and kept in the system
 * temp directory (keyed by a hash of the migration files), so each suite pays about a second.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import { createSealer, keyringOf, secretKey, type Sealer } from '../../src/store/sealing.ts';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { projectRoot } from '../support/env.ts';
import { createTestDatabase } from '../support/postgres.ts';

export const TEST_EPOCH = Date.parse('2026-01-05T09:00:00.000Z');

export type TestStore = { store: Store; clock: ReturnType<typeof fixedClock>; dispose(): Promise<void> };

async function pgliteTemplate(): Promise<Blob> {
  const dir = join(projectRoot, 'src', 'store', 'migrations');
  const hash = createHash('sha256');
  hash.update(readFileSync(join(projectRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  for (const f of readdirSync(dir).sort()) if (/^\d{4}_.*\.ts$/.test(f)) hash.update(f).update(readFileSync(join(dir, f)));
  const path = join(tmpdir(), `dovetail-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (!existsSync(path)) {
    const pg = await PGlite.create();
    // Not destroyed: destroying the Kysely instance would close the database before the dump.
    await migrateToLatest(new Kysely({ dialect: new PGliteDialect(pg) }));
    const dump = await pg.dumpDataDir('none');
    await pg.close();
    const tmp = `${path}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, path);
  }
  return new Blob([readFileSync(path)]);
}

export async function openTestStore(engine: 'pglite' | 'postgres', options: { seed?: number; sealer?: Sealer } = {}): Promise<TestStore> {
  const clock = fixedClock(TEST_EPOCH);
  const random = seededRandom(options.seed ?? 1);
  const sealer = options.sealer ?? createSealer(keyringOf(secretKey(Buffer.alloc(32, 7))), random);
  if (engine === 'pglite') {
    const store = await openStore({ target: { engine: 'pglite', loadDataDir: await pgliteTemplate() }, clock, random, sealer });
    return { store, clock, dispose: () => store.close() };
  }
  const pgdb = await createTestDatabase();
  const store = await openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 4 }, clock, random, sealer });
  return {
    store,
    clock,
    dispose: async () => {
      await store.close();
      await pgdb.drop();
    },
  };
}
