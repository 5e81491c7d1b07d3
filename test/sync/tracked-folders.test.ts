import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { addTrackedFolder, listTrackedFolders } from '../../src/sync/sync-admin.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

describe('tracked folders (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => h?.dispose());

  it('tracks every email moved into a tracked folder, regarding its record, with its own cursor; a deleted folder stops only itself', async () => {
    const profile = await createProfile(h.store);
    const sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    const lead = await h.store.crm.createLead({ fullName: 'Lee Prospect' });
    const folder = await addTrackedFolder(h.useCases, sam.id, { displayName: 'Prospects', regarding: { type: 'lead', id: lead.id } });
    assert.equal(folder.folderId, null);

    // Under the default rule this email is not tracked in the Inbox…
    const m = h.fake.deliver('sam@us.example', { subject: 'Interested', from: { address: 'lee@prospect.example' } });
    await h.worker.runUntilIdle();
    assert.equal((await listEmails(h.useCases, { mailboxId: sam.id })).length, 0);
    const created = h.fake.folderByName('sam@us.example', 'Prospects');
    assert.ok(created, 'the engine found or created the folder');
    assert.equal((await listTrackedFolders(h.useCases, sam.id))[0]?.folderId, created.id);

    // …until the user moves it into the tracked folder.
    await h.fake.moveMessages('sam@us.example', [m.id], created.id);
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const [tracked] = await listEmails(h.useCases, { mailboxId: sam.id });
    assert.equal(tracked?.messageId, m.internetMessageId);
    assert.deepEqual(tracked?.regarding, { type: 'lead', id: lead.id });
    assert.ok(await h.store.mailboxes.getCursor(sam.id, `folder:${created.id}`), 'the folder has its own cursor');

    h.fake.removeFolder('sam@us.example', created.id);
    h.fake.deliver('sam@us.example', { subject: 'RE: x', from: { address: 'lee@prospect.example' } });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const mailbox = await h.store.mailboxes.require(sam.id);
    assert.equal(mailbox.incomingEnabled, true, 'a deleted tracked folder does not disable the mailbox');
    assert.deepEqual(await listTrackedFolders(h.useCases, sam.id), []);
    const alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: sam.id, level: 'warning' });
    assert.ok(alerts.some((a) => a.code === 'tracked_folder_gone'));
  });
});
