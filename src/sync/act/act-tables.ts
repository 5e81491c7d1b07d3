/**
 * Kysely types of what migration 0003_act adds, and `actDb()` to see the store's database with them.
 */
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { SyncTables } from '../sync-tables.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;
type JsonDefaulted<T> = ColumnType<T, string | undefined, string>;

export type ActTables = {
  act_links: {
    id: string;
    mailbox_id: string;
    kind: string;
    crm_id: string;
    remote_id: string | null;
    remote_version: string | null;
    crm_version: string | null;
    base_crm: Json<Record<string, unknown>>;
    base_exchange: Json<Record<string, unknown>> | null;
    base_hash: string;
    state: string;
    conflict: Json<string[]> | null;
    resolve_with: string | null;
    updated_at: Timestamp;
  };
  act_user_filters: { user_id: string; filters: Json<Record<string, unknown>>; updated_at: Timestamp };
  act_org_policy: { id: number; policy: Json<Record<string, unknown>>; updated_at: Timestamp };
  act_valves: {
    mailbox_id: string;
    kind: string;
    side: string;
    deletes: number;
    linked: number;
    tripped_at: Timestamp;
    confirmed_at: Timestamp | null;
    confirmed_by: string | null;
  };
};

type ActColumns = {
  appointments: Database['appointments'] & { owner_user_id: string | null; details: JsonDefaulted<Record<string, unknown>> };
  tasks: Database['tasks'] & { owner_user_id: string | null; activity_type: Defaulted<string>; details: JsonDefaulted<Record<string, unknown>> };
  contacts: Database['contacts'] & { owner_user_id: string | null; details: JsonDefaulted<Record<string, unknown>> };
};

export type ActDatabase = Omit<Database, 'appointments' | 'tasks' | 'contacts'> & ActColumns & ActTables & SyncTables;
export type ActExecutor = Kysely<ActDatabase> | Transaction<ActDatabase>;

export function actDb(db: Kysely<Database>): Kysely<ActDatabase> {
  return db as unknown as Kysely<ActDatabase>;
}
