import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskData } from '../../src/exchange/driver.ts';
import { valueHash } from '../../src/sync/act/field-times.ts';
import { openActHarness, type ActHarness } from './act-harness.ts';
import { MemoryDriver } from './memory-driver.ts';

describe('ACT: "newest change" is settled per field through the store', () => {
  const exchange = new MemoryDriver();
  let h: ActHarness;
  before(async () => {
    h = await openActHarness(exchange.asDriver(), 'alex@contoso.com');
  });
  after(() => h?.dispose());

  it('takes a field from Exchange when its CRM change is older than the Exchange edit, though the CRM record changed later', async () => {
    const id = await h.insert('task', { subject: 'Quote', body: '' });
    await h.cycle();
    const link = (await h.links('task')).find((l) => l.crm_id === id)!;
    const now = Date.now();
    // The CRM changed the subject a while ago (stamped), and the body just now.
    await h.update('task', id, { subject: 'Quote v2', body: 'CRM notes', details: JSON.stringify({ fieldChanges: { subject: { at: now - 120_000, hash: valueHash('Quote v2') } } }) });
    // Exchange changed both a minute ago.
    exchange.now = now - 60_000;
    const item = exchange.items.get(link.remote_id!)!;
    exchange.put('task', { ...(item.data as TaskData), subject: 'Quote (Outlook)', body: { type: 'text', content: 'Outlook notes' } }, link.remote_id!);
    const run = await h.cycle();
    assert.equal(run.failures.length, 0);
    const row = await h.row('task', id);
    assert.equal(row?.['subject'], 'Quote (Outlook)', 'the newer Exchange change of the subject wins');
    assert.equal(row?.['body'], 'CRM notes', 'the newer CRM change of the body wins');
    const data = exchange.items.get(link.remote_id!)!.data as TaskData;
    assert.equal(data.subject, 'Quote (Outlook)');
    assert.equal(data.body.content, 'CRM notes');
  });
});
