import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import type { ActKind, ChangePage, DovetailStamp, FolderChange, MailboxDriver, RemoteFolderId, RemoteItemId, SyncCursor } from '../../src/exchange/driver.ts';
import { failureCases } from './failure-cases.ts';
import { actSamples, type ActSample } from './act-samples.ts';

/**
 * The one contract every MailboxDriver passes (issue 6): the sync engine cannot tell providers apart.
 * Same changes, same error kinds, same idempotency. Throttling and passing failures are part of it:
 * the client waits out what it can within its retry bound, at least as long as the server asked, and
 * what is left surfaces with the same kind (and retryAfterMs) from either provider.
 *
 * Running it against a driver: write test/contract/<provider>.contract.test.ts that calls
 *
 *   mailboxDriverContract('ews', async () => {
 *     const lab = await startYourLab();               // or replayed responses
 *     return { driver, mailbox: 'alice@lab.test', exchange: controlOverTheLab, close: () => lab.close() };
 *   });
 *
 * `setup` runs once for the whole suite; the mailbox must exist and may start non-empty (the suite
 * enumerates first). `exchange` acts on the Exchange side, as transport or the mailbox owner would;
 * see ContractExchangeControl for what each method must do. graph.contract.test.ts (Graph driver,
 * lab Graph) and ews.contract.test.ts (EWS driver, lab EWS with NTLM and impersonation) are the runs.
 */
export type ContractEmail = {
  from: { address: string; name?: string };
  subject: string;
  body: string;
  internetMessageId: string;
  inReplyTo?: string;
  references?: string[];
};

export type ContractItemKind = 'email' | ActKind;

export type ContractExchangeControl = {
  /** Delivers a received email into the mailbox's Inbox. */
  deliverEmail(mailbox: string, email: ContractEmail): Promise<void>;
  /**
   * Changes an item as its owner would in Outlook: the subject of an email or appointment, the job
   * title of a contact, the title of a task, set to `text`.
   */
  editItem(mailbox: string, kind: ContractItemKind, id: RemoteItemId, text: string): Promise<void>;
  deleteItem(mailbox: string, kind: ContractItemKind, id: RemoteItemId): Promise<void>;
  /** A cursor the server did not issue, made from a real one (a tampered SyncState / delta token). */
  forgeCursor(cursor: SyncCursor): SyncCursor;
  /** An address with no mailbox, and the kind the provider's driver reports for it (documented per provider). */
  unknownMailbox: { address: string; kind: 'auth' | 'not-found' };
  /**
   * Makes the next `count` requests on the mailbox fail as the provider's server does:
   *  - 'throttled': EWS ErrorServerBusy with BackOffMilliseconds = retryAfterMs; Graph 429 with Retry-After = retryAfterMs.
   *  - 'unavailable': HTTP 503 with Retry-After: 1 (an overloaded frontend, on either).
   *  - 'transient': EWS: the connection is dropped; Graph: 500.
   */
  failNext(mailbox: string, fault: 'throttled' | 'unavailable' | 'transient', count: number, retryAfterMs?: number): void;
  /** Ends whatever failNext left pending for the mailbox. */
  clearFaults(mailbox: string): void;
  /** Marks an email read or unread as its owner would in Outlook (nothing else changes). */
  markRead(mailbox: string, id: RemoteItemId, isRead: boolean): Promise<void>;
  /**
   * How the provider's folder sync reports a change of the read flag alone (documented per provider):
   * EWS SyncFolderItems has a ReadFlagChange, Graph's delta only a changed message (an upsert).
   */
  readFlagChange: 'read-flag' | 'upsert';
  /**
   * A driver whose credentials may not open `mailbox` (EWS: no impersonation right for it; Graph: an
   * application access policy excludes it). The suite closes the driver.
   */
  restricted?: () => Promise<{ driver: MailboxDriver; mailbox: string }>;
};

export type ContractSetup = () => Promise<{
  driver: MailboxDriver;
  mailbox: string;
  exchange: ContractExchangeControl;
  /** Every wait the driver's client made between retries, in ms (its `sleep` records them). */
  waits: number[];
  close(): Promise<void>;
}>;

export function mailboxDriverContract(name: string, setup: ContractSetup): void {
  describe(`MailboxDriver contract: ${name}`, () => {
    let driver: MailboxDriver;
    let mailbox: string;
    let exchange: ContractExchangeControl;
    let close: () => Promise<void>;
    let waits: number[];
    let inbox: RemoteFolderId;
    let serial = 0;
    const stamp: DovetailStamp = { orgId: 'org-contract', activityId: 'activity-1' };
    const messageId = (): string => `<contract-${name}-${systemClock.now().toString(36)}-${++serial}@dovetail.test>`;

    before(async () => {
      ({ driver, mailbox, exchange, close, waits } = await setup());
      inbox = (await driver.getFolder(mailbox, 'inbox')).id;
    });
    after(async () => {
      await driver.close();
      await close();
    });

    /** Follows `more` to the end of a round; returns every change and the cursor to keep. */
    const drain = async <T>(page: (cursor: SyncCursor | null) => Promise<ChangePage<T>>, cursor: SyncCursor | null) => {
      const changes: FolderChange<T>[] = [];
      let current = cursor;
      for (let guard = 0; guard < 1000; guard++) {
        const result = await page(current);
        changes.push(...result.changes);
        current = result.nextCursor;
        if (!result.more) return { changes, cursor: current };
      }
      throw new Error('sync never finished');
    };
    const syncInbox = (cursor: SyncCursor | null, pageSize = 50) => drain((c) => driver.syncMessages(mailbox, inbox, c, pageSize), cursor);
    const deliver = async (subject: string, extra: Partial<ContractEmail> = {}): Promise<ContractEmail> => {
      const email: ContractEmail = { from: { address: 'sender@external.test', name: 'Sender' }, subject, body: `Body of ${subject}`, internetMessageId: messageId(), ...extra };
      await exchange.deliverEmail(mailbox, email);
      return email;
    };
    const idOf = async (internetMessageId: string): Promise<RemoteItemId> => {
      const ids = await driver.findByInternetMessageId(mailbox, inbox, internetMessageId);
      assert.equal(ids.length, 1, `one message with ${internetMessageId}`);
      return ids[0]!;
    };
    const summary = <T>(changes: FolderChange<T>[]) => changes.map((c) => `${c.type}:${c.id}`);

    it('names the mailbox and its well-known folders', async () => {
      const info = await driver.getMailboxInfo(mailbox);
      assert.equal(info.smtpAddress.toLowerCase(), mailbox.toLowerCase());
      const sent = await driver.getFolder(mailbox, 'sentitems');
      assert.ok(inbox.length > 0 && sent.id.length > 0);
      assert.notEqual(sent.id, inbox);
    });

    it('reports a delivered email with the content tracking needs', async () => {
      const { cursor } = await syncInbox(null);
      const email = await deliver('Contract: content', { inReplyTo: '<root@crm.test>', references: ['<root@crm.test>', '<second@crm.test>'] });
      const { changes } = await syncInbox(cursor);
      const id = await idOf(email.internetMessageId);
      const change = changes.find((c) => c.id === id);
      assert.equal(change?.type, 'upsert');
      const [result] = await driver.getMessages(mailbox, [id]);
      assert.ok(result?.ok);
      const message = result.value;
      assert.equal(message.internetMessageId, email.internetMessageId);
      assert.equal(message.subject, email.subject);
      assert.equal(message.from?.address, email.from.address);
      assert.equal(message.inReplyTo, '<root@crm.test>');
      assert.deepEqual(message.references, ['<root@crm.test>', '<second@crm.test>']);
      assert.match(message.body.content, /Body of Contract: content/);
      assert.equal(message.folderId, inbox);
      assert.equal(message.isDraft, false);
      assert.equal(message.itemClass, 'IPM.Note');
      assert.ok(message.version.length > 0);
    });

    it('answers the same changes when a cursor is replayed, page by page', async () => {
      const { cursor } = await syncInbox(null);
      const a = await deliver('Contract: replay A');
      const b = await deliver('Contract: replay B');
      const c = await deliver('Contract: replay C');
      const first = await syncInbox(cursor, 1);
      const again = await syncInbox(cursor, 1);
      assert.deepEqual(summary(again.changes), summary(first.changes));
      const ids = await Promise.all([a, b, c].map((e) => idOf(e.internetMessageId)));
      for (const id of ids) assert.ok(first.changes.some((ch) => ch.id === id && ch.type === 'upsert'));
      const quiet = await syncInbox(first.cursor);
      assert.equal(quiet.changes.length, 0, 'nothing new after the round');
    });

    it('reports edits and deletions made on the Exchange side', async () => {
      const email = await deliver('Contract: edit me');
      const id = await idOf(email.internetMessageId);
      const { cursor } = await syncInbox(null);
      const [before] = await driver.getMessages(mailbox, [id]);
      assert.ok(before?.ok);
      await exchange.editItem(mailbox, 'email', id, 'Contract: edited');
      const edited = await syncInbox(cursor);
      const change = edited.changes.find((c) => c.id === id);
      assert.equal(change?.type, 'upsert');
      assert.notEqual(change?.type === 'upsert' ? change.version : '', before.value.version);
      await exchange.deleteItem(mailbox, 'email', id);
      const removed = await syncInbox(edited.cursor);
      assert.deepEqual(summary(removed.changes.filter((c) => c.id === id)), [`removed:${id}`]);
    });

    failureCases({
      driver: () => driver,
      mailbox: () => mailbox,
      inbox: () => inbox,
      exchange: () => exchange,
      waits: () => waits,
      syncInbox,
      deliver,
      idOf,
      summary,
    });

    it('refuses a forged cursor with kind cursor-invalid', async () => {
      const { cursor } = await syncInbox(null);
      await assert.rejects(driver.syncMessages(mailbox, inbox, exchange.forgeCursor(cursor), 10), { kind: 'cursor-invalid' });
    });

    it('answers getMessages per item, in input order, a gone item as not-found', async () => {
      const kept = await idOf((await deliver('Contract: kept')).internetMessageId);
      const gone = await idOf((await deliver('Contract: gone')).internetMessageId);
      await exchange.deleteItem(mailbox, 'email', gone);
      const results = await driver.getMessages(mailbox, [gone, kept]);
      assert.equal(results.length, 2);
      assert.equal(results[0]?.ok, false);
      assert.equal(results[0]?.ok === false ? results[0].error.kind : '', 'not-found');
      assert.equal(results[1]?.ok && results[1].value.id, kept);
    });

    it('adds categories without duplicates and stamps items', async () => {
      const id = await idOf((await deliver('Contract: categorize')).internetMessageId);
      const [first] = await driver.addCategories(mailbox, [id], ['Tracked to CRM']);
      assert.ok(first?.ok);
      await driver.addCategories(mailbox, [id], ['Tracked to CRM', 'Other']);
      const [stamped] = await driver.setStamp(mailbox, [id], stamp);
      assert.ok(stamped?.ok);
      const [result] = await driver.getMessages(mailbox, [id]);
      assert.ok(result?.ok);
      assert.deepEqual(result.value.categories, ['Tracked to CRM', 'Other']);
      assert.deepEqual(result.value.stamp, stamp);
    });

    it('creates the Undeliverable folder once and moves email into it', async () => {
      const folder = await driver.ensureFolder(mailbox, 'Undeliverable');
      const again = await driver.ensureFolder(mailbox, 'Undeliverable');
      assert.equal(again.id, folder.id);
      const id = await idOf((await deliver('Contract: undeliverable')).internetMessageId);
      const [moved] = await driver.moveMessages(mailbox, [id], folder.id);
      assert.ok(moved?.ok);
      const [result] = await driver.getMessages(mailbox, [moved.value]);
      assert.ok(result?.ok);
      assert.equal(result.value.folderId, folder.id);
      assert.deepEqual(await driver.findByInternetMessageId(mailbox, inbox, result.value.internetMessageId), []);
    });

    it('keeps the org stamp of the mailbox', async () => {
      await driver.setOrgStamp(mailbox, 'org-a');
      assert.equal(await driver.getOrgStamp(mailbox), 'org-a');
      await driver.setOrgStamp(mailbox, 'org-b');
      assert.equal(await driver.getOrgStamp(mailbox), 'org-b');
    });

    it('sends with the stamped Message-ID, so the sent copy is found by it before any resend', async () => {
      const sentItems = (await driver.getFolder(mailbox, 'sentitems')).id;
      const internetMessageId = messageId();
      assert.deepEqual(await driver.findByInternetMessageId(mailbox, sentItems, internetMessageId), []);
      const email = {
        internetMessageId,
        from: { address: mailbox },
        to: [{ address: 'customer@external.test', name: 'Customer' }],
        cc: [],
        bcc: [],
        subject: 'Contract: outgoing',
        body: { type: 'html' as const, content: '<p>Hello</p>' },
        attachments: [{ name: 'note.txt', contentType: 'text/plain', content: Buffer.from('hello') }],
        inReplyTo: '<root@crm.test>',
        references: ['<root@crm.test>'],
        stamp,
      };
      const sent = await driver.sendMessage(mailbox, email);
      assert.equal(sent.internetMessageId, internetMessageId);
      const found = await driver.findByInternetMessageId(mailbox, sentItems, internetMessageId);
      assert.equal(found.length, 1);
      const [copy] = await driver.getMessages(mailbox, found);
      assert.ok(copy?.ok);
      assert.deepEqual(copy.value.stamp, stamp);
      assert.equal(copy.value.attachments.length, 1);
      assert.equal(copy.value.inReplyTo, '<root@crm.test>');
    });

    it('reports an unknown mailbox with the documented kind, and Test Connection reports it without throwing', async () => {
      await assert.rejects(driver.getFolder(exchange.unknownMailbox.address, 'inbox'), { kind: exchange.unknownMailbox.kind });
      const checks = await driver.testConnection(exchange.unknownMailbox.address);
      const failed = checks.filter((c) => !c.ok);
      assert.ok(failed.length > 0, 'a step fails');
      assert.ok(failed.every((c) => c.detail.length > 0));
    });

    it('refuses a mailbox outside the credentials\' scope with kind auth, and Test Connection names it', async (t) => {
      if (exchange.restricted === undefined) {
        t.skip('no restricted credentials for this provider');
        return;
      }
      const restricted = await exchange.restricted();
      try {
        await assert.rejects(restricted.driver.getFolder(restricted.mailbox, 'inbox'), { kind: 'auth' });
        const failed = (await restricted.driver.testConnection(restricted.mailbox)).filter((c) => !c.ok);
        assert.ok(failed.length > 0);
        assert.ok(failed.some((c) => c.detail.toLowerCase().includes(restricted.mailbox.toLowerCase())), failed.map((c) => c.detail).join(' | '));
      } finally {
        await restricted.driver.close();
      }
    });

    it('passes Test Connection for the mailbox and finds every well-known folder', async () => {
      const checks = await driver.testConnection(mailbox);
      assert.deepEqual(checks.filter((c) => !c.ok).map((c) => `${c.step}: ${c.detail}`), []);
      for (const folder of ['inbox', 'sentitems', 'drafts', 'deleteditems', 'calendar', 'contacts', 'tasks', 'msgfolderroot'] as const) {
        const ref = await driver.getFolder(mailbox, folder);
        assert.ok(ref.id.length > 0, folder);
      }
    });

    const samples = actSamples();

    for (const kind of ['appointment', 'contact', 'task'] as const) {
      it(`${kind}s: create, conditional update, conflict, Exchange-side edit, delete, all seen by sync`, async () => {
        const sample = samples[kind] as unknown as ActSample<ActKind>;
        const sync = (cursor: SyncCursor | null) => drain((c) => driver.syncItems(mailbox, kind, c, 2), cursor);
        const start = await sync(null);
        const created = await driver.createItem(mailbox, kind, sample.data(), stamp);
        assert.deepEqual(created.stamp, stamp);
        sample.check(created, sample.data());
        const afterCreate = await sync(start.cursor);
        assert.ok(afterCreate.changes.some((c) => c.id === created.id && c.type === 'upsert'));
        const replay = await sync(start.cursor);
        assert.deepEqual(summary(replay.changes), summary(afterCreate.changes));

        const changed = sample.change(sample.data());
        const updated = await driver.updateItem(mailbox, kind, created.id, created.version, changed);
        assert.notEqual(updated.version, created.version);
        sample.check(updated, changed);
        assert.deepEqual(updated.stamp, stamp, 'an update keeps the stamp');
        await assert.rejects(driver.updateItem(mailbox, kind, created.id, created.version, sample.data()), { kind: 'conflict' });

        await exchange.editItem(mailbox, kind, created.id, 'Edited in Outlook');
        const afterEdit = await sync(afterCreate.cursor);
        const edit = afterEdit.changes.find((c) => c.id === created.id);
        assert.equal(edit?.type, 'upsert');
        const [fresh] = await driver.getItems(mailbox, kind, [created.id]);
        assert.ok(fresh?.ok);
        assert.notEqual(fresh.value.version, updated.version);
        await assert.rejects(driver.deleteItem(mailbox, kind, created.id, updated.version), { kind: 'conflict' });

        await driver.deleteItem(mailbox, kind, created.id, fresh.value.version);
        await driver.deleteItem(mailbox, kind, created.id);
        const afterDelete = await sync(afterEdit.cursor);
        assert.deepEqual(summary(afterDelete.changes.filter((c) => c.id === created.id)), [`removed:${created.id}`]);
        const [missing] = await driver.getItems(mailbox, kind, [created.id]);
        assert.equal(missing?.ok === false ? missing.error.kind : 'ok', 'not-found');
        await assert.rejects(driver.syncItems(mailbox, kind, exchange.forgeCursor(afterDelete.cursor), 2), { kind: 'cursor-invalid' });
      });
    }
  });
}
