import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../../errors.ts';
import { ianaFromWindows, instantOf, isoUtc, wallTime, windowsFromIana } from './time-zones.ts';

describe('time zones between Exchange (Windows ids, UTC instants) and Dovetail (IANA, wall time)', () => {
  it('maps Windows ids and IANA names both ways, UTC for the unknown', () => {
    assert.equal(windowsFromIana('Europe/Berlin'), 'W. Europe Standard Time');
    assert.equal(windowsFromIana('Europe/Amsterdam'), 'W. Europe Standard Time');
    assert.equal(ianaFromWindows('W. Europe Standard Time'), 'Europe/Berlin');
    assert.equal(ianaFromWindows('Pacific Standard Time'), 'America/Los_Angeles');
    assert.equal(ianaFromWindows('Nowhere Standard Time'), 'UTC');
    assert.equal(windowsFromIana('Antarctica/Troll'), undefined);
  });

  it('converts wall time to the instant on either side of a DST change', () => {
    assert.equal(isoUtc(instantOf('2026-03-28T09:00:00', 'Europe/Berlin')), '2026-03-28T08:00:00Z');
    assert.equal(isoUtc(instantOf('2026-03-30T09:00:00', 'Europe/Berlin')), '2026-03-30T07:00:00Z');
    assert.equal(isoUtc(instantOf('2026-11-01T09:00:00', 'America/New_York')), '2026-11-01T14:00:00Z');
    assert.equal(isoUtc(instantOf('2026-10-31T09:00:00', 'America/New_York')), '2026-10-31T13:00:00Z');
  });

  it('round-trips wall time through the instant', () => {
    for (const [wall, zone] of [['2026-07-01T09:00:00', 'Europe/Berlin'], ['2026-01-15T23:30:00', 'Asia/Kolkata'], ['2026-12-31T00:00:00', 'Pacific/Auckland']] as const) {
      assert.equal(wallTime(instantOf(wall, zone), zone), wall);
    }
  });

  it('rejects an unknown zone or a malformed wall time as invalid input', () => {
    assert.throws(() => wallTime(0, 'Mars/Olympus'), (e: unknown) => e instanceof AppError && e.kind === 'invalid-input');
    assert.throws(() => instantOf('next tuesday', 'UTC'), (e: unknown) => e instanceof AppError && e.code === 'invalid_date_time');
  });
});
