/**
 * A fresh PostgreSQL database per suite, dropped afterwards, so suites never see each other's
 * rows and can run in parallel:
 *
 *   describe('…', { skip: postgresSkip() }, () => {
 *     let pgdb: TestDatabase;
 *     before(async () => { pgdb = await createTestDatabase(); });
 *     after(() => pgdb.drop());
 *     … pgdb.url …
 *   });
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from './env.ts';

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

export async function createTestDatabase(prefix = 'dovetail_test'): Promise<TestDatabase> {
  const admin = postgresUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
