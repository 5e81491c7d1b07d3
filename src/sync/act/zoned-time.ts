/**
 * Wall time in an IANA zone <-> UTC instants, with Intl only. Exchange speaks wall time plus a zone
 * (EWS StartTimeZone / Graph dateTimeTimeZone); the CRM stores instants and remembers the zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** "YYYY-MM-DDTHH:MM:SS" wall time of an instant in a zone. */
export function utcToWallTime(utcMs: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(safeZone(timeZone)).formatToParts(new Date(utcMs))) parts[p.type] = p.value;
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

/** The instant a wall time in a zone names; in a DST gap the later reading, like Exchange. */
export function wallTimeToUtc(wallTime: string, timeZone: string): number {
  const asUtc = Date.parse(`${wallTime.slice(0, 19)}Z`);
  if (Number.isNaN(asUtc)) throw new RangeError(`not a wall time: ${wallTime}`);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const shown = Date.parse(`${utcToWallTime(guess, timeZone)}Z`);
    const diff = shown - asUtc;
    if (diff === 0) return guess;
    guess -= diff;
  }
  return guess;
}

/** Exchange may name UTC as "UTC", "tzone://Microsoft/Utc" or a Windows name Intl does not know. */
export function safeZone(timeZone: string): string {
  try {
    formatter(timeZone === '' ? 'UTC' : timeZone);
    return timeZone === '' ? 'UTC' : timeZone;
  } catch {
    return 'UTC';
  }
}
