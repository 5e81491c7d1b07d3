/**
 * Exchange request totals per hour and provider (src/observability/exchange-request-hours.ts):
 * every process adds what its EWS transport and Graph client saw, the admin API charts them.
 * latency_counts holds one count per bound of latencyBoundsMs, plus one beyond the last.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table exchange_request_hours (
      hour timestamptz not null,
      provider text not null,
      requests integer not null,
      throttled integer not null,
      errors integer not null,
      latency_ms_total double precision not null,
      latency_ms_max double precision not null,
      latency_counts integer[] not null,
      primary key (hour, provider)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table exchange_request_hours`.execute(db);
}
