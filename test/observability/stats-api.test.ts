/**
 * GET /api/stats/timeseries over a real store: email activities and run records written as the
 * sync engine writes them, and Exchange request hours flushed by two workers into the same rows.
 * Runs on PGlite, and on PostgreSQL when the suite has one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { fixedClock } from '../../src/clock.ts';
import { ExchangeRequestHours, HOUR_MS, saveRequestHours, startRequestHoursFlush } from '../../src/observability/exchange-request-hours.ts';
import { bearer, openApiHarness, type ApiHarness } from '../foundation/api-harness.ts';
import { TEST_EPOCH } from '../foundation/test-store.ts';
import { postgresSkip } from '../support/env.ts';

const HOUR0 = Math.floor(TEST_EPOCH / HOUR_MS) * HOUR_MS;
const at = (hour: number, minute = 10) => new Date(HOUR0 + hour * HOUR_MS + minute * 60_000);

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`GET /api/stats/timeseries (${engine})`, { skip: engine === 'postgres' ? postgresSkip() : false }, () => {
    let h: ApiHarness;
    let db: Kysely<any>;
    let nancyMailbox = '';
    let ownerToken = '';

    before(async () => {
      h = await openApiHarness(engine);
      db = h.store.kysely as Kysely<any>;
      // The API's clock: 40 minutes into hour 2 of the test day.
      h.clock.set(HOUR0 + 2 * HOUR_MS + 40 * 60_000);
      const post = async (url: string, payload: object) => {
        const r = await h.api.inject({ method: 'POST', url, headers: bearer(h.adminToken), payload });
        assert.equal(r.statusCode, 201, r.body);
        return r.json();
      };
      const nancy = await post('/api/users', { fullName: 'Nancy Davolio', emailAddress: 'nancy@contoso.com' });
      const andrew = await post('/api/users', { fullName: 'Andrew Fuller', emailAddress: 'andrew@contoso.com' });
      nancyMailbox = nancy.mailboxId;
      ownerToken = (await post('/api/tokens', { name: 'nancy', role: 'mailbox-owner', userId: nancy.id })).token;

      let n = 0;
      const email = (mailboxId: string, direction: 'incoming' | 'outgoing', createdAt: Date, sentAt: Date | null) => ({
        id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
        mailbox_id: mailboxId, direction, status: direction === 'incoming' ? 'received' : sentAt === null ? 'pending-send' : 'sent',
        subject: `s${n}`, body_type: 'text', body: '', parties: '[]', sent_at: sentAt, received_at: direction === 'incoming' ? createdAt : null,
        created_at: createdAt, updated_at: createdAt,
      });
      await db.insertInto('email_activities').values([
        // Hour 0: two tracked for Nancy, one for Andrew; hour 2: one tracked for Nancy.
        email(nancyMailbox, 'incoming', at(0, 5), at(0, 1)),
        email(nancyMailbox, 'incoming', at(0, 50), at(0, 40)),
        email(andrew.mailboxId, 'incoming', at(0, 20), at(0, 19)),
        email(nancyMailbox, 'incoming', at(2, 1), null),
        // Sent: created in hour 0, sent in hour 1; one still pending; one sent the day before (outside the window).
        email(nancyMailbox, 'outgoing', at(0, 30), at(1, 2)),
        email(andrew.mailboxId, 'outgoing', at(1, 0), null),
        email(andrew.mailboxId, 'outgoing', at(-30), at(-30)),
      ]).execute();
      let r = 0;
      const run = (mailboxId: string, finishedAt: Date, outcome: string, failed: number) => ({
        id: `10000000-0000-4000-8000-${String(++r).padStart(12, '0')}`, mailbox_id: mailboxId, profile_id: null, pipeline: 'incoming', worker: 'w1', lease_epoch: 1,
        started_at: new Date(finishedAt.getTime() - 1000), finished_at: finishedAt, outcome, items_processed: 3, items_failed: failed, error_code: outcome === 'error' ? 'ews_throttled' : null, error_message: null,
      });
      await db.insertInto('sync_runs').values([
        run(nancyMailbox, at(1, 5), 'error', 0),
        run(andrew.mailboxId, at(1, 6), 'disabled', 0),
        run(andrew.mailboxId, at(1, 7), 'items', 2),
        run(nancyMailbox, at(2, 7), 'items', 1),
        run(nancyMailbox, at(2, 8), 'idle', 0),
      ]).execute();

      // Two workers measure requests in hour 1 and flush into the same row; one also in hour 2.
      const clockA = fixedClock(at(1).getTime());
      const workerA = new ExchangeRequestHours(clockA);
      workerA.observe({ provider: 'ews', operation: 'SyncFolderItems', outcome: 'ok', latencyMs: 40, throttled: 0 });
      workerA.observe({ provider: 'ews', operation: 'SyncFolderItems', outcome: 'throttled', latencyMs: 300, throttled: 1 });
      workerA.observe({ provider: 'graph', operation: 'POST $batch', outcome: 'throttled', latencyMs: 200, throttled: 2 });
      clockA.set(at(2).getTime());
      workerA.observe({ provider: 'graph', operation: 'GET messages/delta', outcome: 'error', latencyMs: 12_000, throttled: 0 });
      const workerB = new ExchangeRequestHours(fixedClock(at(1, 30).getTime()));
      workerB.observe({ provider: 'ews', operation: 'GetItem', outcome: 'ok', latencyMs: 90, throttled: 0 });
      workerB.observe({ provider: 'ews', operation: 'GetItem', outcome: 'ok', latencyMs: 60, throttled: 0 });
      const flushA = startRequestHoursFlush({ hours: workerA, db, intervalMs: 3_600_000 });
      await Promise.all([flushA.stop(), saveRequestHours(db, workerB.drain())]);
    });
    after(() => h?.close());

    const get = async (url: string, token = h.adminToken) => {
      const r = await h.api.inject({ method: 'GET', url, headers: bearer(token) });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };

    it('answers one bucket per hour, ending with the current one', async () => {
      const ts = await get('/api/stats/timeseries?hours=3');
      assert.equal(ts.from, at(0, 0).toISOString());
      assert.equal(ts.to, at(3, 0).toISOString());
      assert.equal(ts.bucketSeconds, 3600);
      assert.equal(ts.scope, 'organization');
      assert.equal(ts.exchangeRecorded, true);
      assert.deepEqual(ts.buckets.map((b: { start: string }) => b.start), [at(0, 0), at(1, 0), at(2, 0)].map((d) => d.toISOString()));
      assert.equal((await get('/api/stats/timeseries')).buckets.length, 24);
    });

    it('counts email tracked and sent, failed runs and failed items per hour', async () => {
      const ts = await get('/api/stats/timeseries?hours=3');
      const pick = (k: string) => ts.buckets.map((b: Record<string, number>) => b[k]);
      assert.deepEqual(pick('emailsTracked'), [3, 0, 1]);
      assert.deepEqual(pick('emailsSent'), [0, 1, 0]);
      assert.deepEqual(pick('failedRuns'), [0, 2, 0]);
      assert.deepEqual(pick('failedItems'), [0, 2, 1]);
    });

    it('sums the Exchange requests both workers measured: throttling, errors and latency', async () => {
      const ts = await get('/api/stats/timeseries?hours=3');
      const [h0, h1, h2] = ts.buckets;
      assert.deepEqual([h0.exchangeRequests, h0.throttledRequests, h0.latencyMeanMs, h0.latencyP95Ms], [0, 0, null, null]);
      assert.equal(h1.exchangeRequests, 5);
      assert.equal(h1.throttledRequests, 3);
      assert.equal(h1.exchangeErrors, 0);
      assert.equal(h1.latencyMeanMs, 138);
      assert.equal(h1.latencyMaxMs, 300);
      assert.equal(h1.latencyP50Ms, 100, '40, 60, 90 | 200 | 300: the median is within the 100 ms bound');
      assert.equal(h1.latencyP95Ms, 300, 'within the 500 ms bound, capped by the maximum');
      assert.deepEqual([h2.exchangeRequests, h2.exchangeErrors, h2.latencyMaxMs], [1, 1, 12_000]);
    });

    it('filters the requests by provider', async () => {
      const ts = await get('/api/stats/timeseries?hours=3&provider=graph');
      assert.deepEqual(ts.buckets.map((b: { throttledRequests: number }) => b.throttledRequests), [0, 2, 0]);
      assert.deepEqual(ts.buckets.map((b: { emailsTracked: number }) => b.emailsTracked), [3, 0, 1], 'email is not per provider');
    });

    it('adds a later flush into the same hour instead of replacing it', async () => {
      const late = new ExchangeRequestHours(fixedClock(at(1, 59).getTime()));
      late.observe({ provider: 'ews', operation: 'FindItem', outcome: 'throttled', latencyMs: 31_000, throttled: 1 });
      await saveRequestHours(db, late.drain());
      const h1 = (await get('/api/stats/timeseries?hours=3')).buckets[1];
      assert.deepEqual([h1.exchangeRequests, h1.throttledRequests, h1.latencyMaxMs, h1.latencyP95Ms], [6, 4, 31_000, 31_000]);
    });

    it('shows a mailbox owner its own mailbox only, and no organization-wide request totals', async () => {
      const ts = await get('/api/stats/timeseries?hours=3', ownerToken);
      assert.equal(ts.scope, 'own-mailboxes');
      assert.equal(ts.exchangeRecorded, false);
      assert.deepEqual(ts.buckets.map((b: { emailsTracked: number }) => b.emailsTracked), [2, 0, 1]);
      assert.deepEqual(ts.buckets.map((b: { failedRuns: number }) => b.failedRuns), [0, 1, 0]);
      assert.ok(ts.buckets.every((b: { exchangeRequests: unknown; latencyMeanMs: unknown }) => b.exchangeRequests === null && b.latencyMeanMs === null));
    });

    it('refuses a window beyond 31 days and an unknown provider', async () => {
      for (const url of ['/api/stats/timeseries?hours=745', '/api/stats/timeseries?hours=0', '/api/stats/timeseries?provider=imap']) {
        const r = await h.api.inject({ method: 'GET', url, headers: bearer(h.adminToken) });
        assert.equal(r.statusCode, 400, url);
      }
    });

    it('documents the route in OpenAPI', async () => {
      const doc = await get('/openapi.json');
      assert.ok(doc.paths['/api/stats/timeseries']?.get, 'the route is in the document');
    });
  });
}
