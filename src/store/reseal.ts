/**
 * Reseals every stored secret under the current key. Sealed values live in columns named
 * `*_sealed` (a convention every migration keeps), so this finds them all without a list that
 * new features would have to remember to extend.
 */
import { sql, type Kysely } from 'kysely';
import type { Sealer } from './sealing.ts';

export type ResealResult = { resealed: number; columns: string[] };

export async function resealAll(db: Kysely<any>, sealer: Sealer): Promise<ResealResult> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and column_name like '%\_sealed' order by table_name, column_name`.execute(db);
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
