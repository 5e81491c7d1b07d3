/**
 * After sending, the outbox records what correlation of replies needs: the conversation index and
 * id Exchange gave the email (read back from its Sent Items copy), the subject key and the
 * addresses. Recorded exactly once with the Sent state, also when the send's answer was lost (the
 * copy found in Sent Items is read instead), and never at the price of a second send when the
 * read-back fails.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDraft, getEmail, sendEmail } from '../../src/crm/email-activities.ts';
import { AppError } from '../../src/errors.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';
import { openHarness, type Harness } from './engine-harness.ts';

const SAM = 'sam@us.example';
const INDEX = Buffer.concat([Buffer.from([0x01, 0xdc, 0x66, 0x12, 0x34, 0x56]), Buffer.alloc(16, 0x77)]).toString('base64');

describe('the outbox records what reply correlation needs (engine on PGlite, fake Exchange)', () => {
  let h: Harness;
  let sam: Awaited<ReturnType<typeof createReadyMailbox>>;
  before(async () => {
    h = await openHarness();
    const profile = await createProfile(h.store);
    sam = await createReadyMailbox(h.store, profile, SAM, { now: h.clock.now() });
    h.fake.addMailbox(SAM);
    await h.worker.runUntilIdle();
  });
  after(async () => h?.dispose());

  const draft = (subject: string) =>
    createDraft(h.useCases, { mailboxId: sam.id, to: [{ address: 'Pat@Customer.example' }], cc: [{ address: 'lee@customer.example' }], bcc: [{ address: 'audit@us.example' }], subject, body: 'x', bodyType: 'text' });
  const row = (id: string) => syncDb(h.store.kysely).selectFrom('email_activities').select(['subject_key', 'addresses', 'conversation_index', 'conversation_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const sentCopy = (messageId: string) => h.fake.items(SAM, 'sentitems').find((m) => m.internetMessageId === messageId)!;

  it('records the subject key (token removed) and the from/to/cc addresses, lower case, bcc left out', async () => {
    const e = await draft('RE: Renewal terms');
    await sendEmail(h.useCases, e.id);
    await h.worker.runUntilIdle();
    const sent = await getEmail(h.useCases, e.id);
    assert.equal(sent.status, 'sent');
    assert.match(sent.subject, /CRM:\d{8}$/);
    const r = await row(e.id);
    assert.equal(r.subject_key, 'renewal terms');
    assert.deepEqual([...r.addresses].sort(), ['lee@customer.example', 'pat@customer.example', SAM]);
    assert.ok(h.fake.calls.some((c) => c.method === 'getMessages'), 'the Sent Items copy was read back');
  });

  it("after a lost answer, finds the copy in Sent Items and records the conversation Exchange gave it, sending once", async () => {
    const e = await draft('lost answer');
    await sendEmail(h.useCases, e.id);
    h.fake.failAfterNext('sendMessage', new AppError('timeout', 'The response did not arrive.', { kind: 'transient' }));
    await h.worker.runUntilIdle();
    const waiting = await getEmail(h.useCases, e.id);
    assert.equal(waiting.status, 'pending-send');
    assert.equal(waiting.conversationIndex, null);
    // What Exchange had assigned to the message it did send.
    Object.assign(sentCopy(waiting.messageId!), { conversationIndex: INDEX, conversationId: 'AAQkAGNvbnZlcnNhdGlvbg==' });
    h.clock.advance(60 * 60_000);
    await h.worker.runUntilIdle();
    const sent = await getEmail(h.useCases, e.id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.sendAttempts, 2);
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1, 'sent exactly once');
    assert.equal(sent.conversationIndex, INDEX);
    assert.equal(sent.conversationId, 'AAQkAGNvbnZlcnNhdGlvbg==');
    assert.equal((await row(e.id)).subject_key, 'lost answer');
  });

  it('marks the email sent even when the read-back fails, keeping the CRM conversation and recording the rest', async () => {
    const e = await draft('read-back fails');
    await sendEmail(h.useCases, e.id);
    h.fake.failNext('getMessages', new AppError('server_busy', 'The server is busy.', { kind: 'transient' }), 1, SAM);
    await h.worker.runUntilIdle();
    const sent = await getEmail(h.useCases, e.id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.sendAttempts, 1);
    assert.equal(h.fake.sendsPerMessageId.get(sent.messageId!), 1);
    assert.equal(sent.conversationIndex, null);
    assert.equal(sent.conversationId, sent.messageId, 'the conversation the claim gave it');
    const r = await row(e.id);
    assert.equal(r.subject_key, 'read-back fails');
    assert.equal(r.addresses.length, 3);
    assert.ok(h.logs.some((l) => l.level === 'warn' && /read the sent email back/.test(l.message) && l.fields['emailId'] === e.id));
  });
});
