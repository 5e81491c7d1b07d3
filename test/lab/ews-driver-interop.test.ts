/**
 * Dovetail's EWS driver (src/exchange/ews) against the lab over HTTPS with NTLMv2 and impersonation:
 * two independent implementations of the same wire checking each other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, systemClock } from '../../src/clock.ts';
import { isAppError } from '../../src/errors.ts';
import type { AppointmentData, RemoteVersion, TaskData } from '../../src/exchange/driver.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport, type EwsTransport } from '../../src/exchange/ews/transport.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { ALEX, MEGAN } from './support/lab-fixture.ts';
import { conformanceSkip } from '../support/env.ts';
import { validateEnvelopes } from './support/ews-schema.ts';

describe('EWS driver against the lab (NTLMv2 + impersonation)', () => {
  let lab: LabHandle;
  let transport: EwsTransport;
  let driver: EwsDriver;
  let replies: Array<{ operation: string; body: string }> = [];
  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'], extendedProtection: 'require' });
    replies = lab.api.captureReplies();
    transport = createEwsTransport({
      auth: { type: 'ntlm', username: 'svc-dovetail', password: 'Lab-Service-2026!', domain: 'CONTOSO' },
      trustedCaPem: lab.caCertPem,
      maxConnections: 4,
      clock: systemClock,
      random: seededRandom(11),
    });
    driver = new EwsDriver({ transport, url: lab.ewsUrl, clock: systemClock, random: seededRandom(12), maxConcurrent: 4, timeoutMs: 10_000, impersonation: true, sleep: async () => undefined });
  });
  after(async () => {
    await driver.close();
    await transport.close();
    await lab.close();
  });

  it('tests the connection and finds folders', async () => {
    const checks = await driver.testConnection(ALEX);
    assert.ok(checks.every((c) => c.ok), JSON.stringify(checks));
    const inbox = await driver.getFolder(ALEX, 'inbox');
    assert.equal(inbox.displayName, 'Inbox');
    const a = await driver.ensureFolder(ALEX, 'Undeliverable');
    const b = await driver.ensureFolder(ALEX, 'Undeliverable');
    assert.equal(a.id, b.id);
  });

  it('syncs mail page by page, reads it, stamps and categorizes it', async () => {
    const delivered = Array.from({ length: 5 }, (_, i) => lab.api.deliverEmail({ to: [ALEX], from: { name: 'Ana Diaz', address: 'ana@fabrikam.example' }, subject: `Order ${i}`, body: `<p>order ${i}</p>`, html: true })[0]!);
    const inbox = await driver.getFolder(ALEX, 'inbox');
    let cursor = null;
    const ids = new Set<string>();
    for (let page = 0; page < 10; page++) {
      const r = await driver.syncMessages(ALEX, inbox.id, cursor, 2);
      for (const c of r.changes) if (c.type === 'upsert') ids.add(c.id);
      cursor = r.nextCursor;
      if (!r.more) break;
    }
    for (const d of delivered) assert.ok(ids.has(d.itemId));
    const got = await driver.getMessages(ALEX, delivered.map((d) => d.itemId as never));
    assert.ok(got.every((g) => g.ok));
    const first = got[0]!;
    assert.ok(first.ok);
    assert.equal(first.value.subject, 'Order 0');
    assert.equal(first.value.internetMessageId, delivered[0]!.internetMessageId);
    assert.equal(first.value.from?.address, 'ana@fabrikam.example');
    const cat = await driver.addCategories(ALEX, [first.value.id], ['Tracked to Dovetail']);
    assert.ok(cat[0]!.ok);
    const stamped = await driver.setStamp(ALEX, [first.value.id], { orgId: 'org-1', activityId: 'act-1' });
    assert.ok(stamped[0]!.ok);
    const again = await driver.getMessages(ALEX, [first.value.id]);
    assert.ok(again[0]!.ok);
    assert.deepEqual(again[0]!.value.categories, ['Tracked to Dovetail']);
    assert.deepEqual(again[0]!.value.stamp, { orgId: 'org-1', activityId: 'act-1' });
    const found = await driver.findByInternetMessageId(ALEX, inbox.id, delivered[1]!.internetMessageId);
    assert.deepEqual(found, [delivered[1]!.itemId]);
  });

  it('sends mail that arrives in the recipient mailbox and is kept in Sent Items', async () => {
    const sent = await driver.sendMessage(ALEX, {
      internetMessageId: '<dovetail-out-1@contoso.lab>',
      from: { address: ALEX },
      to: [{ address: MEGAN, name: 'Megan Bowen' }],
      cc: [],
      bcc: [],
      subject: 'Quote CRM:0000042',
      body: { type: 'html', content: '<p>Here is the quote</p>' },
      attachments: [{ name: 'quote.txt', contentType: 'text/plain', content: Buffer.from('42') }],
      stamp: { orgId: 'org-1', activityId: 'act-42' },
    });
    assert.equal(sent.internetMessageId, '<dovetail-out-1@contoso.lab>');
    assert.ok(lab.api.items(MEGAN, 'inbox').some((i) => i.internetMessageId === '<dovetail-out-1@contoso.lab>'));
    assert.ok(lab.api.items(ALEX, 'sentitems').some((i) => i.internetMessageId === '<dovetail-out-1@contoso.lab>'));
  });

  it('keeps the org stamp in a user configuration', async () => {
    assert.equal(await driver.getOrgStamp(ALEX), null);
    await driver.setOrgStamp(ALEX, 'org-77');
    assert.equal(await driver.getOrgStamp(ALEX), 'org-77');
  });

  it('creates, syncs and updates appointments and tasks, with conflicts on stale versions', async () => {
    const appt: AppointmentData = {
      subject: 'Demo call',
      body: { type: 'text', content: 'agenda' },
      location: 'Teams',
      start: { dateTime: '2027-01-05T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2027-01-05T11:00:00', timeZone: 'UTC' },
      isAllDay: false,
      attendees: [{ address: MEGAN, type: 'required' }],
      showAs: 'busy',
      isCancelled: false,
      isReminderOn: false,
      categories: [],
    };
    const created = await driver.createItem(ALEX, 'appointment', appt, { orgId: 'org-1' }, { sendInvitations: true });
    assert.ok(lab.api.items(MEGAN, 'calendar').some((i) => i.subject === 'Demo call'));
    const page = await driver.syncItems(ALEX, 'appointment', null, 100);
    assert.ok(page.changes.some((c) => c.id === created.id));
    const updated = await driver.updateItem(ALEX, 'appointment', created.id, created.version, { ...appt, location: 'Room 5' });
    assert.notEqual(updated.version, created.version);
    await assert.rejects(driver.updateItem(ALEX, 'appointment', created.id, created.version as RemoteVersion, { ...appt, location: 'Room 6' }), (e: unknown) => isAppError(e) && e.kind === 'conflict');

    const task: TaskData = { subject: 'Call Ana', body: { type: 'text', content: '' }, status: 'notStarted', importance: 'normal', percentComplete: 0, categories: [], dueDate: '2027-01-10' };
    const t = await driver.createItem(ALEX, 'task', task, { orgId: 'org-1' });
    const [read] = await driver.getItems(ALEX, 'task', [t.id]);
    assert.ok(read?.ok);
    assert.equal(read.value.data.subject, 'Call Ana');
    await driver.deleteItem(ALEX, 'task', t.id);
    await driver.deleteItem(ALEX, 'task', t.id);
  });

  it('the lab saw every call as the service account impersonating the mailbox', () => {
    const calls = lab.api.requests(ALEX);
    assert.ok(calls.length > 10);
    assert.ok(calls.every((r) => r.principal === 'svc-dovetail'));
    assert.deepEqual(calls.filter((r) => r.anchorMailbox?.toLowerCase() !== ALEX), [], 'X-AnchorMailbox names the impersonated mailbox');
    assert.ok(lab.api.concurrencyHighWater() <= 4);
  });

  it('every answer the driver got validates against messages.xsd/types.xsd', { skip: conformanceSkip() }, async () => {
    assert.ok(replies.length > 10);
    const results = await validateEnvelopes(replies.map((r, i) => ({ name: `${i} ${r.operation}`, xml: r.body })));
    assert.deepEqual(results.filter((r) => !r.valid), []);
  });
});
