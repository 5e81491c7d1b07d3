/**
 * Several processes starting at once against one PostgreSQL database: each runs the migrations
 * at startup, and exactly one applies each migration while the others wait on the lock.
 * Separate pools give separate server sessions, which is all the lock sees of a "process";
 * the CLI suite also starts real processes together.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { seededRandom, systemClock } from '../../src/clock.ts';
import { migrationProvider } from '../../src/store/migrate.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore } from '../../src/store/store.ts';
import { postgresSkip } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('concurrent startup on PostgreSQL', { skip: postgresSkip() }, () => {
  let pgdb: TestDatabase;
  before(async () => {
    pgdb = await createTestDatabase();
  });
  after(() => pgdb?.drop());

  it('migrates once when six processes start together, and every one comes up', async () => {
    const sealer = createSealer(keyringOf(secretKey(Buffer.alloc(32, 1))), seededRandom(3));
    const stores = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        openStore({ target: { engine: 'postgres', url: pgdb.url, poolSize: 2 }, clock: systemClock, random: seededRandom(10 + i), sealer }),
      ),
    );
    try {
      const applied = await sql<{ name: string }>`select name from dovetail_migration order by name`.execute(stores[0]!.kysely);
      assert.deepEqual(applied.rows.map((r) => r.name), Object.keys(await migrationProvider.getMigrations()));
      // Each store works, and they all see the same org settings row (created once).
      const settings = await Promise.all(stores.map((s) => s.settings.get()));
      assert.equal(new Set(settings.map((s) => s.orgId)).size, 1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
