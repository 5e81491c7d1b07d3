/**
 * Replies to email the CRM sent, correlated by the real engine against both Exchange labs when the
 * reply carries neither our Message-ID (In-Reply-To / References stripped) nor our tracking token:
 *  - by conversation index: the outbox records the conversation Exchange gave the sent email (read
 *    back from Sent Items), and the reply's index, written by the customer's mail client under it,
 *    names it as an ancestor;
 *  - by smart matching (off by default): the same subject without prefixes and token, and at least
 *    two shared addresses, which the outbox records for the sent email.
 * EWS: Dovetail's EWS driver over NTLMv2 and impersonation. Graph: Dovetail's Graph driver with
 * app-only tokens the Graph lab verifies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { createDraft, getEmail, listEmails, sendEmail, type EmailView } from '../../src/crm/email-activities.ts';
import { profileDefaults } from '../../src/domain/profile.ts';
import type { MailboxDriver } from '../../src/exchange/driver.ts';
import { openGraphDriver } from '../../src/exchange/graph/driver.ts';
import { openDriver } from '../../src/exchange/index.ts';
import type { GraphLab } from '../../src/lab/graph/start-graph-lab.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { conversationIdOf, replyConversationIndex } from '../../src/lab/threading/conversation-index.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { defaultEngineOptions } from '../../src/sync/engine-deps.ts';
import { syncDb } from '../../src/sync/sync-tables.ts';
import { createWorker, type Worker } from '../../src/sync/worker.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { startTestGraphLab, testTokens } from '../contract/graph-lab-fixture.ts';
import { createProfile, createReadyMailbox } from './fixtures.ts';

const ANA = { name: 'Ana Diaz', address: 'ana@fabrikam.example' };

/** What the scenario needs of one lab. */
type LabSide = {
  mailbox: string;
  /** The conversation index and id of the mailbox's Sent Items copy with this Message-ID, as the lab holds them. */
  sentConversation(messageId: string): { index: string; id: string };
  /** Mail from outside into the mailbox's Inbox. */
  deliver(email: { from: { name?: string; address: string }; to: string[]; cc?: string[]; subject: string; body: string; threadIndex?: string }): void;
  close(): Promise<void>;
};

type Engine = { store: Store; worker: Worker; useCases: UseCaseContext; mailboxId: string; accountId: string; otherAccountId: string; logs: string[] };

async function openEngine(mailbox: string, setupProfile: (store: Store) => Promise<string>, driver: (store: Store) => Promise<MailboxDriver>): Promise<Engine> {
  const store = await openStore({ target: { engine: 'pglite' }, clock: systemClock, random: systemRandom, sealer: createSealer(keyringOf(secretKey(Buffer.alloc(32, 5))), systemRandom) });
  const useCases: UseCaseContext = { store, clock: systemClock, random: systemRandom, principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: 'test' } } };
  const profile = await store.profiles.require(await setupProfile(store));
  const m = await createReadyMailbox(store, profile, mailbox, { now: Date.now() });
  await store.crm.createContact({ firstName: 'Ana', lastName: 'Diaz', emailAddresses: [ANA.address] });
  const accountId = (await store.crm.createAccount({ name: 'Fabrikam' })).id;
  const otherAccountId = (await store.crm.createAccount({ name: 'Northwind' })).id;
  const logs: string[] = [];
  const worker = createWorker({
    store,
    clock: systemClock,
    random: systemRandom,
    workerId: 'reply-correlation',
    log: { info: () => undefined, warn: (f, msg) => logs.push(`${msg} ${JSON.stringify(f)}`), error: (f, msg) => logs.push(`${msg} ${JSON.stringify(f)}`) },
    options: { ...defaultEngineOptions, messageIdDomain: 'crm.contoso.lab' },
    openDriver: () => driver(store),
  });
  return { store, worker, useCases, mailboxId: m.id, accountId, otherAccountId, logs };
}

function replyScenario(provider: string, start: () => Promise<{ side: LabSide; engine: Engine }>): void {
  describe(`replies correlated without Message-ID or token (engine against the ${provider} lab)`, () => {
    let side: LabSide;
    let e: Engine;
    let sent: EmailView;
    let quote: EmailView;
    before(async () => {
      ({ side, engine: e } = await start());
    });
    after(async () => {
      await e?.worker.stop();
      await e?.store.close();
      await side?.close();
    });

    const pollIncoming = async (): Promise<void> => {
      await e.store.mailboxes.saveSyncState(e.mailboxId, { nextIncomingAt: new Date().toISOString() });
      await e.worker.runUntilIdle();
    };
    const incoming = (): Promise<EmailView[]> => listEmails(e.useCases, { mailboxId: e.mailboxId, direction: 'incoming' });

    it('records, for the email it sent, the conversation Exchange gave it, its subject key and its addresses', async () => {
      const draft = await createDraft(e.useCases, { mailboxId: e.mailboxId, to: [{ address: ANA.address }], subject: 'Your order', body: '<p>Confirmed.</p>', regarding: { type: 'account', id: e.accountId } });
      await sendEmail(e.useCases, draft.id);
      await e.worker.runUntilIdle();
      sent = await getEmail(e.useCases, draft.id);
      assert.equal(sent.status, 'sent', `${sent.lastError} ${e.logs.join('\n')}`);
      assert.match(sent.subject, /^Your order CRM:\d{8}$/);
      const exchange = side.sentConversation(sent.messageId!);
      assert.equal(sent.conversationIndex, exchange.index, 'the index of the Sent Items copy');
      assert.equal(Buffer.from(sent.conversationIndex!, 'base64').length, 22, 'a new conversation');
      assert.equal(sent.conversationId, exchange.id);
      const row = await syncDb(e.store.kysely).selectFrom('email_activities').select(['subject_key', 'addresses']).where('id', '=', sent.id).executeTakeFirstOrThrow();
      assert.equal(row.subject_key, 'your order', 'prefixes and the token removed');
      assert.deepEqual([...row.addresses].sort(), [side.mailbox, ANA.address].sort());
    });

    it('correlates a reply stripped of In-Reply-To, References and token by its conversation index', async () => {
      // The customer's mail client writes the reply's Thread-Index under the one our email carried.
      const threadIndex = replyConversationIndex(Buffer.from(sent.conversationIndex!, 'base64'), Date.now(), 0x21).toString('base64');
      side.deliver({ from: ANA, to: [side.mailbox], subject: 'RE: Your order', body: 'Thanks! When does it ship?', threadIndex });
      await pollIncoming();
      const [reply] = await incoming();
      assert.ok(reply, `the reply is tracked as a response to CRM email ${e.logs.join('\n')}`);
      assert.equal(reply.correlationMethod, 'conversation-index');
      assert.equal(reply.inReplyTo, null);
      assert.equal(reply.conversationIndex, threadIndex);
      assert.deepEqual(reply.regarding, { type: 'account', id: e.accountId });
      assert.equal(reply.conversationId, sent.conversationId);
    });

    it('does not correlate by conversation index when the org turns it off', async () => {
      await e.store.settings.save({ ...(await e.store.settings.get()), useConversationIndex: false });
      const threadIndex = replyConversationIndex(Buffer.from(sent.conversationIndex!, 'base64'), Date.now(), 0x22).toString('base64');
      side.deliver({ from: ANA, to: [side.mailbox], subject: 'RE: Your order', body: 'One more question.', threadIndex });
      await pollIncoming();
      await e.store.settings.save({ ...(await e.store.settings.get()), useConversationIndex: true });
      assert.deepEqual((await incoming()).map((m) => m.body), ['Thanks! When does it ship?'], 'not a response to CRM email without the method');
    });

    it('leaves smart matching off by default: a reply with only the same subject and addresses is not tracked', async () => {
      // A second email, about another account: the only tracked email with its subject.
      const draft = await createDraft(e.useCases, { mailboxId: e.mailboxId, to: [{ address: ANA.address }], subject: 'Quote for Northwind', body: 'Attached.', regarding: { type: 'account', id: e.otherAccountId } });
      await sendEmail(e.useCases, draft.id);
      await e.worker.runUntilIdle();
      quote = await getEmail(e.useCases, draft.id);
      assert.equal(quote.status, 'sent');
      side.deliver({ from: ANA, to: [side.mailbox], subject: 'RE: Quote for Northwind', body: 'Written from a phone, no threading headers.' });
      await pollIncoming();
      assert.deepEqual((await incoming()).map((m) => m.subject), ['RE: Your order'], 'still only the reply correlated by conversation index');
    });

    it('with smart matching on, correlates the same subject with two shared addresses, and not with one', async () => {
      await e.store.settings.save({ ...(await e.store.settings.get()), useSmartMatching: true });
      side.deliver({ from: { address: 'someone@else.example' }, to: [side.mailbox], subject: 'RE: Quote for Northwind', body: 'One shared address only.' });
      side.deliver({ from: ANA, to: [side.mailbox], cc: ['lee@fabrikam.example'], subject: 'AW: Quote for Northwind', body: 'Also from a phone.' });
      await pollIncoming();
      const tracked = (await incoming()).filter((m) => m.subject.includes('Northwind'));
      assert.equal(tracked.length, 1, `only the reply sharing two addresses (${side.mailbox}, ${ANA.address}) is tracked ${e.logs.join('\n')}`);
      const [smart] = tracked;
      assert.equal(smart!.subject, 'AW: Quote for Northwind');
      assert.equal(smart!.correlationMethod, 'smart-matching');
      assert.deepEqual(smart!.regarding, { type: 'account', id: e.otherAccountId }, "the sent email's regarding record");
      assert.equal(smart!.conversationId, quote.conversationId);
    });
  });
}

replyScenario('EWS', async () => {
  const ALEX = 'alex.wilber@contoso.lab';
  const lab: LabHandle = await startLab({ authSchemes: ['NTLM'] });
  const engine = await openEngine(
    ALEX,
    async (store) => {
      const auth = { type: 'credentials' as const, protocol: 'ntlm' as const, userName: 'CONTOSO\\svc-dovetail' };
      const p = await store.profiles.create(
        { ...profileDefaults(auth), name: 'Lab', serverType: 'exchange-server', auth, autodiscover: false, incomingServerUrl: lab.ewsUrl, outgoingServerUrl: lab.ewsUrl, trustedCaBundle: lab.caCertPem },
        { password: 'Lab-Service-2026!' },
      );
      return p.id;
    },
    async (store) => {
      const [p] = await store.profiles.list();
      return openDriver(p!, await store.profiles.getSecrets(p!.id), { clock: systemClock, random: systemRandom });
    },
  );
  const side: LabSide = {
    mailbox: ALEX,
    sentConversation(messageId) {
      const mb = lab.api.mailbox(ALEX);
      const sentItems = mb.distinguished('sentitems')!;
      const item = [...mb.items.values()].find((i) => i.folderKey === sentItems.key && i.props.get('InternetMessageId')?.text === messageId);
      assert.ok(item, 'the sent email is in Sent Items');
      const index = item.props.get('ConversationIndex')!.text;
      return { index, id: conversationIdOf(Buffer.from(index, 'base64'))! };
    },
    deliver(email) {
      lab.api.deliverEmail({ ...email, ...(email.threadIndex === undefined ? {} : { threadIndex: email.threadIndex }) });
    },
    close: () => lab.close(),
  };
  return { side, engine };
});

replyScenario('Graph', async () => {
  const ALICE = 'alice@lab.dovetail.test';
  const started = await startTestGraphLab();
  const lab: GraphLab = started.lab;
  lab.addMailbox(ALICE, { displayName: 'Alice' });
  const tokens = testTokens(started.key, 'app-dovetail');
  // The engine opens a driver per run and closes it at the end, as it does through openDriver().
  const engine = await openEngine(
    ALICE,
    async (store) => (await createProfile(store, { name: 'Exchange Online (Graph lab)' })).id,
    async () => openGraphDriver({ root: lab.url, trustedCaPem: lab.caCertPem, tokens, clock: systemClock, random: systemRandom }),
  );
  let n = 0;
  const side: LabSide = {
    mailbox: ALICE,
    sentConversation(messageId) {
      const item = lab.messagesIn(ALICE, 'sentitems').find((i) => i.data['internetMessageId'] === messageId);
      assert.ok(item, 'the sent email is in Sent Items');
      return { index: String(item.data['conversationIndex']), id: String(item.data['conversationId']) };
    },
    deliver(email) {
      lab.deliver(ALICE, {
        from: email.from,
        to: email.to,
        ...(email.cc === undefined ? {} : { cc: email.cc }),
        subject: email.subject,
        body: email.body,
        internetMessageId: `<reply-${++n}@fabrikam.example>`,
        ...(email.threadIndex === undefined ? {} : { threadIndex: email.threadIndex }),
      });
    },
    close: () => lab.close(),
  };
  return { side, engine };
});
