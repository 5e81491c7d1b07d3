/**
 * The sync engine end to end against the Exchange lab over HTTPS, NTLMv2 and impersonation, with
 * the EWS driver from the provider registry: Test & Enable, an outgoing email sent exactly once,
 * the customer's reply tracked and threaded, a queue mailbox, and mail that is not tracked.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createDraft, getEmail, listEmails, sendEmail } from '../../src/crm/email-activities.ts';
import { profileDefaults } from '../../src/domain/profile.ts';
import { openDriver } from '../../src/exchange/index.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { defaultEngineOptions } from '../../src/sync/engine-deps.ts';
import { createJob, getJob } from '../../src/sync/jobs.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';

const ALEX = 'alex.wilber@contoso.lab';
const SALES = 'sales@contoso.lab';
const ANA = 'ana@fabrikam.example';

describe('email end to end against the Exchange lab', () => {
  let lab: LabHandle;
  let store: Store;
  let worker: Worker;
  let useCases: UseCaseContext;
  const ids: Record<string, string> = {};
  const logs: string[] = [];

  before(async () => {
    lab = await startLab({ authSchemes: ['NTLM'] });
    store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 3))), systemRandom) });
    useCases = { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'e2e' } } };
    const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };
    const profile = await store.profiles.create(
      { ...profileDefaults(auth), name: 'Lab', serverType: 'exchange-server', auth, autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem },
      { password: 'Lab-Service-2026!' },
    );
    for (const [key, address, type] of [['alex', ALEX, 'user'], ['sales', SALES, 'queue']] as const) {
      const owner = type === 'user' ? await store.users.create({ fullName: key, emailAddress: address }) : await store.queues.create({ name: key, emailAddress: address });
      const m = await store.mailboxes.create({
        ownerType: type, ownerId: owner.id, emailAddress: address, profileId: profile.id, incomingMethod: 'server-side-sync', outgoingMethod: 'server-side-sync',
        actMethod: 'none', approval: 'approved', incomingEnabled: false, outgoingEnabled: false, actEnabled: false,
      });
      ids[key] = m.id;
    }
    ids['ana'] = (await store.crm.createContact({ firstName: 'Ana', lastName: 'Diaz', emailAddresses: [ANA] })).id;
    ids['account'] = (await store.crm.createAccount({ name: 'Fabrikam' })).id;
    worker = createWorker({
      store,
      clock: systemClock,
      random: systemRandom,
      workerId: 'e2e-worker',
      log: { info: () => undefined, warn: (f, m) => logs.push(`${m} ${JSON.stringify(f)}`), error: (f, m) => logs.push(`${m} ${JSON.stringify(f)}`) },
      options: { ...defaultEngineOptions, messageIdDomain: 'crm.contoso.lab', testArrivalTimeoutMs: 10_000, testArrivalPollMs: 100 },
      openDriver: async (p) => openDriver(p, await store.profiles.getSecrets(p.id), { clock: systemClock, random: systemRandom }),
    });
  });
  after(async () => {
    await worker?.stop();
    await store?.close();
    await lab?.close();
  });

  it('tests and enables both mailboxes, stamping them for this org', async () => {
    const db = syncDb(store.kysely);
    const jobId = await createJob(db, { clock: systemClock, random: systemRandom }, { kind: 'test-and-enable', mailboxIds: [ids['alex']!, ids['sales']!] });
    await worker.runUntilIdle();
    const job = (await getJob(db, jobId))!;
    assert.equal(job.status, 'succeeded', `${JSON.stringify(job.items)} ${logs.join('\n')}`);
    for (const key of ['alex', 'sales']) {
      const m = await store.mailboxes.require(ids[key]!);
      assert.equal(m.incomingStatus, 'success');
      assert.equal(m.outgoingStatus, 'success');
    }
    assert.equal((await listEmails(useCases, {})).length, 0, 'the test messages are not tracked');
  });

  it('sends a CRM email exactly once and tracks the reply in its thread, regarding the account', async () => {
    const draft = await createDraft(useCases, { mailboxId: ids['alex']!, to: [{ address: ANA }], subject: 'Your order', body: '<p>Confirmed.</p>', regarding: { type: 'account', id: ids['account']! } });
    await sendEmail(useCases, draft.id);
    await worker.runUntilIdle();
    const sent = await getEmail(useCases, draft.id);
    assert.equal(sent.status, 'sent', `${sent.lastError} ${logs.join('\n')}`);
    const onWire = lab.api.sent().filter((s) => s.internetMessageId === sent.messageId);
    assert.equal(onWire.length, 1, 'the lab saw the email sent once');
    assert.deepEqual(onWire[0]!.to, [ANA]);
    assert.match(onWire[0]!.subject, /^Your order CRM:\d{8}$/);

    lab.api.deliverEmail({ to: [ALEX], from: { name: 'Ana Diaz', address: ANA }, subject: `RE: ${sent.subject}`, body: 'Thanks!', inReplyTo: sent.messageId!, references: [sent.messageId!] });
    lab.api.deliverEmail({ to: [ALEX], from: { name: 'Newsletter', address: 'news@else.example' }, subject: 'Weekly news', body: 'x' });
    await store.mailboxes.saveSyncState(ids['alex']!, { nextIncomingAt: new Date().toISOString() });
    await worker.runUntilIdle();
    const incoming = await listEmails(useCases, { mailboxId: ids['alex']!, direction: 'incoming' });
    assert.equal(incoming.length, 1, 'the reply is tracked; the newsletter is not (default: responses only)');
    const reply = incoming[0]!;
    assert.equal(reply.correlationMethod, 'in-reply-to');
    assert.deepEqual(reply.regarding, { type: 'account', id: ids['account']! });
    assert.equal(reply.conversationId, sent.conversationId);
    // The sent email keeps the conversation Exchange gave it; the reply's index extends it by one level.
    assert.equal(Buffer.from(sent.conversationIndex!, 'base64').length, 22, 'a new conversation for the sent email');
    assert.equal(Buffer.from(reply.conversationIndex!, 'base64').subarray(0, 22).toString('base64'), sent.conversationIndex);
    assert.equal(Buffer.from(reply.conversationIndex!, 'base64').length, 27);
    assert.equal(reply.parties.find((p) => p.role === 'from')?.partyId, ids['ana']);
    const inbox = lab.api.items(ALEX, 'inbox');
    assert.deepEqual(inbox.find((i) => i.internetMessageId === reply.messageId)?.categories, ['Tracked to Dovetail']);
    assert.deepEqual(inbox.find((i) => i.subject === 'Weekly news')?.categories, [], 'untracked mail is left alone');
  });

  it('tracks email to a queue and threads a reply that only carries the tracking token', async () => {
    const [sent] = await listEmails(useCases, { direction: 'outgoing', status: 'sent' });
    await store.settings.save({ ...(await store.settings.get()), trackEmails: 'all' });
    lab.api.deliverEmail({ to: [SALES], from: { name: 'Ana Diaz', address: ANA }, subject: `Question about ${sent!.trackingToken}`, body: 'Hello sales' });
    await store.mailboxes.saveSyncState(ids['sales']!, { nextIncomingAt: new Date().toISOString() });
    await worker.runUntilIdle();
    const [q] = await listEmails(useCases, { mailboxId: ids['sales']!, direction: 'incoming' });
    assert.ok(q, logs.join('\n'));
    assert.equal(q.correlationMethod, 'tracking-token');
    assert.deepEqual(q.regarding, { type: 'account', id: ids['account']! });
    assert.ok(q.parties.some((p) => p.role === 'to' && p.partyType === 'queue'));
  });
});
