/**
 * What a mailbox's calendar holds in a time range, for double-booking checks: GET calendarView,
 * which expands recurring series into occurrences, times in UTC.
 * @see https://learn.microsoft.com/graph/api/user-list-calendarview
 */
import type { CalendarBooking, RemoteItemId } from '../../driver.ts';
import type { GraphClient } from '../client.ts';
import { obj, seg, str, type Json } from './graph-json.ts';

/** At most this many bookings are read for one range; a double-booking check needs far fewer. */
const maxBookings = 200;
const showAsValues: Record<string, CalendarBooking['showAs']> = {
  free: 'free', tentative: 'tentative', busy: 'busy', oof: 'oof', workingElsewhere: 'working-elsewhere', unknown: 'unknown',
};

export async function findCalendarBookings(client: GraphClient, mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]> {
  const r = await client.request({
    method: 'GET',
    mailbox,
    path: `/users/${seg(mailbox)}/calendarView`,
    query: { startDateTime: start.toISOString(), endDateTime: end.toISOString(), $select: 'subject,start,end,showAs,isCancelled', $top: String(maxBookings) },
    headers: { prefer: 'outlook.timezone="UTC"' },
  });
  const value = (obj(r.body)['value'] as Json[] | undefined) ?? [];
  return value.flatMap((e) => {
    const id = str(e['id']);
    const s = obj(e['start']);
    const t = obj(e['end']);
    if (id === undefined || str(s['dateTime']) === undefined || str(t['dateTime']) === undefined) return [];
    // dateTime without an offset, in the zone asked for (UTC).
    const utc = (v: string) => new Date(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    return [{
      id: id as RemoteItemId,
      subject: str(e['subject']) ?? '',
      start: utc(str(s['dateTime'])!),
      end: utc(str(t['dateTime'])!),
      showAs: showAsValues[str(e['showAs']) ?? 'busy'] ?? 'busy',
      cancelled: e['isCancelled'] === true,
    }];
  });
}
