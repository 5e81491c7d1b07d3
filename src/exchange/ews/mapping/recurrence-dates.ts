/**
 * The dates of a Graph patterned recurrence, as Exchange expands a series: every pattern type
 * (daily, weekly, absolute and relative monthly and yearly) and range (end date, numbered, no end),
 * on dates of the series' own time zone.
 * @see https://learn.microsoft.com/graph/api/resources/patternedrecurrence
 */
export type GraphPattern = {
  type: string;
  interval?: number;
  daysOfWeek?: string[];
  firstDayOfWeek?: string;
  dayOfMonth?: number;
  month?: number;
  index?: string;
};
export type GraphRange = { type: string; startDate: string; endDate?: string; numberOfOccurrences?: number; recurrenceTimeZone?: string };
export type GraphRecurrence = { pattern: GraphPattern; range: GraphRange };

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEX = ['first', 'second', 'third', 'fourth'];
const DAY_MS = 86_400_000;

const ms = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
export const addDays = (date: string, n: number): string => iso(ms(date) + n * DAY_MS);
const weekday = (date: string): number => new Date(ms(date)).getUTCDay();

function monthDates(year: number, month: number): string[] {
  const out: string[] = [];
  for (let d = 1; d <= 31; d++) {
    const t = Date.UTC(year, month - 1, d);
    if (new Date(t).getUTCMonth() !== month - 1) break;
    out.push(iso(t));
  }
  return out;
}

/** The dates of one month a monthly or yearly pattern picks. */
function picks(p: GraphPattern, year: number, month: number): string[] {
  const days = monthDates(year, month);
  if (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') {
    const d = days[(p.dayOfMonth ?? 1) - 1];
    return d === undefined ? [] : [d];
  }
  const wanted = days.filter((d) => (p.daysOfWeek ?? []).includes(DAYS[weekday(d)]!));
  const index = p.index ?? 'first';
  const d = index === 'last' ? wanted.at(-1) : wanted[INDEX.indexOf(index)];
  return d === undefined ? [] : [d];
}

/** Dates of the series from its start up to `until` (inclusive; also the bound of a series with no end). */
export function recurrenceDates(r: GraphRecurrence, until: string): string[] {
  const p = r.pattern;
  const start = r.range.startDate;
  const last = r.range.type === 'endDate' && r.range.endDate !== undefined && r.range.endDate < until ? r.range.endDate : until;
  const max = r.range.type === 'numbered' ? Math.max(0, r.range.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
  const interval = Math.max(1, p.interval ?? 1);
  const out: string[] = [];
  const full = () => out.length >= max;
  const take = (d: string) => {
    if (d >= start && d <= last && !full()) out.push(d);
  };
  if (p.type === 'daily') {
    for (let d = start; d <= last && !full(); d = addDays(d, interval)) take(d);
  } else if (p.type === 'weekly') {
    const first = Math.max(0, DAYS.indexOf(p.firstDayOfWeek ?? 'sunday'));
    let week = addDays(start, -((weekday(start) - first + 7) % 7));
    for (; week <= last && !full(); week = addDays(week, 7 * interval)) {
      for (let k = 0; k < 7; k++) {
        const d = addDays(week, k);
        if ((p.daysOfWeek ?? []).includes(DAYS[weekday(d)]!)) take(d);
      }
    }
  } else if (p.type === 'absoluteMonthly' || p.type === 'relativeMonthly' || p.type === 'absoluteYearly' || p.type === 'relativeYearly') {
    const yearly = p.type.endsWith('Yearly');
    const s = new Date(ms(start));
    let year = s.getUTCFullYear();
    let month = yearly ? (p.month ?? s.getUTCMonth() + 1) : s.getUTCMonth() + 1;
    const step = yearly ? 12 * interval : interval;
    while (`${year}-${String(month).padStart(2, '0')}-01` <= last && !full()) {
      for (const d of picks(p, year, month)) take(d);
      month += step;
      year += Math.floor((month - 1) / 12);
      month = ((month - 1) % 12) + 1;
    }
  }
  return out;
}
