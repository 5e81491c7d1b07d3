/**
 * What a mailbox's calendar holds in a time range, for double-booking checks: FindItem with a
 * CalendarView on the Calendar folder, which expands recurring series into their occurrences.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-get-appointments-and-meetings-by-using-ews-in-exchange
 */
import type { CalendarBooking, RemoteItemId } from '../driver.ts';
import type { EwsClient } from './client.ts';
import { FindItem } from './operations/find-item.ts';
import { calendarItemFieldIndex } from './schema/calendar-item.ts';
import type { Field } from './schema/codec.ts';

const bookingFields = ['Subject', 'Start', 'End', 'LegacyFreeBusyStatus', 'IsCancelled'].map((n) => calendarItemFieldIndex.get(n)!) as readonly Field[];
const showAs = { Free: 'free', Tentative: 'tentative', Busy: 'busy', OOF: 'oof', WorkingElsewhere: 'working-elsewhere', NoData: 'unknown' } as const;

/** At most this many bookings are read for one range; a double-booking check needs far fewer. */
export const maxBookings = 200;

export async function findCalendarBookings(client: EwsClient, mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]> {
  const r = await client.call(
    FindItem,
    { parents: [{ distinguished: 'calendar' }], shape: { baseShape: 'IdOnly', fields: bookingFields }, calendarView: { start: start.toISOString(), end: end.toISOString(), maxEntries: maxBookings } },
    { mailbox },
  );
  return r.items.flatMap((i) => {
    if (i.type !== 'CalendarItem' || !i.record.ItemId || !i.record.Start || !i.record.End) return [];
    const status = i.record.LegacyFreeBusyStatus;
    return [{
      id: i.record.ItemId.Id as RemoteItemId,
      subject: i.record.Subject ?? '',
      start: new Date(i.record.Start),
      end: new Date(i.record.End),
      showAs: status === undefined ? 'busy' : showAs[status],
      cancelled: i.record.IsCancelled === true,
    }];
  });
}
