import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listEmails } from '../../src/crm/email-activities.ts';
import { updateMailbox } from '../../src/use-cases/mailboxes.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

/** The fake Exchange stamps message n as received at 1_800_000_000_000 + n s; we set receivedAt ourselves. */
const T = 1_800_000_000_000;
const at = (offsetSeconds: number) => new Date(T + offsetSeconds * 1000);

describe("process email from: the later of the profile's and the mailbox's (engine on PGlite)", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    const s = await h.store.settings.get();
    await h.store.settings.save({ ...s, trackEmails: 'all' });
  });
  after(async () => h?.dispose());

  it('a mailbox starting later than its profile skips what came before its own date; one starting earlier follows the profile', async () => {
    const profile = await createProfile(h.store, { processEmailFrom: at(0).toISOString() });
    const later = await createReadyMailbox(h.store, profile, 'later@us.example', { now: h.clock.now() });
    const earlier = await createReadyMailbox(h.store, profile, 'earlier@us.example', { now: h.clock.now() });
    await updateMailbox(h.useCases, later.id, { processEmailFrom: at(10).toISOString() });
    await updateMailbox(h.useCases, earlier.id, { processEmailFrom: at(-10).toISOString() });
    for (const address of ['later@us.example', 'earlier@us.example']) {
      h.fake.addMailbox(address);
      for (const [subject, offset] of [['before both', -20], ['before profile', -5], ['between', 5], ['after both', 20]] as const) {
        h.fake.deliver(address, { subject: `${subject} ${address}`, from: { address: 'someone@else.example' }, receivedAt: at(offset) });
      }
    }
    await h.worker.runUntilIdle();
    const tracked = await listEmails(h.useCases, { direction: 'incoming' });
    const subjectsOf = (mailboxId: string) => tracked.filter((e) => e.mailboxId === mailboxId).map((e) => e.subject.split(' ').slice(0, -1).join(' ')).sort();
    assert.deepEqual(subjectsOf(later.id), ['after both']);
    assert.deepEqual(subjectsOf(earlier.id), ['after both', 'between']);
  });
});
