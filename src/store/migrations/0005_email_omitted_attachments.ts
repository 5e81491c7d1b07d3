/**
 * Attachments an incoming email carried that were not stored (over the org's size limit), kept on
 * the email activity so the CRM user sees what was left out: name, type, size and why.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_activities add column omitted_attachments jsonb not null default '[]'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_activities drop column omitted_attachments`.execute(db);
}
