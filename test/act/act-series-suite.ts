/**
 * ACT end to end for recurring series with changed and cancelled occurrences, for a driver and the
 * lab behind it: a weekly series created in the CRM; an occurrence moved and another cancelled in
 * Exchange (as Outlook would) show in the CRM; an occurrence changed and another cancelled in the
 * CRM reach Exchange; an edit of the series keeps its exceptions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import type { MailboxDriver, RemoteItemId } from '../../src/exchange/driver.ts';
import type { SeriesData } from '../../src/exchange/graph/resources/event-occurrences.ts';
import { wallTimeToUtc } from '../../src/sync/act/zoned-time.ts';
import { openActHarness, type ActHarness } from './act-harness.ts';

export type SeriesSetup = () => Promise<{
  driver: MailboxDriver;
  mailbox: string;
  /** The owner's edit of one occurrence in Outlook: subject, location and new UTC start and end. */
  editOccurrence(masterId: string, date: string, change: { subject: string; location: string; start: number; end: number }): void;
  deleteOccurrence(masterId: string, date: string): void;
  close(): Promise<void>;
}>;

const ZONE = 'America/New_York';
const DAY = 86_400_000;

function mondays(): string[] {
  let t = systemClock.now() + 7 * DAY;
  while (new Date(t).getUTCDay() !== 1) t += DAY;
  return [0, 1, 2, 3].map((w) => new Date(t + w * 7 * DAY).toISOString().slice(0, 10));
}

export function actSeriesEndToEnd(name: string, setup: SeriesSetup): void {
  describe(`ACT end to end: recurring series with changed and cancelled occurrences (${name})`, () => {
    let env: Awaited<ReturnType<SeriesSetup>>;
    let h: ActHarness;
    const [d1, d2, d3, d4] = mondays() as [string, string, string, string];
    const at = (date: string, time: string) => wallTimeToUtc(`${date}T${time}`, ZONE);
    let crmId = '';
    let remote: RemoteItemId;

    before(async () => {
      env = await setup();
      h = await openActHarness(env.driver, env.mailbox);
      crmId = await h.insert('appointment', {
        subject: 'Weekly sync',
        location: 'Room 4',
        start_at: new Date(at(d1, '09:30:00')),
        end_at: new Date(at(d1, '10:00:00')),
        details: JSON.stringify({ timeZone: ZONE, recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: d1, numberOfOccurrences: 4 }, timeZone: ZONE } }),
      });
      const run = await h.cycle();
      assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
      const link = (await h.links('appointment')).find((l) => l.crm_id === crmId);
      assert.equal(link?.state, 'linked');
      remote = link!.remote_id as RemoteItemId;
    });
    after(async () => {
      await h?.dispose();
      await env?.driver.close();
      await env?.close();
    });

    const series = async (): Promise<SeriesData> => {
      const [r] = await env.driver.getItems(env.mailbox, 'appointment', [remote]);
      assert.ok(r?.ok);
      return r.value.data as SeriesData;
    };
    const crmExceptions = async () => ((await h.row('appointment', crmId))?.['details'] as Record<string, unknown>)['exceptions'];

    it('an occurrence moved and another cancelled in Exchange show in the CRM series', async () => {
      env.editOccurrence(remote, d2, { subject: 'Weekly sync (moved)', location: 'Room 9', start: at(d2, '11:00:00'), end: at(d2, '11:45:00') });
      env.deleteOccurrence(remote, d3);
      const run = await h.cycle();
      assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
      assert.deepEqual(await crmExceptions(), [
        { date: d2, deleted: false, subject: 'Weekly sync (moved)', location: 'Room 9', start: new Date(at(d2, '11:00:00')).toISOString(), end: new Date(at(d2, '11:45:00')).toISOString() },
        { date: d3, deleted: true },
      ]);
      assert.equal((await h.row('appointment', crmId))?.['subject'], 'Weekly sync', 'the series itself is unchanged');
      const quiet = await h.cycle();
      assert.equal(quiet.end.type === 'ok' ? quiet.end.processed : -1, 0, 'nothing left to do');
    });

    it('an occurrence changed and another cancelled in the CRM reach Exchange; the earlier exceptions stay', async () => {
      const details = (await h.row('appointment', crmId))?.['details'] as Record<string, unknown>;
      const exceptions = [
        { date: d1, deleted: false, subject: 'Weekly sync (kick-off)', location: 'Board room', start: new Date(at(d1, '09:00:00')).toISOString(), end: new Date(at(d1, '10:30:00')).toISOString() },
        ...(details['exceptions'] as unknown[]),
        { date: d4, deleted: true },
      ];
      await h.update('appointment', crmId, { details: JSON.stringify({ ...details, exceptions }) });
      const run = await h.cycle();
      assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
      const got = await series();
      assert.deepEqual(got.exceptions?.map((e) => [e.date, e.deleted]), [[d1, false], [d2, false], [d3, true], [d4, true]]);
      const kickOff = got.exceptions?.[0];
      assert.ok(kickOff !== undefined && !kickOff.deleted);
      assert.equal(kickOff.subject, 'Weekly sync (kick-off)');
      assert.equal(kickOff.location, 'Board room');
      assert.equal(wallTimeToUtc(kickOff.start.dateTime, kickOff.start.timeZone), at(d1, '09:00:00'));
      assert.equal(wallTimeToUtc(kickOff.end.dateTime, kickOff.end.timeZone), at(d1, '10:30:00'));
      assert.equal(got.recurrence?.range.type === 'numbered' ? got.recurrence.range.numberOfOccurrences : -1, 4);
      const quiet = await h.cycle();
      assert.equal(quiet.end.type === 'ok' ? quiet.end.processed : -1, 0, 'nothing left to do');
      assert.deepEqual(await crmExceptions(), exceptions);
    });

    it('an edit of the series subject in the CRM leaves the exceptions in place', async () => {
      await h.update('appointment', crmId, { subject: 'Weekly team sync' });
      await h.cycle();
      const got = await series();
      assert.equal(got.subject, 'Weekly team sync');
      assert.equal(got.exceptions?.length, 4);
    });
  });
}
