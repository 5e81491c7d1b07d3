/**
 * Appointments, contacts and tasks sync (ACT): the owner of CRM appointments, tasks and contacts
 * (the default sync filter is "what the user owns"), the fields the CRM tables had no column for
 * (time zone, recurrence, reminders, addresses, more phones), phone calls, letters and faxes kept
 * as tasks with their activity type, the link and base of every synced pair, per-user filters,
 * the org's ACT policy, and the safety valve.
 */
import { sql, type Kysely } from 'kysely';

// PGlite runs each query as a prepared statement, which holds one command: run them one by one.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of SCHEMA.split(/;\s*\n/)) {
    if (statement.trim() !== '') await sql.raw(statement).execute(db);
  }
}

const SCHEMA = `
    alter table appointments add column owner_user_id uuid;
    alter table appointments add column details jsonb not null default '{}';
    alter table tasks add column owner_user_id uuid;
    alter table tasks add column activity_type text not null default 'task';
    alter table tasks add column details jsonb not null default '{}';
    alter table contacts add column owner_user_id uuid;
    alter table contacts add column details jsonb not null default '{}';
    create index appointments_owner_idx on appointments (owner_user_id);
    create index tasks_owner_idx on tasks (owner_user_id);
    create index contacts_owner_idx on contacts (owner_user_id);

    create table act_links (
      id uuid primary key,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      kind text not null,
      crm_id text not null,
      remote_id text,
      remote_version text,
      crm_version text,
      base_crm jsonb not null,
      base_exchange jsonb,
      base_hash text not null,
      state text not null,
      conflict jsonb,
      resolve_with text,
      updated_at timestamptz not null
    );
    create unique index act_links_crm_key on act_links (mailbox_id, kind, crm_id);
    create unique index act_links_remote_key on act_links (mailbox_id, kind, remote_id) where remote_id is not null;

    create table act_user_filters (
      user_id uuid primary key references users (id) on delete cascade,
      filters jsonb not null,
      updated_at timestamptz not null
    );

    create table act_org_policy (
      id integer primary key,
      policy jsonb not null,
      updated_at timestamptz not null
    );

    create table act_valves (
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      kind text not null,
      side text not null,
      deletes integer not null,
      linked integer not null,
      tripped_at timestamptz not null,
      confirmed_at timestamptz,
      confirmed_by text,
      primary key (mailbox_id, kind)
    );
`;
