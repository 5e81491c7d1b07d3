import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppointmentData, ContactData, Recurrence, TaskData } from '../../driver.ts';
import { fromAppointment, toAppointment } from './events.ts';
import { fromContact, toContact } from './contacts.ts';
import { fromTask, toTask } from './todo-tasks.ts';

/** What Dovetail writes to Graph reads back the same (server-added fields aside). */
describe('Graph resource mapping', () => {
  const appointment = (recurrence?: Recurrence): AppointmentData => ({
    subject: 'Review',
    body: { type: 'html', content: '<p>Agenda</p>' },
    location: 'Room 2',
    start: { dateTime: '2031-03-03T09:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2031-03-03T10:00:00', timeZone: 'Europe/Berlin' },
    isAllDay: false,
    attendees: [
      { address: 'a@x.test', name: 'A', type: 'required' },
      { address: 'room@x.test', type: 'resource' },
    ],
    showAs: 'tentative',
    isCancelled: false,
    isReminderOn: true,
    reminderMinutesBeforeStart: 10,
    ...(recurrence === undefined ? {} : { recurrence }),
    categories: ['CRM'],
  });

  const patterns: Recurrence[] = [
    { pattern: { type: 'daily', interval: 2 }, range: { type: 'noEnd', startDate: '2031-03-03' }, timeZone: 'Europe/Berlin' },
    { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'sunday' }, range: { type: 'endDate', startDate: '2031-03-03', endDate: '2031-06-30' }, timeZone: 'Europe/Berlin' },
    { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 15 }, range: { type: 'numbered', startDate: '2031-03-15', numberOfOccurrences: 10 }, timeZone: 'UTC' },
    { pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, range: { type: 'noEnd', startDate: '2031-03-28' }, timeZone: 'UTC' },
    { pattern: { type: 'absoluteYearly', interval: 1, dayOfMonth: 3, month: 3 }, range: { type: 'noEnd', startDate: '2031-03-03' }, timeZone: 'UTC' },
    { pattern: { type: 'relativeYearly', interval: 1, daysOfWeek: ['thursday'], index: 'fourth', month: 11 }, range: { type: 'numbered', startDate: '2031-11-27', numberOfOccurrences: 3 }, timeZone: 'America/New_York' },
  ];

  it('round-trips appointments with every recurrence pattern', () => {
    for (const recurrence of [undefined, ...patterns]) {
      const data = appointment(recurrence);
      const read = toAppointment({ ...fromAppointment(data), organizer: { emailAddress: { address: 'me@x.test' } }, iCalUId: 'uid-1' });
      assert.deepEqual(read, { ...data, organizer: { address: 'me@x.test' }, iCalUid: 'uid-1' }, recurrence?.pattern.type ?? 'single');
    }
  });

  it('writes no recurrence as null, so an update removes one', () => {
    assert.equal(fromAppointment(appointment())['recurrence'], null);
  });

  it('round-trips contacts, clearing absent fields on write', () => {
    const data: ContactData = {
      givenName: 'Grace',
      surname: 'Hopper',
      displayName: 'Grace Hopper',
      emailAddresses: [{ address: 'grace@x.test', name: 'Grace Hopper' }],
      businessPhones: ['+1 555 0100'],
      homePhones: [],
      mobilePhone: '+1 555 0101',
      businessAddress: { street: '1 Navy Way', city: 'Arlington', countryOrRegion: 'USA' },
      companyName: 'Navy',
      jobTitle: 'Rear Admiral',
      categories: ['VIP'],
    };
    assert.deepEqual(toContact(fromContact(data)), data);
    assert.equal(fromContact({ ...data, jobTitle: undefined } as unknown as ContactData)['jobTitle'], null);
  });

  it('round-trips To Do tasks; percent complete follows the status', () => {
    const data: TaskData = {
      subject: 'Send quote',
      body: { type: 'text', content: 'By Friday' },
      dueDate: '2031-03-07',
      startDate: '2031-03-03',
      status: 'completed',
      importance: 'high',
      percentComplete: 100,
      completedAt: '2031-03-06T16:00:00Z',
      categories: [],
    };
    assert.deepEqual(toTask(fromTask(data)), data);
    assert.equal(toTask(fromTask({ ...data, status: 'inProgress', percentComplete: 40 })).percentComplete, 0);
  });
});
