import { AppError } from '../../../errors.ts';

/**
 * Exchange names time zones by Windows id (StartTimeZone Id="W. Europe Standard Time"); Dovetail by
 * IANA name. The pairs follow the Unicode CLDR windowsZones mapping for the zones our customers use;
 * the first IANA name of each Windows id is the one read back.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/time-zones-and-ews-in-exchange
 */
const windowsToIana: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['UTC', ['UTC', 'Etc/UTC', 'Etc/GMT']],
  ['GMT Standard Time', ['Europe/London', 'Europe/Dublin', 'Europe/Lisbon']],
  ['W. Europe Standard Time', ['Europe/Berlin', 'Europe/Amsterdam', 'Europe/Rome', 'Europe/Stockholm', 'Europe/Vienna', 'Europe/Zurich', 'Europe/Oslo', 'Europe/Luxembourg']],
  ['Romance Standard Time', ['Europe/Paris', 'Europe/Brussels', 'Europe/Madrid', 'Europe/Copenhagen']],
  ['Central Europe Standard Time', ['Europe/Budapest', 'Europe/Prague', 'Europe/Belgrade', 'Europe/Bratislava', 'Europe/Ljubljana']],
  ['Central European Standard Time', ['Europe/Warsaw', 'Europe/Zagreb', 'Europe/Sarajevo', 'Europe/Skopje']],
  ['GTB Standard Time', ['Europe/Bucharest', 'Europe/Athens']],
  ['FLE Standard Time', ['Europe/Kiev', 'Europe/Kyiv', 'Europe/Helsinki', 'Europe/Riga', 'Europe/Sofia', 'Europe/Tallinn', 'Europe/Vilnius']],
  ['Russian Standard Time', ['Europe/Moscow']],
  ['Turkey Standard Time', ['Europe/Istanbul']],
  ['Israel Standard Time', ['Asia/Jerusalem']],
  ['South Africa Standard Time', ['Africa/Johannesburg']],
  ['Arabian Standard Time', ['Asia/Dubai']],
  ['India Standard Time', ['Asia/Kolkata', 'Asia/Calcutta']],
  ['China Standard Time', ['Asia/Shanghai', 'Asia/Hong_Kong']],
  ['Singapore Standard Time', ['Asia/Singapore', 'Asia/Kuala_Lumpur']],
  ['Tokyo Standard Time', ['Asia/Tokyo']],
  ['Korea Standard Time', ['Asia/Seoul']],
  ['AUS Eastern Standard Time', ['Australia/Sydney', 'Australia/Melbourne']],
  ['E. Australia Standard Time', ['Australia/Brisbane']],
  ['W. Australia Standard Time', ['Australia/Perth']],
  ['New Zealand Standard Time', ['Pacific/Auckland']],
  ['Eastern Standard Time', ['America/New_York', 'America/Toronto', 'America/Detroit']],
  ['Central Standard Time', ['America/Chicago', 'America/Winnipeg']],
  ['Mountain Standard Time', ['America/Denver', 'America/Edmonton']],
  ['US Mountain Standard Time', ['America/Phoenix']],
  ['Pacific Standard Time', ['America/Los_Angeles', 'America/Vancouver']],
  ['Alaskan Standard Time', ['America/Anchorage']],
  ['Hawaiian Standard Time', ['Pacific/Honolulu']],
  ['Atlantic Standard Time', ['America/Halifax']],
  ['Canada Central Standard Time', ['America/Regina']],
  ['Central Standard Time (Mexico)', ['America/Mexico_City']],
  ['SA Pacific Standard Time', ['America/Bogota', 'America/Lima']],
  ['E. South America Standard Time', ['America/Sao_Paulo']],
  ['Argentina Standard Time', ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires']],
];

const toIana = new Map(windowsToIana.map(([w, ianas]) => [w, ianas[0]!]));
const toWindows = new Map(windowsToIana.flatMap(([w, ianas]) => ianas.map((i) => [i, w] as const)));

export function ianaFromWindows(windowsId: string | undefined): string {
  return (windowsId === undefined ? undefined : toIana.get(windowsId)) ?? 'UTC';
}

/** The Windows id for an IANA zone, or undefined when we have no mapping (the item is then written in UTC). */
export function windowsFromIana(iana: string): string | undefined {
  return toWindows.get(iana);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    } catch {
      throw new AppError('unknown_time_zone', `Unknown time zone '${zone}'`, { kind: 'invalid-input' });
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Wall time (YYYY-MM-DDTHH:mm:ss) of an instant in a zone. */
export function wallTime(instantMs: number, zone: string): string {
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(instantMs))) p[part.type] = part.value;
  return `${p['year']}-${p['month']}-${p['day']}T${p['hour']}:${p['minute']}:${p['second']}`;
}

function parseWall(wall: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(wall);
  if (!m) throw new AppError('invalid_date_time', `'${wall}' is not a local date-time (YYYY-MM-DDTHH:mm:ss)`, { kind: 'invalid-input' });
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

/** The instant a wall time in a zone denotes (the later one in a DST overlap, the shifted one in a gap). */
export function instantOf(wall: string, zone: string): number {
  const asUtc = parseWall(wall);
  let t = asUtc;
  for (let i = 0; i < 3; i++) {
    const offset = parseWall(wallTime(t, zone)) - t;
    const next = asUtc - offset;
    if (next === t) break;
    t = next;
  }
  return t;
}

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
