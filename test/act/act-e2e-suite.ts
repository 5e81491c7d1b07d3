/**
 * ACT end to end: the worker's ACT run, the database store and a real MailboxDriver against the
 * Exchange lab, for each item type, with time zones, recurrence, conflicts, the safety valve,
 * unlinking and the org stamp. Run for the EWS driver and for the Graph driver.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import type { ActKind, AppointmentData, ContactData, MailboxDriver, RemoteItemId, SyncCursor, TaskData } from '../../src/exchange/driver.ts';
import { TRACKED_CATEGORY } from '../../src/sync/act/act-cycle.ts';
import { confirmValve, listConflicts, requestActRun, resolveConflict } from '../../src/sync/act/act-admin.ts';
import { createWorker } from '../../src/sync/worker.ts';
import { saveActPolicy } from '../../src/sync/act/act-settings.ts';
import { wallTimeToUtc } from '../../src/sync/act/zoned-time.ts';
import { openActHarness, type ActHarness } from './act-harness.ts';

/**
 * `forgeCursor` spoils a cursor the way a server that lost its sync state refuses it (cursor-invalid).
 * `unwindowed` is a driver over the same mailbox whose listings from scratch show the whole calendar,
 * where the driver lists it through a window (Graph's calendarView); the window is kept in the cursor.
 */
export type E2eSetup = () => Promise<{ driver: MailboxDriver; mailbox: string; forgeCursor(cursor: SyncCursor): SyncCursor; unwindowed?: MailboxDriver; close(): Promise<void> }>;

export function actEndToEnd(name: string, setup: E2eSetup): void {
  describe(`ACT end to end: ${name}`, () => {
    let driver: MailboxDriver;
    let mailbox: string;
    let forgeCursor: (cursor: SyncCursor) => SyncCursor;
    let unwindowed: MailboxDriver | undefined;
    let close: () => Promise<void>;
    let h: ActHarness;
    before(async () => {
      ({ driver, mailbox, forgeCursor, unwindowed, close } = await setup());
      h = await openActHarness(driver, mailbox);
    });
    after(async () => {
      await h.dispose();
      await driver.close();
      await close();
    });

    const remoteOf = async (kind: ActKind, crmId: string): Promise<RemoteItemId> => {
      const link = (await h.links(kind)).find((l) => l.crm_id === crmId);
      assert.equal(link?.state, 'linked', `${kind} ${crmId} is linked`);
      return link!.remote_id as RemoteItemId;
    };
    const item = async <K extends ActKind>(kind: K, id: RemoteItemId) => {
      const [r] = await driver.getItems(mailbox, kind, [id]);
      assert.ok(r?.ok, `${kind} ${id} exists in Exchange`);
      return r.value;
    };
    const day = new Date(systemClock.now() + 7 * 86_400_000).toISOString().slice(0, 10);

    it('a CRM meeting in another time zone, with attendees and a weekly recurrence, reaches Exchange once; an Exchange edit comes back', async () => {
      const start = wallTimeToUtc(`${day}T09:30:00`, 'America/New_York');
      const id = await h.insert('appointment', {
        subject: 'Quarterly review',
        body: 'Agenda: numbers',
        location: 'Room 4',
        start_at: new Date(start),
        end_at: new Date(start + 3_600_000),
        parties: JSON.stringify([{ role: 'required', address: 'ana@fabrikam.example', name: 'Ana', partyType: null, partyId: null }]),
        details: JSON.stringify({ timeZone: 'America/New_York', reminderMinutes: 30, recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: day, numberOfOccurrences: 4 }, timeZone: 'America/New_York' } }),
      });
      const run = await h.cycle();
      assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
      const remote = await remoteOf('appointment', id);
      const got = (await item('appointment', remote)).data as AppointmentData;
      assert.equal(got.subject, 'Quarterly review');
      assert.equal(wallTimeToUtc(got.start.dateTime, got.start.timeZone), start, 'the same instant, whatever zone Exchange answers in');
      assert.equal(got.recurrence?.pattern.type, 'weekly');
      assert.equal(got.recurrence?.range.type, 'numbered');
      assert.deepEqual(got.attendees.map((a) => a.address), ['ana@fabrikam.example']);
      assert.equal(got.reminderMinutesBeforeStart, 30);

      const current = await item('appointment', remote);
      await driver.updateItem(mailbox, 'appointment', remote, current.version, { ...(current.data as AppointmentData), location: 'Room 7' });
      await h.cycle();
      const row = await h.row('appointment', id);
      assert.equal(row?.['location'], 'Room 7');
      assert.equal(new Date(row?.['start_at'] as Date).getTime(), start, 'the start did not move');

      const quiet = await h.cycle();
      assert.equal(quiet.end.type === 'ok' ? quiet.end.processed : -1, 0, 'nothing left to do');
      assert.equal((await h.links('appointment')).length, 1);
    });

    it('CRM meetings long past and far ahead stay in the CRM and in Exchange across cycles, and an Exchange edit to one still comes back', async () => {
      const at = (days: number) => new Date(Math.floor(systemClock.now() / 3_600_000) * 3_600_000 + days * 86_400_000);
      const ids: Record<string, string> = {};
      for (const [name, days] of [['past', -60], ['near', 3], ['far', 400]] as const) {
        ids[name] = await h.insert('appointment', { subject: `Window ${name}`, body: '', location: '', start_at: at(days), end_at: new Date(at(days).getTime() + 3_600_000), parties: '[]', details: '{}' });
      }
      for (let i = 0; i < 3; i++) await h.cycle();
      for (const name of ['past', 'near', 'far']) {
        assert.ok(await h.row('appointment', ids[name]!), `the ${name} meeting is still in the CRM`);
        const remote = await remoteOf('appointment', ids[name]!);
        assert.equal(((await item('appointment', remote)).data as AppointmentData).subject, `Window ${name}`, `the ${name} meeting is still in Exchange`);
      }
      const past = await remoteOf('appointment', ids['past']!);
      const current = await item('appointment', past);
      await driver.updateItem(mailbox, 'appointment', past, current.version, { ...(current.data as AppointmentData), location: 'Archive room' });
      for (let i = 0; i < 2; i++) await h.cycle();
      const row = await h.row('appointment', ids['past']!);
      assert.ok(row, 'an Exchange edit outside the listing window is not taken for a delete');
      assert.equal(row['location'], 'Archive room');
      assert.equal((await h.links('appointment')).filter((l) => Object.values(ids).includes(l.crm_id) && l.state === 'linked').length, 3);
    });

    it('a contact tracked in Exchange becomes a CRM contact, CRM edits go back, and an Exchange delete removes the contact the user owns', async () => {
      const data: ContactData = {
        givenName: 'Megan',
        surname: 'Bowen',
        displayName: 'Megan Bowen',
        emailAddresses: [{ address: 'megan@fabrikam.example' }, { address: 'mb@home.example' }],
        businessPhones: ['+1 425 555 0100'],
        homePhones: [],
        companyName: 'Fabrikam',
        jobTitle: 'Buyer',
        businessAddress: { street: '1 Main St', city: 'Redmond', countryOrRegion: 'USA' },
        categories: [TRACKED_CATEGORY],
      };
      const created = await driver.createItem(mailbox, 'contact', data, { orgId: h.orgId });
      await h.cycle();
      const link = (await h.links('contact')).find((l) => l.remote_id === created.id);
      assert.equal(link?.state, 'linked');
      const row = await h.row('contact', link!.crm_id);
      assert.equal(row?.['full_name'], 'Megan Bowen');
      assert.deepEqual(row?.['email_addresses'], ['megan@fabrikam.example', 'mb@home.example']);
      assert.equal((row?.['details'] as Record<string, unknown>)['companyName'], 'Fabrikam');

      await h.update('contact', link!.crm_id, { job_title: 'Head of Purchasing' });
      await h.cycle();
      assert.equal(((await item('contact', created.id)).data as ContactData).jobTitle, 'Head of Purchasing');

      await driver.deleteItem(mailbox, 'contact', created.id);
      await h.cycle();
      assert.equal(await h.row('contact', link!.crm_id), undefined, 'the owned contact went with it');
    });

    it('a phone call goes to Exchange as a task; completing it in Exchange completes it in the CRM', async () => {
      const id = await h.insert('task', { subject: 'Call Ana about the renewal', activity_type: 'phonecall', due_at: new Date(`${day}T00:00:00.000Z`), priority: 'high' });
      await h.cycle();
      const remote = await remoteOf('task', id);
      const got = await item('task', remote);
      assert.equal((got.data as TaskData).subject, 'Call Ana about the renewal');
      assert.equal((got.data as TaskData).dueDate, day);
      assert.equal((got.data as TaskData).importance, 'high');
      await driver.updateItem(mailbox, 'task', remote, got.version, { ...(got.data as TaskData), status: 'completed', percentComplete: 100 });
      await h.cycle();
      const row = await h.row('task', id);
      assert.equal(row?.['status'], 'completed');
      assert.equal(row?.['percent_complete'], 100);
    });

    it('a field changed on both sides is flagged when the policy says so, and the user chooses', async () => {
      await saveActPolicy(h.db, h.clock, { conflict: 'flag' });
      const id = await h.insert('task', { subject: 'Prepare offer' });
      await h.cycle();
      const remote = await remoteOf('task', id);
      const got = await item('task', remote);
      await driver.updateItem(mailbox, 'task', remote, got.version, { ...(got.data as TaskData), subject: 'Prepare offer (Exchange)' });
      await h.update('task', id, { subject: 'Prepare offer (CRM)' });
      await h.cycle();
      const [conflict] = (await listConflicts(h.db, h.mailboxId)).filter((c) => c.crmId === id);
      assert.deepEqual(conflict?.fields, ['subject']);
      assert.ok((await h.store.alerts.list({ targetId: h.mailboxId })).some((a) => a.code === 'act_conflict'));
      await resolveConflict(h.db, h.clock, conflict!.linkId, 'crm');
      await h.cycle();
      assert.equal(((await item('task', remote)).data as TaskData).subject, 'Prepare offer (CRM)');
      assert.equal((await listConflicts(h.db, h.mailboxId)).filter((c) => c.crmId === id).length, 0);
      await saveActPolicy(h.db, h.clock, { conflict: 'newest' });
    });

    it('the safety valve holds back a mass delete from Exchange until an administrator confirms', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await h.insert('contact', { first_name: `Valve${i}`, last_name: 'Test', full_name: `Valve${i} Test`, email_addresses: JSON.stringify([`valve${i}@fabrikam.example`]) }));
      await h.cycle();
      for (const id of ids) await driver.deleteItem(mailbox, 'contact', await remoteOf('contact', id));
      const held = await h.cycle();
      assert.deepEqual(held.valves, ['contact'], JSON.stringify({ end: held.end, links: await h.links('contact') }));
      for (const id of ids) assert.notEqual(await h.row('contact', id), undefined, 'nothing deleted while the valve is shut');
      assert.ok((await h.store.alerts.list({ targetId: h.mailboxId })).some((a) => a.code === 'act_safety_valve'));
      assert.deepEqual((await h.cycle()).valves, ['contact'], 'still shut on the next cycle');
      await confirmValve(h.db, h.clock, h.mailboxId, 'contact', 'admin');
      const released = await h.cycle();
      assert.deepEqual(released.valves, []);
      for (const id of ids) assert.equal(await h.row('contact', id), undefined);
    });

    /** Cycles until the cursors caught up and nothing is left to do. */
    const settle = async () => {
      for (let i = 0; i < 30; i++) {
        const run = await h.cycle();
        assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
        if (run.end.type === 'ok' && !run.end.more && run.end.processed === 0) return;
      }
      assert.fail('the cycles did not settle');
    };

    it('the safety valve judges a mass delete Exchange reports over several pages and cycles as a whole', async () => {
      const options = h.deps.options;
      // Four changes a cycle: ten deletes take three cycles to read, each under the valve's half.
      h.deps.options = { ...options, pageSize: 2, maxPagesPerRun: 2 };
      try {
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push(await h.insert('task', { subject: `Paged delete ${i}` }));
        await settle();
        for (const id of ids) await driver.deleteItem(mailbox, 'task', await remoteOf('task', id));
        let valves: ActKind[] = [];
        let cycles = 0;
        while (!valves.includes('task') && cycles < 10) {
          valves = (await h.cycle()).valves;
          cycles++;
          for (const id of ids) assert.notEqual(await h.row('task', id), undefined, `cycle ${cycles} deleted a CRM task before the valve judged the whole delete`);
        }
        assert.ok(cycles > 1, 'the deletes took more than one cycle to read');
        assert.deepEqual(valves, ['task']);
        await confirmValve(h.db, h.clock, h.mailboxId, 'task', 'admin');
        await settle();
        for (const id of ids) assert.equal(await h.row('task', id), undefined, 'deleted once confirmed');
        assert.equal((await h.db.selectFrom('act_valves').select('kind').where('mailbox_id', '=', h.mailboxId).execute()).length, 0, 'the valve reopened');
      } finally {
        h.deps.options = options;
      }
    });

    const forgetCursor = async (kind: ActKind) => {
      const row = await h.db.selectFrom('mailbox_cursors').select('cursor').where('mailbox_id', '=', h.mailboxId).where('folder', '=', `act:${kind}`).executeTakeFirst();
      // Without a cursor the next listing is from scratch anyway.
      if (row !== undefined) await h.db.updateTable('mailbox_cursors').set({ cursor: forgeCursor(row.cursor as SyncCursor) }).where('mailbox_id', '=', h.mailboxId).where('folder', '=', `act:${kind}`).execute();
    };
    /** From the next cycle on, the calendar is read through this driver, from scratch. */
    const listWith = async (d: MailboxDriver) => {
      h.deps.openDriver = () => d;
      await forgetCursor('appointment');
    };

    it('after Exchange forgot the cursor, meetings outside any listing window stay linked, a CRM edit reaches the same item, and a meeting deleted meanwhile goes', async () => {
      // The meetings are linked while the whole calendar is listed; then the cursor is lost and the
      // calendar listed again through the driver's usual window (30 days back, 365 ahead on Graph).
      await listWith(unwindowed ?? driver);
      try {
        await lostCursor();
      } finally {
        await listWith(unwindowed ?? driver);
        await settle();
        h.deps.openDriver = () => driver;
      }
    });

    const lostCursor = async () => {
      const at = (days: number) => {
        const start = Date.parse(`${new Date(systemClock.now() + days * 86_400_000).toISOString().slice(0, 10)}T06:00:00.000Z`);
        return { start_at: new Date(start), end_at: new Date(start + 1_800_000) };
      };
      const ids = {
        old: await h.insert('appointment', { subject: 'Kick-off, last quarter', ...at(-60) }),
        edited: await h.insert('appointment', { subject: 'Archive review', ...at(-90) }),
        far: await h.insert('appointment', { subject: 'Contract renewal, next year', ...at(400) }),
        soon: await h.insert('appointment', { subject: 'Planning', ...at(12) }),
        gone: await h.insert('appointment', { subject: 'Lunch', ...at(13) }),
      };
      // Enough meetings inside the window that those outside it are fewer than the valve's half.
      for (let i = 0; i < 3; i++) await h.insert('appointment', { subject: `Stand-up ${i}`, ...at(14 + i) });
      await settle();
      const remotes = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await remoteOf('appointment', id)] as const)));
      await h.update('appointment', ids.edited, { subject: 'Archive review (minutes added)' });
      await driver.deleteItem(mailbox, 'appointment', remotes['gone']!);
      await listWith(driver);

      const run = await h.cycle();
      assert.equal(run.end.type, 'ok', JSON.stringify(run.end));
      assert.deepEqual(run.valves, []);
      for (const key of ['old', 'edited', 'far', 'soon'] as const) {
        assert.notEqual(await h.row('appointment', ids[key]), undefined, `${key} kept in the CRM`);
        assert.equal(await remoteOf('appointment', ids[key]), remotes[key], `${key} still linked to the same Exchange item`);
      }
      assert.equal(((await item('appointment', remotes['edited']!)).data as AppointmentData).subject, 'Archive review (minutes added)', 'the CRM edit reached the existing item');
      assert.equal(await h.row('appointment', ids.gone), undefined, 'the meeting deleted in Exchange went from the CRM');
    };

    it('a meeting whose CRM record leaves the filter is unlinked, not cancelled', async () => {
      const start = wallTimeToUtc(`${day}T15:00:00`, 'Europe/Berlin');
      const id = await h.insert('appointment', { subject: 'Site visit', start_at: new Date(start), end_at: new Date(start + 1_800_000), details: JSON.stringify({ timeZone: 'Europe/Berlin' }) });
      await h.cycle();
      const remote = await remoteOf('appointment', id);
      const other = await h.store.users.create({ fullName: 'Someone Else', emailAddress: 'someone.else@contoso.lab' });
      await h.update('appointment', id, { owner_user_id: other.id });
      await h.cycle();
      assert.equal((await h.links('appointment')).find((l) => l.crm_id === id)?.state, 'unlinked');
      const still = (await item('appointment', remote)).data as AppointmentData;
      assert.equal(still.isCancelled, false);
      assert.equal(still.subject, 'Site visit');
    });

    it('a meeting written over another busy one raises an alert the user can dismiss', async () => {
      const other = new Date(systemClock.now() + 9 * 86_400_000).toISOString().slice(0, 10);
      const start = wallTimeToUtc(`${other}T11:00:00`, 'UTC');
      await h.insert('appointment', { subject: 'Board meeting', start_at: new Date(start), end_at: new Date(start + 3_600_000) });
      await h.cycle();
      assert.equal((await h.store.alerts.list({ targetId: h.mailboxId })).filter((a) => a.code === 'act_booking_conflict').length, 0);
      const id = await h.insert('appointment', { subject: 'Customer call', start_at: new Date(start + 1_800_000), end_at: new Date(start + 5_400_000) });
      await h.cycle();
      const alert = (await h.store.alerts.list({ targetId: h.mailboxId })).find((a) => a.code === 'act_booking_conflict');
      assert.equal(alert?.details['crmId'], id);
      assert.ok(await h.store.alerts.dismiss(alert!.id));
    });

    it('a CRM meeting over a booking made in Outlook, which Dovetail does not track, raises an alert naming it', async () => {
      const other = new Date(systemClock.now() + 11 * 86_400_000).toISOString().slice(0, 10);
      const start = wallTimeToUtc(`${other}T14:00:00`, 'UTC');
      const outlook: AppointmentData = {
        subject: 'Dentist', body: { type: 'text', content: '' }, location: '', isAllDay: false, attendees: [], categories: [],
        start: { dateTime: `${other}T14:00:00`, timeZone: 'UTC' }, end: { dateTime: `${other}T15:00:00`, timeZone: 'UTC' },
        showAs: 'busy', isCancelled: false, isReminderOn: false,
      };
      // Made by someone else (another org's stamp, no tracking category): not Dovetail's to sync.
      const booked = await driver.createItem(mailbox, 'appointment', outlook, { orgId: 'another-org' });
      const before = (await h.store.alerts.list({ targetId: h.mailboxId })).filter((a) => a.code === 'act_booking_conflict').length;
      const id = await h.insert('appointment', { subject: 'Quarterly planning', start_at: new Date(start + 1_800_000), end_at: new Date(start + 5_400_000) });
      await h.cycle();
      assert.ok(!(await h.links('appointment')).some((l) => l.remote_id === booked.id), 'the Outlook booking was not taken into the CRM');
      const alerts = (await h.store.alerts.list({ targetId: h.mailboxId })).filter((a) => a.code === 'act_booking_conflict');
      assert.equal(alerts.length, before + 1);
      const alert = alerts.find((a) => a.details['crmId'] === id);
      assert.ok(alert, JSON.stringify(alerts.map((a) => a.message)));
      assert.match(alert.message, /"Quarterly planning" overlaps 1 other booking\(s\) .*"Dentist"/);
      assert.deepEqual((alert.details['bookings'] as Array<{ remoteId: string }>).map((b) => b.remoteId), [booked.id]);
    });

    it('the worker runs ACT for a mailbox whose ACT run is due', async () => {
      const id = await h.insert('task', { subject: 'Picked up by the worker' });
      await requestActRun(h.db, h.clock, h.mailboxId);
      const worker = createWorker(h.deps);
      await worker.tick();
      await worker.stop();
      await remoteOf('task', id);
      const next = await h.db.selectFrom('mailboxes').select(['next_act_at', 'act_status']).where('id', '=', h.mailboxId).executeTakeFirstOrThrow();
      assert.ok(next.next_act_at !== null && new Date(next.next_act_at).getTime() > h.clock.now(), 'the next run is scheduled');
    });

    it('a mailbox whose ACT belongs to another org is not synced until "this org only" takes it over', async () => {
      await driver.setOrgStamp(mailbox, 'another-org');
      const id = await h.insert('task', { subject: 'Not yet' });
      const refused = await h.cycle();
      assert.equal(refused.end.type, 'ineligible');
      assert.match(refused.end.type === 'ineligible' ? refused.end.reason : '', /another org/);
      assert.equal((await h.links('task')).some((l) => l.crm_id === id), false);
      await h.store.settings.save({ ...(await h.store.settings.get()), syncOnlyFromThisOrg: true });
      await h.db.updateTable('mailboxes').set({ act_enabled: true }).where('id', '=', h.mailboxId).execute();
      const taken = await h.cycle();
      assert.equal(taken.end.type, 'ok');
      assert.equal(await driver.getOrgStamp(mailbox), h.orgId);
      await remoteOf('task', id);
    });
  });
}
