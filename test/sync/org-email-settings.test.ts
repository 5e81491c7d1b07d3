import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { updateOrgEmailSettings } from '../../src/use-cases/settings.ts';
import { AppError } from '../../src/errors.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

/** The engine reads alerts, duplicate-address rules and the attachment size limit from the org settings. */
describe('org email settings drive the engine (PGlite, fake Exchange)', () => {
  let h: Harness;
  let sam: Awaited<ReturnType<typeof createReadyMailbox>>;
  const contacts: string[] = [];
  const leads: string[] = [];
  before(async () => {
    h = await openHarness();
    await updateOrgEmailSettings(h.useCases, { trackEmails: 'all' });
    const profile = await createProfile(h.store);
    sam = await createReadyMailbox(h.store, profile, 'sam@us.example', { now: h.clock.now() });
    h.fake.addMailbox('sam@us.example');
    for (const first of ['Older', 'Newer']) {
      contacts.push((await h.store.crm.createContact({ lastName: 'Dup', firstName: first, emailAddresses: ['dup@customer.example'] })).id);
      leads.push((await h.store.crm.createLead({ fullName: `${first} Lead`, emailAddress: 'two@customer.example' })).id);
      h.clock.advance(1_000);
    }
  });
  after(async () => h?.dispose());

  const trackOne = async (subject: string) => {
    h.fake.deliver('sam@us.example', { subject, from: { address: 'dup@customer.example' }, cc: [{ address: 'two@customer.example' }] });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const email = (await listEmails(h.useCases, { direction: 'incoming' })).find((e) => e.subject === subject);
    assert.ok(email, `${subject} is tracked`);
    return email;
  };

  it('by default the sender is the oldest duplicate and Cc resolves to every match', async () => {
    const email = await trackOne('defaults');
    assert.deepEqual(email.parties.filter((p) => p.role === 'from').map((p) => p.partyId), [contacts[0]]);
    assert.deepEqual(email.parties.filter((p) => p.role === 'cc').map((p) => p.partyId).sort(), [...leads].sort());
  });

  it('newest sender and unresolved recipients, when the org says so', async () => {
    await updateOrgEmailSettings(h.useCases, { senderDuplicateRule: 'newest', recipientDuplicateRule: 'unresolved' });
    const email = await trackOne('newest and unresolved');
    assert.deepEqual(email.parties.filter((p) => p.role === 'from').map((p) => p.partyId), [contacts[1]]);
    assert.deepEqual(email.parties.filter((p) => p.role === 'cc'), [{ role: 'cc', address: 'two@customer.example', name: null, partyType: null, partyId: null }]);
  });

  it('an unresolved sender when the duplicate rule says so', async () => {
    await updateOrgEmailSettings(h.useCases, { senderDuplicateRule: 'unresolved' });
    const email = await trackOne('unresolved sender');
    assert.deepEqual(email.parties.filter((p) => p.role === 'from').map((p) => p.partyId), [null]);
  });

  it("mailbox alerts reach the owner's wall only while the org alerts mailbox owners", async () => {
    const denied = () => new AppError('unauthorized', 'denied', { kind: 'auth', providerCode: 'ErrorImpersonateUserDenied' });
    const failAndReenable = async () => {
      h.fake.failNext('getFolder', denied(), 1, 'sam@us.example');
      h.clock.advance(60 * 60_000);
      await h.worker.runUntilIdle();
      const m = await h.store.mailboxes.require(sam.id);
      assert.equal(m.incomingEnabled, false);
      await h.store.mailboxes.update(sam.id, { incomingEnabled: true });
      await h.store.mailboxes.saveSyncState(sam.id, { incomingStatus: 'success', nextIncomingAt: new Date(h.clock.now()).toISOString() });
    };
    await updateOrgEmailSettings(h.useCases, { alertMailboxOwners: false });
    await failAndReenable();
    let alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: sam.id, level: 'error' });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ownerUserId, null);

    await updateOrgEmailSettings(h.useCases, { alertMailboxOwners: true });
    await failAndReenable();
    alerts = await h.store.alerts.list({ targetType: 'mailbox', targetId: sam.id, level: 'error' });
    assert.equal(alerts.length, 2);
    assert.deepEqual(alerts.map((a) => a.ownerUserId).sort(), [null, sam.ownerId].sort());
  });
});
