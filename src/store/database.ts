/**
 * The Kysely table types of the store. Column names are snake_case as in the migrations;
 * repositories map rows to the domain types. Timestamps come back as Date from both engines,
 * bigint as number (see open-database.ts).
 */
import type { ColumnType, Kysely, Transaction } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** track_emails: a tracking rule of crm/tracking-rules.ts, or null to follow the org (migration 0002). */
export type UsersTable = { id: string; full_name: string; email_address: string; track_emails: string | null; created_at: Timestamp; updated_at: Timestamp };
export type QueuesTable = { id: string; name: string; email_address: string; track_emails: string | null; created_at: Timestamp; updated_at: Timestamp };

export type ProfilesTable = {
  id: string;
  name: string;
  description: string;
  owner_user_id: string | null;
  server_type: string;
  is_default_for_new_mailboxes: boolean;
  auth_type: string;
  auth: Json<Record<string, unknown>>;
  password_sealed: string | null;
  key_vault_client_secret_sealed: string | null;
  certificate_sealed: string | null;
  certificate_password_sealed: string | null;
  autodiscover: boolean;
  autodiscover_allowed_redirect_domains: Json<string[]>;
  incoming_server_url: string | null;
  outgoing_server_url: string | null;
  incoming_port: number;
  outgoing_port: number;
  trusted_ca_bundle: string | null;
  process_email_from: Timestamp | null;
  minimum_polling_interval_minutes: number;
  maximum_concurrent_connections: number;
  connection_timeout_seconds: number;
  move_failed_to_undeliverable: boolean;
  alert_owner_on_major_events: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type OrgEmailSettingsTable = {
  id: number;
  default_profile_id: string | null;
  settings: Json<Record<string, unknown>>;
  updated_at: Timestamp;
};

export type MailboxesTable = {
  id: string;
  owner_type: string;
  owner_id: string;
  email_address: string;
  profile_id: string | null;
  incoming_method: string;
  outgoing_method: string;
  act_method: string;
  approval: string;
  incoming_enabled: boolean;
  outgoing_enabled: boolean;
  act_enabled: boolean;
  process_email_from: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  incoming_status: string;
  outgoing_status: string;
  act_status: string;
  next_incoming_at: Timestamp | null;
  next_outgoing_at: Timestamp | null;
  next_act_at: Timestamp | null;
  next_test_at: Timestamp | null;
  lease_owner: string | null;
  lease_epoch: ColumnType<number, number | undefined, number>;
  lease_expires_at: Timestamp | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Timestamp | null;
  last_cycle_processed: ColumnType<number, number | undefined, number>;
  last_cycle_failed: ColumnType<number, number | undefined, number>;
  transient_failure_count: ColumnType<number, number | undefined, number>;
  last_sync_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type MailboxCursorsTable = { mailbox_id: string; folder: string; cursor: string; updated_at: Timestamp };

export type AccountsTable = { id: string; name: string; email_address: string | null; website: string; created_at: Timestamp; updated_at: Timestamp };
export type ContactsTable = {
  id: string;
  first_name: string;
  last_name: string;
  full_name: string;
  email_addresses: Json<string[]>;
  account_id: string | null;
  job_title: string;
  phone: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};
export type LeadsTable = {
  id: string;
  full_name: string;
  company_name: string;
  email_address: string | null;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type EmailActivitiesTable = {
  id: string;
  mailbox_id: string | null;
  direction: string;
  status: string;
  subject: string;
  body_type: string;
  body: string;
  parties: Json<unknown[]>;
  regarding_type: string | null;
  regarding_id: string | null;
  message_id: string | null;
  in_reply_to: string | null;
  conversation_id: string | null;
  conversation_index: string | null;
  tracking_token: string | null;
  exchange_item_id: string | null;
  sent_at: Timestamp | null;
  received_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type EmailAttachmentsTable = {
  id: string;
  email_id: string;
  name: string;
  content_type: string;
  size: number;
  is_inline: boolean;
  content_id: string | null;
  content: Uint8Array;
};

export type AppointmentsTable = {
  id: string;
  mailbox_id: string | null;
  subject: string;
  body: string;
  location: string;
  start_at: Timestamp;
  end_at: Timestamp;
  is_all_day: boolean;
  status: string;
  parties: Json<unknown[]>;
  regarding_type: string | null;
  regarding_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type TasksTable = {
  id: string;
  mailbox_id: string | null;
  subject: string;
  body: string;
  due_at: Timestamp | null;
  status: string;
  priority: string;
  percent_complete: number;
  regarding_type: string | null;
  regarding_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type AlertsTable = {
  id: string;
  level: string;
  target_type: string;
  target_id: string;
  owner_user_id: string | null;
  code: string;
  message: string;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
  dismissed_at: Timestamp | null;
};

export type AuditLogTable = {
  id: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Json<Record<string, unknown>>;
};

export type ApiTokensTable = {
  id: string;
  name: string;
  role: string;
  user_id: string | null;
  prefix: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
};

export type Database = {
  users: UsersTable;
  queues: QueuesTable;
  email_server_profiles: ProfilesTable;
  org_email_settings: OrgEmailSettingsTable;
  mailboxes: MailboxesTable;
  mailbox_cursors: MailboxCursorsTable;
  accounts: AccountsTable;
  contacts: ContactsTable;
  leads: LeadsTable;
  email_activities: EmailActivitiesTable;
  email_attachments: EmailAttachmentsTable;
  appointments: AppointmentsTable;
  tasks: TasksTable;
  alerts: AlertsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
};

/** A database handle or an open transaction: repositories accept either. */
export type Executor = Kysely<Database> | Transaction<Database>;

export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value);
}
