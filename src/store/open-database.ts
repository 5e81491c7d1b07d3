/**
 * Opens the store's database: PGlite in a data directory by default, PostgreSQL when a URL is
 * given. Both speak the same SQL, so migrations and repositories do not know which one runs.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { AppError } from '../errors.ts';
import type { Database } from './database.ts';

export type DatabaseTarget =
  | { engine: 'postgres'; url: string; poolSize?: number }
  /** dataDir undefined: an in-memory PGlite (tests), optionally started from a dump (dumpDataDir). */
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export type OpenedDatabase = {
  engine: 'postgres' | 'pglite';
  db: Kysely<Database>;
  close(): Promise<void>;
  /** PostgreSQL only: LISTEN on a channel through a dedicated connection; the result stops listening. */
  listen?: Listener;
};

export type Listener = (channel: string, onNotify: (payload: string) => void, onError: (error: Error) => void) => Promise<() => Promise<void>>;

const INT8_OID = 20;

/** bigint columns (lease epochs, counts) come back as numbers from both engines; they stay far below 2^53. */
function parseInt8(value: string): number {
  return Number(value);
}

export async function openDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  if (target.engine === 'postgres') {
    const types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    };
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, types });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const listen: Listener = async (channel, onNotify, onError) => {
      const client = await pool.connect();
      client.on('notification', (n) => {
        if (n.channel === channel) onNotify(n.payload ?? '');
      });
      client.on('error', onError);
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        // A connection that failed is dropped from the pool rather than handed out again.
        await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).then(() => client.release(), (e: unknown) => client.release(e instanceof Error ? e : true));
      };
    };
    return { engine: 'postgres', db, close: () => db.destroy(), listen };
  }
  let client: PGlite;
  const dir = target.dataDir === undefined ? undefined : join(target.dataDir, 'pglite');
  let unlock = () => undefined as void;
  try {
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      unlock = lockDataDir(dir);
    }
    client = await PGlite.create({
      ...(dir === undefined ? {} : { dataDir: dir }),
      ...(target.loadDataDir === undefined ? {} : { loadDataDir: target.loadDataDir }),
      parsers: { [INT8_OID]: parseInt8 },
    });
  } catch (error) {
    unlock();
    if (error instanceof AppError) throw error;
    throw new AppError('store_open_failed', `cannot open the embedded database in ${dir ?? 'memory'}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // PGliteDialect hands out its single connection to one caller at a time (acquireConnection
  // queues the rest until release), and Kysely holds that connection for a whole transaction,
  // so transactions are serialized and never interleave. store-engines.test.ts proves it.
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    engine: 'pglite',
    db,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * PGlite is a single-process database: two processes opening one data directory would corrupt
 * it. A lock file holding the owner's pid keeps a second process out with a clear error; a lock
 * left by a process that no longer exists is taken over.
 */
function lockDataDir(dir: string): () => void {
  const path = join(dir, 'dovetail.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          'store_in_use',
          `the embedded database in ${dir} is in use by process ${owner}; stop it first, use the API, or use PostgreSQL (DATABASE_URL) to run several processes`,
          { kind: 'conflict' },
        );
      }
      unlinkSync(path);
    }
  }
  throw new AppError('store_in_use', `cannot lock the embedded database in ${dir}`, { kind: 'conflict' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
