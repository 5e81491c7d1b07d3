/**
 * Folder-level tracking (as in Dynamics): besides the Inbox, a mailbox may have folders whose email
 * is always tracked, optionally regarding a given record. A folder is named by its display name
 * under the mailbox root; the engine finds (or creates) it and keeps its Exchange id here. Each
 * has its own sync cursor in mailbox_cursors, keyed "folder:<folder id>".
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table mailbox_tracked_folders (
      id uuid primary key,
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      folder_id text,
      display_name text not null,
      regarding_type text,
      regarding_id uuid,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create unique index mailbox_tracked_folders_key on mailbox_tracked_folders (mailbox_id, lower(display_name))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table mailbox_tracked_folders`.execute(db);
}
