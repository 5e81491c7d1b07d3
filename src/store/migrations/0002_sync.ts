/**
 * What the sync engine keeps beside the foundation schema: per-pipeline schedule details, run
 * records, per-item failures (kept at least 30 days, with a retry action), the links between
 * Exchange items and email activities, Exchange-side effects waiting to be carried out, outbox
 * fields, background jobs with progress, webhooks and their deliveries.
 * The mailbox row (0001) holds the lease and the next run time of each pipeline.
 */
import { sql, type Kysely } from 'kysely';

// PGlite runs each query as a prepared statement, which holds one command: run them one by one.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of SCHEMA.split(/;\s*\n/)) {
    if (statement.trim() !== '') await sql.raw(statement).execute(db);
  }
}

const SCHEMA = `
    create table mailbox_pipeline_state (
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      pipeline text not null,
      reason text not null,
      detail text not null default '',
      idle_streak integer not null default 0,
      failure_count integer not null default 0,
      last_run_at timestamptz,
      last_error_code text,
      last_error_message text,
      last_error_at timestamptz,
      primary key (mailbox_id, pipeline)
    );

    create table sync_runs (
      id uuid primary key,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      profile_id uuid,
      pipeline text not null,
      worker text not null,
      lease_epoch bigint not null,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      outcome text not null,
      items_processed integer not null,
      items_failed integer not null,
      error_code text,
      error_message text
    );
    create index sync_runs_mailbox_idx on sync_runs (mailbox_id, started_at desc);
    create index sync_runs_profile_failed_idx on sync_runs (profile_id, finished_at) where outcome in ('error', 'disabled');

    create table sync_item_failures (
      id uuid primary key,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      pipeline text not null,
      exchange_item_id text,
      email_id uuid references email_activities (id) on delete cascade,
      message_id text,
      subject text not null default '',
      error_code text not null,
      error_message text not null,
      provider_code text,
      attempts integer not null default 1,
      status text not null,
      first_failed_at timestamptz not null,
      last_failed_at timestamptz not null,
      resolved_at timestamptz,
      keep_until timestamptz not null
    );
    create unique index sync_item_failures_item_key on sync_item_failures (mailbox_id, pipeline, exchange_item_id) where exchange_item_id is not null;
    create index sync_item_failures_mailbox_idx on sync_item_failures (mailbox_id, last_failed_at desc);

    create table email_item_links (
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      exchange_item_id text not null,
      email_id uuid not null references email_activities (id) on delete cascade,
      created_at timestamptz not null,
      primary key (mailbox_id, exchange_item_id)
    );
    create index email_item_links_email_idx on email_item_links (email_id);

    create table mailbox_actions (
      id uuid primary key,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      kind text not null,
      exchange_item_id text not null,
      payload jsonb not null,
      created_at timestamptz not null
    );
    create index mailbox_actions_mailbox_idx on mailbox_actions (mailbox_id, created_at);

    alter table email_activities add column send_attempts integer not null default 0;
    alter table email_activities add column next_attempt_at timestamptz;
    alter table email_activities add column subject_key text;
    alter table email_activities add column addresses jsonb not null default '[]';
    alter table email_activities add column correlation_method text;
    create index email_activities_outbox_idx on email_activities (mailbox_id, next_attempt_at) where status in ('pending-send', 'sending');
    create index email_activities_token_idx on email_activities (tracking_token) where tracking_token is not null;
    create index email_activities_conversation_index_idx on email_activities (conversation_index) where conversation_index is not null;
    create index email_activities_subject_key_idx on email_activities (subject_key) where subject_key is not null;
    create sequence email_tracking_token_seq;

    alter table users add column track_emails text;
    alter table queues add column track_emails text;

    create table sync_jobs (
      id uuid primary key,
      kind text not null,
      status text not null,
      params jsonb not null,
      total integer not null,
      done integer not null default 0,
      failed integer not null default 0,
      created_by text,
      created_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      lease_owner text,
      lease_expires_at timestamptz
    );
    create index sync_jobs_status_idx on sync_jobs (status, created_at);

    create table sync_job_items (
      job_id uuid not null references sync_jobs (id) on delete cascade,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      status text not null,
      result jsonb not null default '{}',
      finished_at timestamptz,
      primary key (job_id, mailbox_id)
    );
    create index sync_job_items_open_idx on sync_job_items (mailbox_id) where status in ('queued', 'running');

    create table webhooks (
      id uuid primary key,
      url text not null,
      events jsonb not null,
      secret_sealed text not null,
      active boolean not null default true,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table webhook_deliveries (
      id uuid primary key,
      webhook_id uuid not null references webhooks (id) on delete cascade,
      event text not null,
      payload jsonb not null,
      status text not null,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      last_status_code integer,
      last_error text,
      lease_owner text,
      lease_expires_at timestamptz,
      created_at timestamptz not null,
      delivered_at timestamptz
    );
    create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';

    create table profile_alert_state (
      profile_id uuid primary key references email_server_profiles (id) on delete cascade,
      last_alert_at timestamptz not null
    );
`;

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table profile_alert_state, webhook_deliveries, webhooks, sync_job_items, sync_jobs, mailbox_actions,
      email_item_links, sync_item_failures, sync_runs, mailbox_pipeline_state`.execute(db);
  await sql`drop sequence email_tracking_token_seq`.execute(db);
  for (const column of ['send_attempts', 'next_attempt_at', 'subject_key', 'addresses', 'correlation_method']) {
    await sql.raw(`alter table email_activities drop column ${column}`).execute(db);
  }
  await sql`alter table users drop column track_emails`.execute(db);
  await sql`alter table queues drop column track_emails`.execute(db);
}
