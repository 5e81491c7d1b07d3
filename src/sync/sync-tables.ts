/**
 * Kysely types of the tables and columns migration 0002_sync adds, and `syncDb()` to see the
 * foundation's database with them. Column names are snake_case as in the migration.
 */
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { OmittedAttachment } from '../domain/activity.ts';
import type { Database, EmailActivitiesTable, QueuesTable, UsersTable } from '../store/database.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type SyncTables = {
  mailbox_pipeline_state: {
    mailbox_id: string;
    pipeline: string;
    reason: string;
    detail: Defaulted<string>;
    idle_streak: Defaulted<number>;
    failure_count: Defaulted<number>;
    last_run_at: Timestamp | null;
    last_error_code: string | null;
    last_error_message: string | null;
    last_error_at: Timestamp | null;
  };
  sync_runs: {
    id: string;
    mailbox_id: string;
    profile_id: string | null;
    pipeline: string;
    worker: string;
    lease_epoch: number;
    started_at: Timestamp;
    finished_at: Timestamp;
    outcome: string;
    items_processed: number;
    items_failed: number;
    error_code: string | null;
    error_message: string | null;
  };
  sync_item_failures: {
    id: string;
    mailbox_id: string;
    pipeline: string;
    exchange_item_id: string | null;
    email_id: string | null;
    message_id: string | null;
    subject: Defaulted<string>;
    error_code: string;
    error_message: string;
    provider_code: string | null;
    attempts: Defaulted<number>;
    status: string;
    first_failed_at: Timestamp;
    last_failed_at: Timestamp;
    resolved_at: Timestamp | null;
    keep_until: Timestamp;
  };
  email_item_links: { mailbox_id: string; exchange_item_id: string; email_id: string; created_at: Timestamp };
  mailbox_actions: { id: string; mailbox_id: string; kind: string; exchange_item_id: string; payload: Json<Record<string, unknown>>; created_at: Timestamp };
  sync_jobs: {
    id: string;
    kind: string;
    status: string;
    params: Json<Record<string, unknown>>;
    total: number;
    done: Defaulted<number>;
    failed: Defaulted<number>;
    created_by: string | null;
    created_at: Timestamp;
    started_at: Timestamp | null;
    finished_at: Timestamp | null;
    lease_owner: string | null;
    lease_expires_at: Timestamp | null;
  };
  sync_job_items: { job_id: string; mailbox_id: string; status: string; result: Json<Record<string, unknown>>; finished_at: Timestamp | null };
  webhooks: { id: string; url: string; events: Json<string[]>; secret_sealed: string; active: Defaulted<boolean>; created_at: Timestamp; updated_at: Timestamp };
  webhook_deliveries: {
    id: string;
    webhook_id: string;
    event: string;
    payload: Json<Record<string, unknown>>;
    status: string;
    attempts: Defaulted<number>;
    next_attempt_at: Timestamp;
    last_status_code: number | null;
    last_error: string | null;
    lease_owner: string | null;
    lease_expires_at: Timestamp | null;
    created_at: Timestamp;
    delivered_at: Timestamp | null;
  };
  profile_alert_state: { profile_id: string; last_alert_at: Timestamp };
  mailbox_tracked_folders: {
    id: string;
    mailbox_id: string;
    folder_id: string | null;
    display_name: string;
    regarding_type: string | null;
    regarding_id: string | null;
    created_at: Timestamp;
  };
};

/** Columns 0002 adds to foundation tables. */
type EmailOutboxColumns = {
  send_attempts: Defaulted<number>;
  next_attempt_at: Timestamp | null;
  subject_key: string | null;
  addresses: ColumnType<string[], string | undefined, string>;
  correlation_method: string | null;
  omitted_attachments: ColumnType<OmittedAttachment[], string | undefined, string>;
};

export type SyncDatabase = Omit<Database, 'email_activities' | 'users' | 'queues'> &
  SyncTables & {
    email_activities: EmailActivitiesTable & EmailOutboxColumns;
    users: UsersTable & { track_emails: string | null };
    queues: QueuesTable & { track_emails: string | null };
  };

export type SyncExecutor = Kysely<SyncDatabase> | Transaction<SyncDatabase>;

/** The same connection or transaction, typed with the sync tables. */
export function syncDb(db: Kysely<Database>): Kysely<SyncDatabase>;
export function syncDb(db: Transaction<Database>): Transaction<SyncDatabase>;
export function syncDb(db: Kysely<Database> | Transaction<Database>): SyncExecutor {
  return db as unknown as SyncExecutor;
}
