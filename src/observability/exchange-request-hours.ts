/**
 * Exchange request totals per hour and provider, shared by every process through the database:
 * each process adds what it saw in memory (ExchangeRequestHours, an ExchangeRequestObserver) and
 * flushes it with an additive upsert, so several workers sum into the same rows and the admin API
 * reads them whichever process served the requests. Table exchange_request_hours.
 *
 * Latency is kept as a total, a maximum and counts per bound (latencyBoundsMs), which is enough for
 * an exact mean and maximum and for percentiles to the precision of the bounds.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { ExchangeProvider, ExchangeRequest, ExchangeRequestObserver } from './exchange-requests.ts';

export const HOUR_MS = 3_600_000;

/**
 * Upper bounds of the latency counts, in ms; one more count holds what is slower than the last.
 * Rows in the database are counted against these bounds: changing them needs a new column.
 */
export const latencyBoundsMs: ReadonlyArray<number> = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

export type RequestHour = {
  /** Start of the UTC hour, ms since the epoch. */
  hourStart: number;
  provider: ExchangeProvider;
  requests: number;
  throttled: number;
  errors: number;
  latencyMsTotal: number;
  latencyMsMax: number;
  /** latencyBoundsMs.length + 1 counts: requests answered within each bound, the last one beyond all. */
  latencyCounts: number[];
};

export function emptyHour(hourStart: number, provider: ExchangeProvider): RequestHour {
  return { hourStart, provider, requests: 0, throttled: 0, errors: 0, latencyMsTotal: 0, latencyMsMax: 0, latencyCounts: new Array<number>(latencyBoundsMs.length + 1).fill(0) };
}

export function latencySlot(latencyMs: number): number {
  const i = latencyBoundsMs.findIndex((bound) => latencyMs <= bound);
  return i === -1 ? latencyBoundsMs.length : i;
}

/** Adds b into a (same hour; providers may differ when summing over providers). */
export function addHour(a: RequestHour, b: RequestHour): RequestHour {
  return {
    hourStart: a.hourStart,
    provider: a.provider,
    requests: a.requests + b.requests,
    throttled: a.throttled + b.throttled,
    errors: a.errors + b.errors,
    latencyMsTotal: a.latencyMsTotal + b.latencyMsTotal,
    latencyMsMax: Math.max(a.latencyMsMax, b.latencyMsMax),
    latencyCounts: a.latencyCounts.map((n, i) => n + (b.latencyCounts[i] ?? 0)),
  };
}

/**
 * The q-quantile (0 < q <= 1) of the latencies counted: the upper bound of the count that holds it,
 * or the hour's maximum when it lies beyond the last bound (or below the bound, which is tighter).
 * null without requests.
 */
export function latencyQuantileMs(hour: Pick<RequestHour, 'latencyCounts' | 'latencyMsMax'>, q: number): number | null {
  const total = hour.latencyCounts.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hour.latencyCounts.length; i++) {
    seen += hour.latencyCounts[i]!;
    if (seen >= rank) {
      const bound = latencyBoundsMs[i];
      return bound === undefined ? hour.latencyMsMax : Math.min(bound, hour.latencyMsMax);
    }
  }
  return hour.latencyMsMax;
}

/** In-process totals of the current process, by hour and provider, until flushed. */
export class ExchangeRequestHours implements ExchangeRequestObserver {
  readonly #clock: Clock;
  #open = new Map<string, RequestHour>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  observe(request: ExchangeRequest): void {
    const hourStart = Math.floor(this.#clock.now() / HOUR_MS) * HOUR_MS;
    const key = `${hourStart}|${request.provider}`;
    const hour = this.#open.get(key) ?? emptyHour(hourStart, request.provider);
    const latencyMs = Math.max(0, request.latencyMs);
    hour.requests += 1;
    hour.throttled += request.throttled;
    if (request.outcome === 'error') hour.errors += 1;
    hour.latencyMsTotal += latencyMs;
    hour.latencyMsMax = Math.max(hour.latencyMsMax, latencyMs);
    hour.latencyCounts[latencySlot(latencyMs)]! += 1;
    this.#open.set(key, hour);
  }

  /** Takes what was recorded since the last drain, oldest hour first. */
  drain(): RequestHour[] {
    const out = [...this.#open.values()].sort((a, b) => a.hourStart - b.hourStart || a.provider.localeCompare(b.provider));
    this.#open = new Map();
    return out;
  }

  /** Puts back hours a flush could not save, so a database outage loses nothing. */
  restore(hours: ReadonlyArray<RequestHour>): void {
    for (const h of hours) {
      const key = `${h.hourStart}|${h.provider}`;
      const current = this.#open.get(key);
      this.#open.set(key, current === undefined ? h : addHour(current, h));
    }
  }
}

/** Adds the hours into their rows, one statement each (no transaction spans two rows, so concurrent flushes never deadlock). */
export async function saveRequestHours(db: Kysely<any>, hours: ReadonlyArray<RequestHour>): Promise<void> {
  for (const h of hours) await saveRequestHour(db, h);
}

/** Adds one hour into its row (hour, provider), creating it if needed. */
export async function saveRequestHour(db: Kysely<any>, h: RequestHour): Promise<void> {
  const counts = `{${h.latencyCounts.map((n) => Math.trunc(n)).join(',')}}`;
  await sql`
    insert into exchange_request_hours (hour, provider, requests, throttled, errors, latency_ms_total, latency_ms_max, latency_counts)
    values (${new Date(h.hourStart)}, ${h.provider}, ${h.requests}, ${h.throttled}, ${h.errors}, ${h.latencyMsTotal}, ${h.latencyMsMax}, ${counts}::integer[])
    on conflict (hour, provider) do update set
      requests = exchange_request_hours.requests + excluded.requests,
      throttled = exchange_request_hours.throttled + excluded.throttled,
      errors = exchange_request_hours.errors + excluded.errors,
      latency_ms_total = exchange_request_hours.latency_ms_total + excluded.latency_ms_total,
      latency_ms_max = greatest(exchange_request_hours.latency_ms_max, excluded.latency_ms_max),
      latency_counts = array(
        select coalesce(a, 0) + coalesce(b, 0)
        from unnest(exchange_request_hours.latency_counts, excluded.latency_counts) with ordinality as u(a, b, i)
        order by i
      )`.execute(db);
}

type HourRow = {
  hour: Date | string;
  provider: string;
  requests: number;
  throttled: number;
  errors: number;
  latency_ms_total: number;
  latency_ms_max: number;
  latency_counts: number[] | string;
};

/** Rows with fromMs <= hour < toMs, optionally of one provider, oldest first. */
export async function readRequestHours(db: Kysely<any>, fromMs: number, toMs: number, provider?: ExchangeProvider): Promise<RequestHour[]> {
  const result = await sql<HourRow>`
    select hour, provider, requests, throttled, errors, latency_ms_total, latency_ms_max, array_to_json(latency_counts) as latency_counts
    from exchange_request_hours
    where hour >= ${new Date(fromMs)} and hour < ${new Date(toMs)}
    ${provider === undefined ? sql`` : sql`and provider = ${provider}`}
    order by hour, provider`.execute(db);
  return result.rows.map((r) => {
    const counts = (typeof r.latency_counts === 'string' ? JSON.parse(r.latency_counts) : r.latency_counts) as number[];
    const hour = emptyHour(new Date(r.hour).getTime(), r.provider === 'graph' ? 'graph' : 'ews');
    return {
      ...hour,
      requests: Number(r.requests),
      throttled: Number(r.throttled),
      errors: Number(r.errors),
      latencyMsTotal: Number(r.latency_ms_total),
      latencyMsMax: Number(r.latency_ms_max),
      latencyCounts: hour.latencyCounts.map((_, i) => Number(counts[i] ?? 0)),
    };
  });
}

export type RequestHoursFlush = {
  /** Saves what is in memory now; what fails to save is kept for the next flush. */
  flush(): Promise<void>;
  /** Stops the timer and flushes one last time. */
  stop(): Promise<void>;
};

/** Flushes the process's hours every intervalMs (a minute by default) until stopped. */
export function startRequestHoursFlush(options: {
  hours: ExchangeRequestHours;
  db: Kysely<any>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): RequestHoursFlush {
  let running: Promise<void> = Promise.resolve();
  const flushOnce = async (): Promise<void> => {
    const pending = options.hours.drain();
    if (pending.length === 0) return;
    let saved = 0;
    try {
      for (const h of pending) {
        await saveRequestHour(options.db, h);
        saved++;
      }
    } catch (error) {
      options.hours.restore(pending.slice(saved));
      options.onError?.(error);
    }
  };
  const flush = (): Promise<void> => {
    running = running.then(flushOnce, flushOnce);
    return running;
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? 60_000);
  timer.unref();
  return {
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
