import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyHour, HOUR_MS } from './exchange-request-hours.ts';
import { buildTimeseries, statsWindow } from './stats-timeseries.ts';

const H = 493_000; // an hour number (hours since the epoch)

describe('stats timeseries', () => {
  it('windows whole UTC hours ending with the current one', () => {
    const w = statsWindow(H * HOUR_MS + 59 * 60_000, 3);
    assert.deepEqual([w.fromMs / HOUR_MS, w.toMs / HOUR_MS], [H - 2, H + 1]);
  });

  it('fills every hour, zero where nothing happened, and ignores counts outside the window', () => {
    const w = { fromMs: (H - 2) * HOUR_MS, toMs: (H + 1) * HOUR_MS };
    const ts = buildTimeseries(w, {
      tracked: [{ hour: H - 2, count: 4 }, { hour: H, count: 1 }, { hour: H + 1, count: 99 }, { hour: H - 3, count: 99 }],
      sent: [{ hour: H - 1, count: 2 }],
      failedRuns: [],
      failedItems: [{ hour: H, count: 5 }],
      requests: [],
    }, 'organization');
    assert.deepEqual(ts.buckets.map((b) => [b.emailsTracked, b.emailsSent, b.failedRuns, b.failedItems]), [[4, 0, 0, 0], [0, 2, 0, 0], [1, 0, 0, 5]]);
    assert.deepEqual(ts.buckets.map((b) => [b.exchangeRequests, b.throttledRequests, b.latencyMeanMs]), [[0, 0, null], [0, 0, null], [0, 0, null]]);
    assert.equal(ts.buckets[0]!.start, new Date((H - 2) * HOUR_MS).toISOString());
  });

  it('sums providers per hour into mean, max and bucket percentiles', () => {
    const w = { fromMs: H * HOUR_MS, toMs: (H + 1) * HOUR_MS };
    const ews = { ...emptyHour(H * HOUR_MS, 'ews'), requests: 3, throttled: 1, errors: 1, latencyMsTotal: 330, latencyMsMax: 200, latencyCounts: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] };
    const graph = { ...emptyHour(H * HOUR_MS, 'graph'), requests: 1, throttled: 2, latencyMsTotal: 7_000, latencyMsMax: 7_000, latencyCounts: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0] };
    const [b] = buildTimeseries(w, { tracked: [], sent: [], failedRuns: [], failedItems: [], requests: [ews, graph] }, 'organization').buckets;
    assert.deepEqual(
      [b!.exchangeRequests, b!.throttledRequests, b!.exchangeErrors, b!.latencyMeanMs, b!.latencyMaxMs, b!.latencyP50Ms, b!.latencyP95Ms],
      [4, 3, 1, 1832.5, 7_000, 100, 7_000],
    );
  });

  it('says null, not zero, when requests were not recorded', () => {
    const w = { fromMs: H * HOUR_MS, toMs: (H + 2) * HOUR_MS };
    const ts = buildTimeseries(w, { tracked: [], sent: [], failedRuns: [], failedItems: [], requests: null }, 'own-mailboxes');
    assert.equal(ts.exchangeRecorded, false);
    assert.ok(ts.buckets.every((b) => b.exchangeRequests === null && b.throttledRequests === null && b.latencyP95Ms === null));
  });
});
