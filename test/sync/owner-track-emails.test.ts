/**
 * A user's or queue's own "track email" choice, set through the use cases the API and CLI call,
 * overrides the org's for that mailbox only, and null goes back to the org's: the worker tracks
 * (or not) the same kind of email differently per mailbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listEmails } from '../../src/crm/email-activities.ts';
import type { Mailbox } from '../../src/domain/mailbox.ts';
import { updateQueue, updateUser } from '../../src/use-cases/parties.ts';
import { updateOrgEmailSettings } from '../../src/use-cases/settings.ts';
import { openHarness, type Harness } from './engine-harness.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';

describe("a user's or queue's trackEmails overrides the org's for its mailbox (PGlite, fake Exchange)", () => {
  let h: Harness;
  const boxes: Record<string, Mailbox> = {};
  let round = 0;
  /** The same uncorrelated email from an unknown sender to every mailbox; which of them tracked it. */
  const deliverToAll = async (from = 'someone@elsewhere.example'): Promise<string[]> => {
    const subject = `Quote request ${++round}`;
    for (const address of Object.keys(boxes)) h.fake.deliver(address, { subject, from: { address: from } });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const tracked: string[] = [];
    for (const [address, m] of Object.entries(boxes)) {
      if ((await listEmails(h.useCases, { mailboxId: m.id, direction: 'incoming' })).some((e) => e.subject === subject)) tracked.push(address);
    }
    return tracked;
  };

  before(async () => {
    h = await openHarness();
    const profile = await createProfile(h.store);
    for (const [address, owner] of [['sam@us.example', 'user'], ['kim@us.example', 'user'], ['help@us.example', 'queue']] as const) {
      boxes[address] = await createReadyMailbox(h.store, profile, address, { now: h.clock.now(), owner });
      h.fake.addMailbox(address);
    }
  });
  after(async () => h?.dispose());

  it('with the org tracking all email, a user who tracks none gets nothing while the others follow the org', async () => {
    await updateOrgEmailSettings(h.useCases, { trackEmails: 'all' });
    assert.deepEqual(await deliverToAll(), ['sam@us.example', 'kim@us.example', 'help@us.example'], 'everyone follows the org at first');
    await updateUser(h.useCases, boxes['sam@us.example']!.ownerId, { trackEmails: 'none' });
    assert.deepEqual(await deliverToAll(), ['kim@us.example', 'help@us.example']);
  });

  it('with the org tracking only responses, a user and a queue who track all email still get it', async () => {
    await updateOrgEmailSettings(h.useCases, { trackEmails: 'responses-to-crm' });
    await updateUser(h.useCases, boxes['sam@us.example']!.ownerId, { trackEmails: 'all' });
    await updateQueue(h.useCases, boxes['help@us.example']!.ownerId, { trackEmails: 'all' });
    assert.deepEqual(await deliverToAll(), ['sam@us.example', 'help@us.example'], 'kim follows the org, which tracks only responses');
  });

  it('a choice worded differently from the tracking rule it stands for (from CRM leads, contacts and accounts) reaches the engine', async () => {
    await h.store.crm.createContact({ lastName: 'Diaz', firstName: 'Ana', emailAddresses: ['ana@fabrikam.example'] });
    await updateUser(h.useCases, boxes['kim@us.example']!.ownerId, { trackEmails: 'from-crm-parties' });
    await updateUser(h.useCases, boxes['sam@us.example']!.ownerId, { trackEmails: null });
    await updateQueue(h.useCases, boxes['help@us.example']!.ownerId, { trackEmails: null });
    assert.deepEqual(await deliverToAll('ana@fabrikam.example'), ['kim@us.example'], 'from a contact: kim tracks it; the others follow the org (responses only)');
    assert.deepEqual(await deliverToAll(), [], 'from an unknown sender nobody tracks it');
  });

  it('null puts the mailbox back on the org setting', async () => {
    await updateQueue(h.useCases, boxes['help@us.example']!.ownerId, { trackEmails: 'all' });
    await updateUser(h.useCases, boxes['sam@us.example']!.ownerId, { trackEmails: null });
    assert.deepEqual(await deliverToAll(), ['help@us.example']);
  });
});
