/**
 * The foundation schema: profiles, org settings, users, queues, mailboxes (with schedule, lease and
 * per-folder cursors), CRM parties and activities, alerts, audit log and API tokens.
 * One SQL dialect (PostgreSQL) for both PGlite and PostgreSQL. Later files (0002_…) add to it.
 */
import { sql, type Kysely } from 'kysely';

// PGlite runs each query as a prepared statement, which holds one command: run them one by one.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of SCHEMA.split(/;\s*\n/)) {
    if (statement.trim() !== '') await sql.raw(statement).execute(db);
  }
}

const SCHEMA = `
    create table users (
      id uuid primary key,
      full_name text not null,
      email_address text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index users_email_key on users (lower(email_address));

    create table queues (
      id uuid primary key,
      name text not null,
      email_address text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index queues_email_key on queues (lower(email_address));

    create table email_server_profiles (
      id uuid primary key,
      name text not null,
      description text not null default '',
      owner_user_id uuid references users (id) on delete set null,
      server_type text not null,
      is_default_for_new_mailboxes boolean not null default false,
      auth_type text not null,
      auth jsonb not null,
      password_sealed text,
      key_vault_client_secret_sealed text,
      certificate_sealed text,
      certificate_password_sealed text,
      autodiscover boolean not null,
      incoming_server_url text,
      outgoing_server_url text,
      incoming_port integer not null,
      outgoing_port integer not null,
      trusted_ca_bundle text,
      process_email_from timestamptz,
      minimum_polling_interval_minutes integer not null check (minimum_polling_interval_minutes between 0 and 1440),
      maximum_concurrent_connections integer not null check (maximum_concurrent_connections between 1 and 300),
      connection_timeout_seconds integer not null check (connection_timeout_seconds between 1 and 100),
      move_failed_to_undeliverable boolean not null,
      alert_owner_on_major_events boolean not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index email_server_profiles_name_key on email_server_profiles (lower(name));
    create unique index email_server_profiles_one_default on email_server_profiles (is_default_for_new_mailboxes) where is_default_for_new_mailboxes;

    create table org_email_settings (
      id smallint primary key check (id = 1),
      default_profile_id uuid references email_server_profiles (id) on delete set null,
      settings jsonb not null,
      updated_at timestamptz not null
    );

    create table mailboxes (
      id uuid primary key,
      owner_type text not null check (owner_type in ('user', 'queue')),
      owner_id uuid not null,
      email_address text not null,
      profile_id uuid references email_server_profiles (id) on delete set null,
      incoming_method text not null,
      outgoing_method text not null,
      act_method text not null,
      approval text not null,
      incoming_enabled boolean not null,
      outgoing_enabled boolean not null,
      act_enabled boolean not null,
      incoming_status text not null,
      outgoing_status text not null,
      act_status text not null,
      next_incoming_at timestamptz,
      next_outgoing_at timestamptz,
      next_act_at timestamptz,
      next_test_at timestamptz,
      lease_owner text,
      lease_epoch bigint not null default 0,
      lease_expires_at timestamptz,
      last_error_code text,
      last_error_message text,
      last_error_at timestamptz,
      last_cycle_processed integer not null default 0,
      last_cycle_failed integer not null default 0,
      transient_failure_count integer not null default 0,
      last_sync_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index mailboxes_owner_key on mailboxes (owner_type, owner_id);
    create unique index mailboxes_email_key on mailboxes (lower(email_address));
    create index mailboxes_profile_idx on mailboxes (profile_id);
    create index mailboxes_next_incoming_idx on mailboxes (next_incoming_at) where next_incoming_at is not null;
    create index mailboxes_next_outgoing_idx on mailboxes (next_outgoing_at) where next_outgoing_at is not null;
    create index mailboxes_next_act_idx on mailboxes (next_act_at) where next_act_at is not null;
    create index mailboxes_next_test_idx on mailboxes (next_test_at) where next_test_at is not null;

    create table mailbox_cursors (
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      folder text not null,
      cursor text not null,
      updated_at timestamptz not null,
      primary key (mailbox_id, folder)
    );

    create table accounts (
      id uuid primary key,
      name text not null,
      email_address text,
      website text not null default '',
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index accounts_email_idx on accounts (lower(email_address));

    create table contacts (
      id uuid primary key,
      first_name text not null default '',
      last_name text not null,
      full_name text not null,
      email_addresses jsonb not null default '[]',
      account_id uuid references accounts (id) on delete set null,
      job_title text not null default '',
      phone text not null default '',
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table leads (
      id uuid primary key,
      full_name text not null,
      company_name text not null default '',
      email_address text,
      status text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index leads_email_idx on leads (lower(email_address));

    create table email_activities (
      id uuid primary key,
      mailbox_id uuid references mailboxes (id) on delete set null,
      direction text not null,
      status text not null,
      subject text not null,
      body_type text not null,
      body text not null,
      parties jsonb not null,
      regarding_type text,
      regarding_id uuid,
      message_id text,
      in_reply_to text,
      conversation_id text,
      conversation_index text,
      tracking_token text,
      exchange_item_id text,
      sent_at timestamptz,
      received_at timestamptz,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create unique index email_activities_message_id_key on email_activities (message_id) where message_id is not null;
    create unique index email_activities_item_key on email_activities (mailbox_id, exchange_item_id) where exchange_item_id is not null;
    create index email_activities_status_idx on email_activities (mailbox_id, status);
    create index email_activities_conversation_idx on email_activities (conversation_id);

    create table email_attachments (
      id uuid primary key,
      email_id uuid not null references email_activities (id) on delete cascade,
      name text not null,
      content_type text not null,
      size integer not null,
      is_inline boolean not null,
      content_id text,
      content bytea not null
    );
    create index email_attachments_email_idx on email_attachments (email_id);

    create table appointments (
      id uuid primary key,
      mailbox_id uuid references mailboxes (id) on delete set null,
      subject text not null,
      body text not null,
      location text not null,
      start_at timestamptz not null,
      end_at timestamptz not null,
      is_all_day boolean not null,
      status text not null,
      parties jsonb not null,
      regarding_type text,
      regarding_id uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table tasks (
      id uuid primary key,
      mailbox_id uuid references mailboxes (id) on delete set null,
      subject text not null,
      body text not null,
      due_at timestamptz,
      status text not null,
      priority text not null,
      percent_complete integer not null check (percent_complete between 0 and 100),
      regarding_type text,
      regarding_id uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table alerts (
      id uuid primary key,
      level text not null,
      target_type text not null,
      target_id uuid not null,
      owner_user_id uuid,
      code text not null,
      message text not null,
      details jsonb not null default '{}',
      created_at timestamptz not null,
      dismissed_at timestamptz
    );
    create index alerts_target_idx on alerts (target_type, target_id, created_at desc);
    create index alerts_owner_idx on alerts (owner_user_id, created_at desc);

    create table audit_log (
      id uuid primary key,
      at timestamptz not null,
      actor_type text not null,
      actor_id text,
      actor_name text not null,
      action text not null,
      entity_type text not null,
      entity_id text,
      changes jsonb not null
    );
    create index audit_log_at_idx on audit_log (at desc);
    create index audit_log_entity_idx on audit_log (entity_type, entity_id);

    create table api_tokens (
      id uuid primary key,
      name text not null,
      role text not null,
      user_id uuid references users (id) on delete cascade,
      prefix text not null,
      token_hash text not null unique,
      created_at timestamptz not null,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
`;

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table api_tokens, audit_log, alerts, tasks, appointments, email_attachments, email_activities,
      leads, contacts, accounts, mailbox_cursors, mailboxes, org_email_settings, email_server_profiles, queues, users`.execute(db);
}
