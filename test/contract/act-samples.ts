import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import type { ActData, ActItem, ActKind, AppointmentData, ContactData, TaskData, ZonedDateTime } from '../../src/exchange/driver.ts';
import { zonedToUtcMs } from '../../src/lab/graph/zoned-time.ts';

/**
 * One appointment, contact and task for the contract suite: the data to create, a change to make,
 * and what must read back. Appointment times are compared as instants, since a provider may answer
 * in another zone than the one written (Graph answers in the profile's zone).
 */
export type ActSample<K extends ActKind> = { data: () => ActData<K>; change: (d: ActData<K>) => ActData<K>; check: (item: ActItem<K>, expected: ActData<K>) => void };

export function actSamples(): { [K in ActKind]: ActSample<K> } {
  const tomorrow = (hour: number): ZonedDateTime => {
    const d = new Date(systemClock.now() + 86_400_000);
    return { dateTime: `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'Europe/Paris' };
  };
  return {
    appointment: {
      data: (): AppointmentData => ({
        subject: 'Contract meeting',
        body: { type: 'text', content: 'Agenda' },
        location: 'Room 1',
        start: tomorrow(10),
        end: tomorrow(11),
        isAllDay: false,
        attendees: [{ address: 'guest@external.test', name: 'Guest', type: 'required' }],
        showAs: 'busy',
        isCancelled: false,
        isReminderOn: true,
        reminderMinutesBeforeStart: 15,
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: tomorrow(0).dateTime.slice(0, 10), numberOfOccurrences: 5 }, timeZone: 'Europe/Paris' },
        categories: ['CRM'],
      }),
      change: (d) => ({ ...d, subject: 'Contract meeting (moved)', end: tomorrow(12) }),
      check: (item, expected) => {
        assert.equal(item.data.subject, expected.subject);
        assert.equal(instant(item.data.start), instant(expected.start));
        assert.equal(instant(item.data.end), instant(expected.end));
        assert.deepEqual(item.data.attendees.map((a) => a.address), expected.attendees.map((a) => a.address));
        assert.equal(item.data.recurrence?.pattern.type, 'weekly');
        assert.equal(item.data.recurrence?.range.type, 'numbered');
        assert.ok((item.data.iCalUid ?? '').length > 0);
      },
    },
    contact: {
      data: (): ContactData => ({
        givenName: 'Ada',
        surname: 'Lovelace',
        displayName: 'Ada Lovelace',
        emailAddresses: [{ address: 'ada@external.test', name: 'Ada Lovelace' }],
        businessPhones: ['+44 20 0000 0000'],
        homePhones: [],
        companyName: 'Analytical Engines',
        jobTitle: 'Mathematician',
        businessAddress: { city: 'London', countryOrRegion: 'United Kingdom' },
        categories: [],
      }),
      change: (d) => ({ ...d, jobTitle: 'Programmer' }),
      check: (item, expected) => {
        assert.equal(item.data.displayName, expected.displayName);
        assert.equal(item.data.jobTitle, expected.jobTitle);
        assert.deepEqual(item.data.emailAddresses.map((e) => e.address), expected.emailAddresses.map((e) => e.address));
        assert.equal(item.data.businessAddress?.city, 'London');
      },
    },
    task: {
      data: (): TaskData => ({
        subject: 'Contract follow-up',
        body: { type: 'text', content: 'Call back' },
        dueDate: tomorrow(0).dateTime.slice(0, 10),
        status: 'notStarted',
        importance: 'high',
        percentComplete: 0,
        categories: [],
      }),
      change: (d) => ({ ...d, status: 'completed', percentComplete: 100 }),
      check: (item, expected) => {
        assert.equal(item.data.subject, expected.subject);
        assert.equal(item.data.status, expected.status);
        assert.equal(item.data.dueDate, expected.dueDate);
        assert.equal(item.data.importance, expected.importance);
      },
    },
  };
}

function instant(z: ZonedDateTime): number {
  return zonedToUtcMs(z.dateTime, z.timeZone);
}
