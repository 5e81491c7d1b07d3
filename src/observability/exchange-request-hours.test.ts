import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../clock.ts';
import { addHour, emptyHour, ExchangeRequestHours, HOUR_MS, latencyBoundsMs, latencyQuantileMs, latencySlot } from './exchange-request-hours.ts';
import { exchangeRequestMetrics, observeAll, operationLabel } from './exchange-requests.ts';
import { createMetrics } from './metrics.ts';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

describe('ExchangeRequestHours', () => {
  it('adds requests into the UTC hour and provider they happened in', () => {
    const clock = fixedClock(T0 + 5 * 60_000);
    const hours = new ExchangeRequestHours(clock);
    hours.observe({ provider: 'ews', operation: 'FindItem', outcome: 'ok', latencyMs: 40, throttled: 0 });
    hours.observe({ provider: 'ews', operation: 'FindItem', outcome: 'throttled', latencyMs: 300, throttled: 1 });
    hours.observe({ provider: 'graph', operation: 'POST $batch', outcome: 'throttled', latencyMs: 120, throttled: 3 });
    clock.set(T0 + HOUR_MS + 1);
    hours.observe({ provider: 'ews', operation: 'GetItem', outcome: 'error', latencyMs: 45_000, throttled: 0 });
    const drained = hours.drain();
    assert.deepEqual(drained.map((h) => [h.hourStart - T0, h.provider, h.requests, h.throttled, h.errors, h.latencyMsTotal, h.latencyMsMax]), [
      [0, 'ews', 2, 1, 0, 340, 300],
      [0, 'graph', 1, 3, 0, 120, 120],
      [HOUR_MS, 'ews', 1, 0, 1, 45_000, 45_000],
    ]);
    assert.deepEqual(drained[0]!.latencyCounts, [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert.equal(drained[2]!.latencyCounts[latencyBoundsMs.length], 1, 'beyond the last bound');
    assert.deepEqual(hours.drain(), [], 'drained hours are gone');
  });

  it('keeps hours put back after a failed save, adding what came meanwhile', () => {
    const clock = fixedClock(T0);
    const hours = new ExchangeRequestHours(clock);
    hours.observe({ provider: 'ews', operation: 'FindItem', outcome: 'ok', latencyMs: 10, throttled: 0 });
    const failed = hours.drain();
    hours.observe({ provider: 'ews', operation: 'FindItem', outcome: 'ok', latencyMs: 700, throttled: 0 });
    hours.restore(failed);
    const [h] = hours.drain();
    assert.equal(h!.requests, 2);
    assert.equal(h!.latencyMsTotal, 710);
    assert.equal(h!.latencyMsMax, 700);
  });
});

describe('latency quantiles from the counts', () => {
  it('answers the upper bound of the count holding the quantile, never above the maximum seen', () => {
    const h = emptyHour(T0, 'ews');
    // 90 requests within 50 ms, 9 within 500 ms, 1 of 12 s.
    h.latencyCounts[latencySlot(20)] = 90;
    h.latencyCounts[latencySlot(400)] = 9;
    h.latencyCounts[latencySlot(12_000)] = 1;
    h.latencyMsMax = 12_000;
    assert.equal(latencyQuantileMs(h, 0.5), 50);
    assert.equal(latencyQuantileMs(h, 0.95), 500);
    assert.equal(latencyQuantileMs(h, 1), 12_000, 'within the 30 s bound but capped by the maximum');
    assert.equal(latencyQuantileMs(emptyHour(T0, 'ews'), 0.5), null);
  });

  it('sums hours of two providers count by count', () => {
    const a = { ...emptyHour(T0, 'ews'), requests: 2, latencyMsMax: 80, latencyCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] };
    const b = { ...emptyHour(T0, 'graph'), requests: 1, latencyMsMax: 40_000, latencyCounts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1] };
    const sum = addHour(a, b);
    assert.equal(sum.requests, 3);
    assert.equal(sum.latencyMsMax, 40_000);
    assert.deepEqual(sum.latencyCounts, [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(latencyQuantileMs(sum, 0.95), 40_000);
  });
});

describe('exchange request metrics', () => {
  it('records seconds per provider, operation and outcome, and throttling answers per provider', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const observer = observeAll({ observe: () => { throw new Error('a broken observer'); } }, exchangeRequestMetrics(metrics));
    observer.observe({ provider: 'graph', operation: 'POST $batch', outcome: 'throttled', latencyMs: 250, throttled: 2 });
    observer.observe({ provider: 'ews', operation: 'FindItem', outcome: 'ok', latencyMs: 1500, throttled: 0 });
    const text = await metrics.registry.metrics();
    assert.match(text, /dovetail_exchange_throttled_total\{provider="graph"\} 2/);
    assert.doesNotMatch(text, /dovetail_exchange_throttled_total\{provider="ews"\}/);
    assert.match(text, /dovetail_exchange_request_seconds_sum\{provider="ews",operation="FindItem",outcome="ok"\} 1\.5/);
    assert.match(text, /dovetail_exchange_request_seconds_count\{provider="graph",operation="POST \$batch",outcome="throttled"\} 1/);
  });

  it('keeps addresses and ids out of operation labels', () => {
    assert.equal(operationLabel('GetItem'), 'GetItem');
    assert.equal(operationLabel('GET mailFolders/inbox/messages/delta'), 'GET mailFolders/inbox/messages/delta');
    assert.equal(operationLabel('alice@contoso.com'), 'other');
    assert.equal(operationLabel(undefined), 'other');
  });
});
