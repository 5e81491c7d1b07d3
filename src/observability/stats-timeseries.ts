/**
 * Is sync healthy, hour by hour? Per UTC hour over a window: email tracked and sent, failed runs and
 * the items they failed (from the run records of every worker), and the Exchange requests the
 * workers measured: count, throttling answers, errors and latency (exchange-request-hours.ts).
 *
 * Latency: the mean and the maximum are exact; p50 and p95 are the upper bound of the latency count
 * holding them (latencyBoundsMs), capped by the hour's maximum. Requests are counted for the whole
 * organization, so a mailbox owner, who sees only its own mailbox's email and runs, gets none.
 */
import { sql, type Kysely } from 'kysely';
import type { UseCaseContext } from '../use-cases/context.ts';
import { visibleMailboxIds } from '../use-cases/mailboxes.ts';
import type { ExchangeProvider } from './exchange-requests.ts';
import { addHour, emptyHour, HOUR_MS, latencyBoundsMs, latencyQuantileMs, readRequestHours, type RequestHour } from './exchange-request-hours.ts';

export type StatsQuery = { hours?: number; provider?: ExchangeProvider };

export type StatsBucket = {
  start: string;
  emailsTracked: number;
  emailsSent: number;
  failedRuns: number;
  failedItems: number;
  /** null: not recorded (see StatsTimeseries.exchangeRecorded). */
  exchangeRequests: number | null;
  throttledRequests: number | null;
  exchangeErrors: number | null;
  /** null also when the hour had no request. */
  latencyMeanMs: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
};

export type StatsTimeseries = {
  from: string;
  to: string;
  bucketSeconds: number;
  scope: 'organization' | 'own-mailboxes';
  /** Whether Exchange request totals exist for this caller (organization scope, table present). */
  exchangeRecorded: boolean;
  latencyBoundsMs: number[];
  buckets: StatsBucket[];
};

/** A count per hour; `hour` is the number of whole hours since the epoch. */
export type HourCount = { hour: number; count: number };

export type TimeseriesInputs = {
  tracked: ReadonlyArray<HourCount>;
  sent: ReadonlyArray<HourCount>;
  failedRuns: ReadonlyArray<HourCount>;
  failedItems: ReadonlyArray<HourCount>;
  /** null when not recorded. */
  requests: ReadonlyArray<RequestHour> | null;
};

export const defaultWindowHours = 24;
export const maxWindowHours = 24 * 31;

/** The window: `hours` whole UTC hours ending with the current (partial) one. */
export function statsWindow(nowMs: number, hours: number): { fromMs: number; toMs: number } {
  const toMs = (Math.floor(nowMs / HOUR_MS) + 1) * HOUR_MS;
  return { fromMs: toMs - hours * HOUR_MS, toMs };
}

/** Puts the per-hour counts into one bucket per hour of the window, zero where nothing happened. */
export function buildTimeseries(window: { fromMs: number; toMs: number }, inputs: TimeseriesInputs, scope: StatsTimeseries['scope']): StatsTimeseries {
  const first = window.fromMs / HOUR_MS;
  const size = (window.toMs - window.fromMs) / HOUR_MS;
  const counts = (rows: ReadonlyArray<HourCount>): number[] => {
    const out = new Array<number>(size).fill(0);
    for (const r of rows) if (r.hour >= first && r.hour < first + size) out[r.hour - first]! += r.count;
    return out;
  };
  const tracked = counts(inputs.tracked);
  const sent = counts(inputs.sent);
  const failedRuns = counts(inputs.failedRuns);
  const failedItems = counts(inputs.failedItems);
  const requests: Array<RequestHour | undefined> = new Array(size).fill(undefined);
  for (const r of inputs.requests ?? []) {
    const i = r.hourStart / HOUR_MS - first;
    if (i < 0 || i >= size) continue;
    const current = requests[i];
    requests[i] = current === undefined ? r : addHour(current, r);
  }
  const recorded = inputs.requests !== null;
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  const buckets = Array.from({ length: size }, (_, i): StatsBucket => {
    const hourStart = window.fromMs + i * HOUR_MS;
    const r = requests[i] ?? emptyHour(hourStart, 'ews');
    const measured = recorded && r.requests > 0;
    const p50 = measured ? latencyQuantileMs(r, 0.5) : null;
    const p95 = measured ? latencyQuantileMs(r, 0.95) : null;
    return {
      start: new Date(hourStart).toISOString(),
      emailsTracked: tracked[i]!,
      emailsSent: sent[i]!,
      failedRuns: failedRuns[i]!,
      failedItems: failedItems[i]!,
      exchangeRequests: recorded ? r.requests : null,
      throttledRequests: recorded ? r.throttled : null,
      exchangeErrors: recorded ? r.errors : null,
      latencyMeanMs: measured ? round(r.latencyMsTotal / r.requests) : null,
      latencyP50Ms: p50 === null ? null : round(p50),
      latencyP95Ms: p95 === null ? null : round(p95),
      latencyMaxMs: measured ? round(r.latencyMsMax) : null,
    };
  });
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    bucketSeconds: HOUR_MS / 1000,
    scope,
    exchangeRecorded: recorded,
    latencyBoundsMs: [...latencyBoundsMs],
    buckets,
  };
}

const hourOf = (column: string) => sql<number>`floor(extract(epoch from ${sql.ref(column)}) / 3600)::integer`;

async function countByHour(
  db: Kysely<any>,
  table: 'email_activities' | 'sync_runs',
  column: string,
  where: ReturnType<typeof sql>,
  window: { fromMs: number; toMs: number },
  mailboxes: ReadonlySet<string> | 'all',
  value: ReturnType<typeof sql> = sql`count(*)`,
): Promise<HourCount[]> {
  if (mailboxes !== 'all' && mailboxes.size === 0) return [];
  const result = await sql<{ hour: number; count: number | string }>`
    select ${hourOf(column)} as hour, ${value} as count
    from ${sql.table(table)}
    where ${sql.ref(column)} >= ${new Date(window.fromMs)} and ${sql.ref(column)} < ${new Date(window.toMs)} and ${where}
    ${mailboxes === 'all' ? sql`` : sql`and mailbox_id in (${sql.join([...mailboxes])})`}
    group by 1`.execute(db);
  return result.rows.map((r) => ({ hour: Number(r.hour), count: Number(r.count) }));
}

export async function statsTimeseries(ctx: UseCaseContext, query: StatsQuery = {}): Promise<StatsTimeseries> {
  const hours = Math.min(maxWindowHours, Math.max(1, Math.trunc(query.hours ?? defaultWindowHours)));
  const window = statsWindow(ctx.clock.now(), hours);
  const db = ctx.store.kysely as Kysely<any>;
  const mailboxes = await visibleMailboxIds(ctx);
  const [tracked, sent, failedRuns, failedItems] = await Promise.all([
    countByHour(db, 'email_activities', 'created_at', sql`direction = 'incoming'`, window, mailboxes),
    countByHour(db, 'email_activities', 'sent_at', sql`direction = 'outgoing'`, window, mailboxes),
    countByHour(db, 'sync_runs', 'finished_at', sql`outcome in ('error', 'disabled')`, window, mailboxes),
    countByHour(db, 'sync_runs', 'finished_at', sql`items_failed > 0`, window, mailboxes, sql`sum(items_failed)`),
  ]);
  const requests = mailboxes === 'all' ? await readRequestHours(db, window.fromMs, window.toMs, query.provider) : null;
  return buildTimeseries(window, { tracked, sent, failedRuns, failedItems, requests }, mailboxes === 'all' ? 'organization' : 'own-mailboxes');
}
