/**
 * A worker's Exchange telemetry: metrics at once, hourly totals in the database on flush; a flush
 * that fails keeps its totals for the next one and never counts a request twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { HOUR_MS, readRequestHours } from '../../src/observability/exchange-request-hours.ts';
import { startExchangeTelemetry } from '../../src/observability/exchange-telemetry.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openTestStore, type TestStore } from '../foundation/test-store.ts';

describe('Exchange telemetry of a worker', () => {
  let t: TestStore;
  let db: Kysely<any>;
  before(async () => {
    t = await openTestStore('pglite');
    db = t.store.kysely as Kysely<any>;
  });
  after(() => t?.dispose());

  it('keeps totals a failed flush could not save, and saves them once when the database is back', async () => {
    // The request hours table is missing, as in a database the migration has not reached: saving fails.
    await sql`drop table if exists exchange_request_hours`.execute(db);
    const metrics = createMetrics({ defaultMetrics: false });
    const errors: unknown[] = [];
    const telemetry = startExchangeTelemetry({ metrics, clock: t.clock, db, flushIntervalMs: 3_600_000, onFlushError: (e) => void errors.push(e) });
    telemetry.requests.observe({ provider: 'ews', operation: 'GetItem', outcome: 'throttled', latencyMs: 700, throttled: 1 });
    telemetry.requests.observe({ provider: 'ews', operation: 'GetItem', outcome: 'ok', latencyMs: 30, throttled: 0 });
    assert.match(await metrics.registry.metrics(), /dovetail_exchange_throttled_total\{provider="ews"\} 1/);
    await telemetry.stop();
    assert.equal(errors.length, 1);

    await sql`create table exchange_request_hours (hour timestamptz not null, provider text not null, requests integer not null, throttled integer not null,
      errors integer not null, latency_ms_total double precision not null, latency_ms_max double precision not null, latency_counts integer[] not null,
      primary key (hour, provider))`.execute(db);
    telemetry.requests.observe({ provider: 'ews', operation: 'GetItem', outcome: 'ok', latencyMs: 20, throttled: 0 });
    await telemetry.stop();
    await telemetry.stop();
    const hour = Math.floor(t.clock.now() / HOUR_MS) * HOUR_MS;
    const rows = await readRequestHours(db, hour, hour + HOUR_MS);
    assert.deepEqual(rows.map((r) => [r.provider, r.requests, r.throttled, r.latencyMsTotal, r.latencyMsMax]), [['ews', 3, 1, 750, 700]]);
    assert.equal(errors.length, 1);
  });
});
