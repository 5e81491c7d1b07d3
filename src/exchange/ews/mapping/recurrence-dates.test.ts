import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recurrenceDates } from './recurrence-dates.ts';

describe('lab recurrence expansion', () => {
  it('weekly on two days every other week, counted from a start mid-week', () => {
    // 2026-01-07 is a Wednesday; the week of the start counts, its Monday is before the start.
    const dates = recurrenceDates({ pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'sunday' }, range: { type: 'numbered', startDate: '2026-01-07', numberOfOccurrences: 4 } }, '2027-01-01');
    assert.deepEqual(dates, ['2026-01-07', '2026-01-19', '2026-01-21', '2026-02-02']);
  });

  it('daily up to an end date, and no further than asked', () => {
    const r = { pattern: { type: 'daily', interval: 3 }, range: { type: 'endDate', startDate: '2026-03-01', endDate: '2026-03-10' } };
    assert.deepEqual(recurrenceDates(r, '2027-01-01'), ['2026-03-01', '2026-03-04', '2026-03-07', '2026-03-10']);
    assert.deepEqual(recurrenceDates(r, '2026-03-05'), ['2026-03-01', '2026-03-04']);
  });

  it('the last Friday of every month, and the 31st only in months that have one', () => {
    assert.deepEqual(recurrenceDates({ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, range: { type: 'noEnd', startDate: '2026-01-01' } }, '2026-03-31'), ['2026-01-30', '2026-02-27', '2026-03-27']);
    assert.deepEqual(recurrenceDates({ pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'numbered', startDate: '2026-01-31', numberOfOccurrences: 3 } }, '2027-01-01'), ['2026-01-31', '2026-03-31', '2026-05-31']);
  });

  it('yearly on February 29th, and the second Tuesday of November', () => {
    assert.deepEqual(recurrenceDates({ pattern: { type: 'absoluteYearly', interval: 1, dayOfMonth: 29, month: 2 }, range: { type: 'numbered', startDate: '2024-02-29', numberOfOccurrences: 2 } }, '2040-01-01'), ['2024-02-29', '2028-02-29']);
    assert.deepEqual(recurrenceDates({ pattern: { type: 'relativeYearly', interval: 1, daysOfWeek: ['tuesday'], index: 'second', month: 11 }, range: { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 2 } }, '2030-01-01'), ['2026-11-10', '2027-11-09']);
  });
});
