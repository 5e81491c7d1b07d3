/**
 * Two settings admins asked for:
 *  - email server profiles: the domains Autodiscover may follow a redirect to, besides the
 *    mailbox's own (empty: none);
 *  - org email settings: which alert levels are recorded. Settings live in one JSON document, so
 *    this only writes the default (every level) into a document saved before the field existed.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_server_profiles add column autodiscover_allowed_redirect_domains jsonb not null default '[]'`.execute(db);
  await sql`update org_email_settings set settings = settings || '{"alertLevels":["error","warning","information"]}'::jsonb where not (settings ? 'alertLevels')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update org_email_settings set settings = settings - 'alertLevels'`.execute(db);
  await sql`alter table email_server_profiles drop column autodiscover_allowed_redirect_domains`.execute(db);
}
