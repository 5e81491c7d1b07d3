/**
 * Reseals every stored secret under the current key. Sealed values live in columns named
 * `*_sealed` (a convention every migration keeps), so this finds them all without a list that
 * new features would have to remember to extend.
 */
import { sql, type Kysely } from 'kysely';
import type { Sealer } from './sealing.ts';

export type ResealResult = { resealed: number; columns: string[] };

async function sealedColumns(db: Kysely<any>): Promise<Array<{ table_name: string; column_name: string }>> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and column_name like '%\_sealed' order by table_name, column_name`.execute(db);
  return cols.rows;
}

/**
 * The key ids that stored secrets were sealed with but the keyring does not hold: a process
 * started without the installation's key (a new machine, a lost key file) finds out at start,
 * before it seals anything under a key the others cannot read.
 */
export async function missingKeyIds(db: Kysely<any>, sealer: Sealer): Promise<string[]> {
  const missing = new Set<string>();
  for (const { table_name: table, column_name: column } of await sealedColumns(db)) {
    const rows = await sql<{ v: string }>`select distinct ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(db);
    for (const { v } of rows.rows) {
      const id = sealer.keyIdOf(v);
      if (id !== undefined && !sealer.hasKey(id)) missing.add(id);
    }
  }
  return [...missing].sort();
}

export async function resealAll(db: Kysely<any>, sealer: Sealer): Promise<ResealResult> {
  const cols = { rows: await sealedColumns(db) };
  let resealed = 0;
  await db.transaction().execute(async (trx) => {
    for (const { table_name: table, column_name: column } of cols.rows) {
      const rows = await sql<{ v: string }>`select distinct ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(trx);
      for (const { v } of rows.rows) {
        if (sealer.keyIdOf(v) === sealer.currentKeyId) continue;
        const fresh = sealer.seal(sealer.open(v));
        const r = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${fresh} where ${sql.ref(column)} = ${v}`.execute(trx);
        resealed += Number(r.numAffectedRows ?? 0n);
      }
    }
  });
  return { resealed, columns: cols.rows.map((c) => `${c.table_name}.${c.column_name}`) };
}
