/**
 * A cursor Exchange forgot becomes a full listing, and on Graph the calendar is listed through a
 * calendarView window (30 days back, 365 ahead): an older or far-future meeting is missing from the
 * listing without being deleted. A linked item missing from a full listing is read by its id, in
 * batches; only an item Exchange no longer has is deleted. The real syncKind against the in-memory
 * Exchange (listing through such a window) and CRM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock, seededRandom } from '../../src/clock.ts';
import type { ActData, ActKind, AppointmentData } from '../../src/exchange/driver.ts';
import { syncKind, TRACKED_CATEGORY, type ActCycleDeps } from '../../src/sync/act/act-cycle.ts';
import { defaultActPolicy } from '../../src/sync/act/fields.ts';
import { MemoryExchange } from './memory-exchange.ts';
import { MemoryActStore } from './memory-store.ts';

const KIND = 'appointment' as const;
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-06T00:00:00Z');

function meeting(subject: string, daysFromNow: number): AppointmentData {
  const start = new Date(NOW + daysFromNow * DAY + 9 * 3_600_000).toISOString().slice(0, 19);
  const end = new Date(NOW + daysFromNow * DAY + 10 * 3_600_000).toISOString().slice(0, 19);
  return {
    subject,
    body: { type: 'text', content: '' },
    location: 'Room 1',
    start: { dateTime: start, timeZone: 'UTC' },
    end: { dateTime: end, timeZone: 'UTC' },
    isAllDay: false,
    attendees: [],
    showAs: 'busy',
    isCancelled: false,
    isReminderOn: false,
    categories: [TRACKED_CATEGORY],
  };
}

/** The calendarView window Graph lists a calendar through when it starts from scratch. */
const inWindow = (item: { data: ActData<ActKind> }): boolean => {
  const start = Date.parse(`${(item.data as AppointmentData).start.dateTime}Z`);
  return start >= NOW - 30 * DAY && start <= NOW + 365 * DAY;
};

describe('ACT after Exchange forgot the cursor', () => {
  it('meetings outside the listing window stay linked and a CRM edit reaches the same item; only a meeting really gone is deleted', async () => {
    const ex = new MemoryExchange();
    const store = new MemoryActStore();
    const deps: ActCycleDeps = {
      driver: ex,
      store,
      mailbox: 'alex@contoso.lab',
      orgId: 'org-1',
      policy: defaultActPolicy(),
      clock: fixedClock(NOW),
      random: seededRandom(3),
      pageSize: 50,
      maxPages: 10,
    };
    const ids = {
      soon: ex.put(KIND, meeting('Weekly sync', 3)),
      gone: ex.put(KIND, meeting('Cancelled lunch', 5)),
      old1: ex.put(KIND, meeting('Kick-off', -60)),
      old2: ex.put(KIND, meeting('Retrospective', -200)),
      far1: ex.put(KIND, meeting('Annual review', 400)),
      far2: ex.put(KIND, meeting('Contract renewal', 500)),
    };
    for (let i = 0; i < 5; i++) ex.put(KIND, meeting(`Stand-up ${i}`, 10 + i));
    const first = await syncKind(deps, KIND);
    assert.equal(first.failed, 0);
    const linkOf = (remoteId: string) => [...store.linkRows.values()].find((l) => l.remoteId === remoteId);
    for (const id of Object.values(ids)) assert.equal(linkOf(id)?.state, 'linked');
    assert.equal(store.crm.size, 11);
    assert.equal((await syncKind(deps, KIND)).processed, 0, 'in step');

    // The user edits an old meeting in the CRM, deletes a meeting in Outlook, and Exchange forgets the cursor.
    const oldCrmId = linkOf(ids.old1)!.crmId;
    store.now = 5;
    store.put(KIND, { ...store.crm.get(oldCrmId)!.fields, subject: 'Kick-off (notes added)' }, oldCrmId);
    ex.remove(KIND, ids.gone);
    const goneCrmId = linkOf(ids.gone)!.crmId;
    ex.forgetCursors();
    ex.listed = inWindow;
    ex.reads.length = 0;

    const r = await syncKind(deps, KIND);
    assert.equal(r.failed, 0, JSON.stringify(r.failures.map((f) => f.error.message)));
    assert.equal(r.valve, null);
    assert.equal(ex.calls.create, 0, 'no second copy of any meeting was created in Exchange');
    assert.equal(ex.list(KIND).length, 10);
    assert.equal(store.crm.has(goneCrmId), false, 'the meeting deleted in Outlook went from the CRM');
    assert.equal(store.crm.size, 10, 'the meetings outside the window are kept');
    for (const key of ['old1', 'old2', 'far1', 'far2'] as const) assert.equal(linkOf(ids[key])?.state, 'linked', `${key} still linked to the same item`);
    assert.equal((ex.items.get(ids.old1)!.data as AppointmentData).subject, 'Kick-off (notes added)', 'the CRM edit reached the existing item');
    const unlisted = new Set<string>([ids.gone, ids.old1, ids.old2, ids.far1, ids.far2]);
    const batch = ex.reads.find((b) => b.some((id) => unlisted.has(id)));
    assert.deepEqual(new Set(batch), unlisted, 'the unlisted items were read in one batch');

    const quiet = await syncKind(deps, KIND);
    assert.equal(quiet.processed, 0, 'in step again');
    assert.equal(store.crm.size, 10);
  });

  it('a listing from scratch that takes several cycles checks what it left out when it completes', async () => {
    const ex = new MemoryExchange();
    const store = new MemoryActStore();
    // 10 items a page, 2 pages a cycle: 60 meetings in the window take three cycles to list.
    const deps: ActCycleDeps = { driver: ex, store, mailbox: 'alex@contoso.lab', orgId: 'org-1', policy: defaultActPolicy(), clock: fixedClock(NOW), random: seededRandom(4), pageSize: 10, maxPages: 2 };
    const inside = Array.from({ length: 60 }, (_, i) => ex.put(KIND, meeting(`Meeting ${i}`, 1 + (i % 300))));
    const outside = [ex.put(KIND, meeting('Kick-off', -60)), ex.put(KIND, meeting('Annual review', 400))];
    for (let i = 0; i < 10 && (await syncKind(deps, KIND)).more; i++);
    assert.equal((await syncKind(deps, KIND)).processed, 0, 'in step');
    assert.equal(store.crm.size, 62);
    const crmOf = (remoteId: string) => [...store.linkRows.values()].find((l) => l.remoteId === remoteId)?.crmId;
    const goneCrm = crmOf(inside[59]!)!;

    ex.remove(KIND, inside[59]!);
    ex.forgetCursors();
    ex.listed = inWindow;
    ex.pagedListing = true;
    let cycles = 0;
    for (let more = true; more && cycles < 10; cycles++) {
      const r = await syncKind(deps, KIND);
      assert.equal(r.failed, 0);
      assert.equal(r.valve, null);
      more = r.more;
      if (more) assert.equal(store.crm.size, 62, `cycle ${cycles + 1} deleted before the listing completed`);
    }
    assert.ok(cycles > 1, 'the listing took several cycles');
    assert.equal(store.crm.has(goneCrm), false, 'the meeting deleted while the cursor was lost went from the CRM');
    for (const id of outside) assert.equal([...store.linkRows.values()].find((l) => l.remoteId === id)?.state, 'linked', 'meetings outside the window kept');
    assert.equal(store.crm.size, 61);
    assert.equal(ex.calls.create, 0);
  });
});
