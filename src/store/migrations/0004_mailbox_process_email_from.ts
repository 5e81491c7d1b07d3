/**
 * A mailbox's own "process email from" (as in Dynamics): incoming email uses the later of the
 * profile's and the mailbox's, so one mailbox can start later than the rest of its profile.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes add column process_email_from timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes drop column process_email_from`.execute(db);
}
