import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskData } from '../../src/exchange/driver.ts';
import { TRACKED_CATEGORY } from '../../src/sync/act/act-cycle.ts';
import { openActHarness, type ActHarness } from './act-harness.ts';
import { MemoryDriver } from './memory-driver.ts';

const task = (subject: string, categories: string[] = []): TaskData => ({ subject, body: { type: 'text', content: '' }, status: 'notStarted', importance: 'normal', percentComplete: 0, categories });

describe('ACT: unlinked rows are cleaned once neither side can use them', () => {
  const exchange = new MemoryDriver();
  let h: ActHarness;
  before(async () => {
    h = await openActHarness(exchange.asDriver(), 'alex@contoso.com');
  });
  after(() => h?.dispose());

  const linkOf = async (crmId: string) => (await h.links('task')).find((l) => l.crm_id === crmId);
  const leaveFilter = (id: string) => h.update('task', id, { owner_user_id: null });

  it('keeps the row while both sides remain, so a record back in the filter finds its item again', async () => {
    const id = await h.insert('task', { subject: 'Renew contract' });
    await h.cycle();
    const remote = (await linkOf(id))!.remote_id;
    await leaveFilter(id);
    await h.cycle();
    assert.equal((await linkOf(id))?.state, 'unlinked');
    await h.cycle();
    assert.equal((await linkOf(id))?.state, 'unlinked', 'still there after another cycle');
    await h.update('task', id, { owner_user_id: h.userId });
    await h.cycle();
    const back = await linkOf(id);
    assert.equal(back?.state, 'linked');
    assert.equal(back?.remote_id, remote, 'linked to the same item');
    assert.equal(exchange.list('task').filter((s) => (s.data as TaskData).subject === 'Renew contract').length, 1, 'no second item');
  });

  it('removes the row once the Exchange item is gone, and keeps the CRM record', async () => {
    const id = await h.insert('task', { subject: 'Send brochure' });
    await h.cycle();
    const remote = (await linkOf(id))!.remote_id!;
    await leaveFilter(id);
    await h.cycle();
    assert.equal((await linkOf(id))?.state, 'unlinked');
    exchange.remove('task', remote);
    await h.cycle();
    assert.equal(await linkOf(id), undefined);
    assert.ok(await h.row('task', id), 'the CRM record stays');
  });

  it('removes the row once the CRM record is gone and its item carries our stamp; the item is neither deleted nor taken in again', async () => {
    const id = await h.insert('task', { subject: 'Book venue' });
    await h.cycle();
    const remote = (await linkOf(id))!.remote_id!;
    await leaveFilter(id);
    await h.cycle();
    await h.db.deleteFrom('tasks').where('id', '=', id).execute();
    await h.cycle();
    assert.equal(await linkOf(id), undefined);
    assert.ok(exchange.items.has(remote), 'the item stays in Exchange');
    exchange.put('task', { ...(exchange.items.get(remote)!.data as TaskData), subject: 'Book venue (edited)' }, remote);
    await h.cycle();
    assert.equal((await h.rows('task')).filter((r) => String(r['subject']).startsWith('Book venue')).length, 0, 'not taken into the CRM again');
  });

  it('keeps the row while an item tracked from Exchange without a stamp remains, so it is not taken in twice', async () => {
    const remote = exchange.put('task', task('Call the printer', [TRACKED_CATEGORY]));
    await h.cycle();
    const link = (await h.links('task')).find((l) => l.remote_id === remote)!;
    assert.equal(link.state, 'linked');
    await leaveFilter(link.crm_id);
    await h.cycle();
    await h.db.deleteFrom('tasks').where('id', '=', link.crm_id).execute();
    await h.cycle();
    assert.equal((await h.links('task')).find((l) => l.remote_id === remote)?.state, 'unlinked');
    exchange.put('task', task('Call the printer again', [TRACKED_CATEGORY]), remote);
    await h.cycle();
    assert.equal((await h.rows('task')).filter((r) => String(r['subject']).startsWith('Call the printer')).length, 0, 'not taken into the CRM again');
    exchange.remove('task', remote);
    await h.cycle();
    assert.equal((await h.links('task')).find((l) => l.remote_id === remote), undefined, 'gone with its item');
  });
});
