import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, isAppError } from '../../src/errors.ts';
import type { MailboxDriver, RemoteFolderId } from '../../src/exchange/driver.ts';
import { FakeDriver } from './fake-driver.ts';
import { remoteDriver } from './remote-driver.ts';
import { serveFakeDriver } from './serve-fake-driver.ts';

describe('fake driver, in process and over loopback', () => {
  const fake = new FakeDriver();
  let server: { url: string; close(): Promise<void> };
  let remote: MailboxDriver;
  before(async () => {
    fake.addMailbox('sam@us.example');
    fake.addMailbox('pat@customer.example');
    server = await serveFakeDriver(fake);
    remote = remoteDriver(server.url);
  });
  after(async () => server.close());

  it('pages folder changes through cursors and replays from an old cursor', async () => {
    for (let i = 0; i < 5; i++) fake.deliver('sam@us.example', { subject: `s${i}`, from: { address: 'pat@customer.example' } });
    const inbox = await remote.getFolder('sam@us.example', 'inbox');
    const p1 = await remote.syncMessages('sam@us.example', inbox.id, null, 3);
    assert.equal(p1.changes.length, 3);
    assert.equal(p1.more, true);
    const p2 = await remote.syncMessages('sam@us.example', inbox.id, p1.nextCursor, 3);
    assert.equal(p2.changes.length, 2);
    assert.equal(p2.more, false);
    const again = await remote.syncMessages('sam@us.example', inbox.id, p1.nextCursor, 3);
    assert.deepEqual(again.changes, p2.changes);
    const msgs = await remote.getMessages('sam@us.example', p2.changes.map((c) => c.id));
    assert.ok(msgs.every((m) => m.ok && m.value.receivedAt instanceof Date));
  });

  it('rejects a forgotten cursor as cursor-invalid', async () => {
    const inbox = await remote.getFolder('sam@us.example', 'inbox');
    const p = await remote.syncMessages('sam@us.example', inbox.id, null, 100);
    fake.forgetCursors('sam@us.example');
    await assert.rejects(remote.syncMessages('sam@us.example', inbox.id, p.nextCursor, 10), (e) => isAppError(e) && e.kind === 'cursor-invalid');
  });

  it('sends once per call, saves to Sent Items and delivers to known recipients', async () => {
    const sent = await remote.sendMessage('sam@us.example', {
      internetMessageId: '<out-1@crm>',
      from: { address: 'sam@us.example' },
      to: [{ address: 'pat@customer.example' }],
      cc: [],
      bcc: [],
      subject: 'hello',
      body: { type: 'text', content: 'x' },
      attachments: [],
      stamp: { orgId: 'org' },
    });
    assert.equal(sent.internetMessageId, '<out-1@crm>');
    const sentItems = await remote.getFolder('sam@us.example', 'sentitems');
    assert.equal((await remote.findByInternetMessageId('sam@us.example', sentItems.id, '<out-1@crm>')).length, 1);
    assert.equal(fake.items('pat@customer.example').filter((m) => m.internetMessageId === '<out-1@crm>').length, 1);
    assert.equal(fake.sendsPerMessageId.get('<out-1@crm>'), 1);
  });

  it('throws injected failures with their kind and provider code', async () => {
    fake.failNext('getFolder', new AppError('unauthorized', 'no', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' }));
    await assert.rejects(remote.getFolder('sam@us.example', 'inbox'), (e) => isAppError(e, 'unauthorized') && e.kind === 'auth' && e.providerCode === 'ErrorImpersonateUserDenied');
    await remote.getFolder('sam@us.example', 'inbox');
    await assert.rejects(remote.getFolder('nobody@x', 'inbox'), (e) => isAppError(e) && e.kind === 'not-found');
  });

  it('moves items to a folder created on demand', async () => {
    const m = fake.deliver('sam@us.example', { subject: 'bad', from: { address: 'x@y' } });
    const folder = await remote.ensureFolder('sam@us.example', 'Undeliverable');
    assert.equal((await remote.ensureFolder('sam@us.example', 'Undeliverable')).id, folder.id);
    const [r] = await remote.moveMessages('sam@us.example', [m.id], folder.id as RemoteFolderId);
    assert.equal(r?.ok, true);
    assert.equal(fake.items('sam@us.example', folder.id).length, 1);
  });
});
