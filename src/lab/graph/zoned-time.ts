/**
 * Wall time in an IANA zone <-> instants, with Intl (no tz database of our own). Graph writes
 * dateTime as local wall time with seven fractional digits, e.g. "2017-04-15T12:00:00.0000000".
 * The lab understands IANA zone names and "UTC"; Windows zone names, which Exchange Online also
 * accepts, are not translated (a documented lab difference).
 */
export function zonedToUtcMs(dateTime: string, timeZone: string): number {
  const asUtc = Date.parse(`${dateTime.slice(0, 19)}Z`);
  if (Number.isNaN(asUtc)) throw new RangeError(`Invalid dateTime ${dateTime}`);
  if (isUtc(timeZone)) return asUtc;
  const first = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(first, timeZone);
}

export function utcMsToZoned(ms: number, timeZone: string): string {
  const shifted = isUtc(timeZone) ? ms : ms + offsetMs(ms, timeZone);
  return `${new Date(shifted).toISOString().slice(0, 19)}.0000000`;
}

function isUtc(timeZone: string): boolean {
  return /^(utc|etc\/utc|gmt|z)$/i.test(timeZone);
}

function offsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(utcMs);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}
