/**
 * The store: one object holding every repository over one database, and `transaction(fn)` giving
 * the same repositories bound to a transaction. Everything above the store (use cases, the sync
 * engine) reaches the database only through this.
 */
import type { Kysely } from 'kysely';
import type { Clock, Random } from '../clock.ts';
import type { Database, Executor } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { openDatabase, type DatabaseTarget, type Listener } from './open-database.ts';
import { activityRepository } from './repositories/activity-repository.ts';
import { alertRepository } from './repositories/alert-repository.ts';
import { auditRepository } from './repositories/audit-repository.ts';
import { crmRepository } from './repositories/crm-repository.ts';
import { mailboxRepository } from './repositories/mailbox-repository.ts';
import { queueRepository, userRepository } from './repositories/party-repository.ts';
import { profileRepository } from './repositories/profile-repository.ts';
import type { RepoDeps } from './repositories/repo-deps.ts';
import { settingsRepository } from './repositories/settings-repository.ts';
import { tokenRepository } from './repositories/token-repository.ts';
import type { Sealer } from './sealing.ts';

export type Repositories = {
  /** The executor these repositories run on (the database or the open transaction). */
  db: Executor;
  profiles: ReturnType<typeof profileRepository>;
  settings: ReturnType<typeof settingsRepository>;
  users: ReturnType<typeof userRepository>;
  queues: ReturnType<typeof queueRepository>;
  mailboxes: ReturnType<typeof mailboxRepository>;
  crm: ReturnType<typeof crmRepository>;
  activities: ReturnType<typeof activityRepository>;
  alerts: ReturnType<typeof alertRepository>;
  audit: ReturnType<typeof auditRepository>;
  tokens: ReturnType<typeof tokenRepository>;
};

export type Store = Repositories & {
  engine: 'pglite' | 'postgres';
  kysely: Kysely<Database>;
  /** PostgreSQL only (PGlite runs in one process, which needs no wake-up from another). */
  listen?: Listener;
  sealer: Sealer;
  /** Runs fn with repositories bound to one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export function repositories(db: Executor, deps: RepoDeps): Repositories {
  return {
    db,
    profiles: profileRepository(db, deps),
    settings: settingsRepository(db, deps),
    users: userRepository(db, deps),
    queues: queueRepository(db, deps),
    mailboxes: mailboxRepository(db, deps),
    crm: crmRepository(db, deps),
    activities: activityRepository(db, deps),
    alerts: alertRepository(db, deps),
    audit: auditRepository(db, deps),
    tokens: tokenRepository(db, deps),
  };
}

export type StoreOptions = { target: DatabaseTarget; clock: Clock; random: Random; sealer: Sealer; migrate?: boolean };

/** Opens the database, brings the schema up to date (unless migrate is false) and builds the repositories. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const opened = await openDatabase(options.target);
  const deps: RepoDeps = { clock: options.clock, random: options.random, sealer: options.sealer };
  try {
    if (options.migrate !== false) await migrateToLatest(opened.db);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return {
    ...repositories(opened.db, deps),
    engine: opened.engine,
    kysely: opened.db,
    ...(opened.listen === undefined ? {} : { listen: opened.listen }),
    sealer: options.sealer,
    transaction: (fn) => opened.db.transaction().execute((trx) => fn(repositories(trx, deps))),
    close: () => opened.close(),
  };
}
