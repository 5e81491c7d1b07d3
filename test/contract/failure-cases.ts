import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FolderChange, MailboxDriver, RemoteFolderId, RemoteItemId, SyncCursor } from '../../src/exchange/driver.ts';
import { AppError } from '../../src/errors.ts';
import { decide } from '../../src/sync/policy.ts';
import type { ContractEmail, ContractExchangeControl } from './mailbox-driver-contract.ts';

/**
 * The contract's cases for what varies between providers' wires but must not reach the engine
 * differently: a read flag changed alone, throttling (EWS ErrorServerBusy / Graph 429), an overloaded
 * frontend (503 on both) and a passing failure. Registered inside mailboxDriverContract's suite.
 */
export type FailureCaseContext = {
  driver: () => MailboxDriver;
  mailbox: () => string;
  inbox: () => RemoteFolderId;
  exchange: () => ContractExchangeControl;
  waits: () => number[];
  syncInbox: (cursor: SyncCursor | null, pageSize?: number) => Promise<{ changes: FolderChange<unknown>[]; cursor: SyncCursor }>;
  deliver: (subject: string) => Promise<ContractEmail>;
  idOf: (internetMessageId: string) => Promise<RemoteItemId>;
  summary: (changes: FolderChange<unknown>[]) => string[];
};

export function failureCases(ctx: FailureCaseContext): void {
  let driver: MailboxDriver;
  let mailbox: string;
  let inbox: RemoteFolderId;
  let exchange: ContractExchangeControl;
  let waits: number[];
  const { syncInbox, deliver, idOf, summary } = ctx;
  before(() => {
    driver = ctx.driver();
    mailbox = ctx.mailbox();
    inbox = ctx.inbox();
    exchange = ctx.exchange();
    waits = ctx.waits();
  });

  it('reports a read-flag change as the provider declares it, under the same id, and nothing else', async () => {
    const email = await deliver('Contract: read me');
    const id = await idOf(email.internetMessageId);
    const { cursor } = await syncInbox(null);
    await exchange.markRead(mailbox, id, true);
    const { changes } = await syncInbox(cursor);
    // The incoming pipeline acts on upserts only (it fetches them and dedupes by Message-ID) and passes
    // read-flag changes over; what it needs is that a read flag is neither a removal nor a new item.
    assert.equal(changes.length, 1, summary(changes).join(' '));
    if (exchange.readFlagChange === 'read-flag') assert.deepEqual(changes[0], { type: 'read-flag', id, isRead: true });
    else assert.deepEqual([changes[0]?.type, changes[0]?.id], ['upsert', id]);
    const [result] = await driver.getMessages(mailbox, [id]);
    assert.ok(result?.ok);
    assert.equal(result.value.isRead, true);
    assert.equal(result.value.internetMessageId, email.internetMessageId, 'the dedupe key is unchanged');
  });

  /** The waits the client makes while `run` goes, and how `run` ended. */
  const observe = async (run: () => Promise<unknown>): Promise<{ waits: number[]; error: AppError | undefined }> => {
    waits.length = 0;
    try {
      await run();
      return { waits: [...waits], error: undefined };
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      return { waits: [...waits], error };
    }
  };

  for (const fault of [
    { name: 'throttled', kind: 'throttled', retryAfterMs: 1500 },
    { name: 'unavailable', kind: 'throttled', retryAfterMs: 1000 },
    { name: 'transient', kind: 'transient', retryAfterMs: undefined },
  ] as const) {
    it(`${fault.name}: one failure is retried by the client; past its bound it surfaces as kind ${fault.kind}, which the engine retries`, async () => {
      const { cursor } = await syncInbox(null);
      const email = await deliver(`Contract: ${fault.name}`);
      exchange.failNext(mailbox, fault.name, 1, fault.retryAfterMs);
      const once = await observe(async () => {
        const { changes } = await syncInbox(cursor);
        const id = await idOf(email.internetMessageId);
        assert.ok(changes.some((c) => c.id === id && c.type === 'upsert'));
      });
      // Absorbed within the client's bound: with a wait where the server asked for one; a dropped
      // connection may be retried at once on a new one (EWS does, as for a stale kept-alive socket).
      assert.equal(once.error, undefined, once.error?.message);
      if (fault.retryAfterMs !== undefined) assert.ok(once.waits.some((w) => w >= fault.retryAfterMs), `waited ${once.waits.join(', ')} ms for ${fault.retryAfterMs}`);

      exchange.failNext(mailbox, fault.name, 1000, fault.retryAfterMs);
      let storm: Awaited<ReturnType<typeof observe>>;
      try {
        storm = await observe(() => driver.syncMessages(mailbox, inbox, cursor, 10));
      } finally {
        exchange.clearFaults(mailbox);
      }
      assert.equal(storm.error?.kind, fault.kind, storm.error?.message ?? 'the call succeeded');
      assert.equal(storm.error.retryAfterMs, fault.retryAfterMs);
      assert.ok(storm.waits.length >= 1 && storm.waits.length <= 10, `${storm.waits.length} retries, within the client's bound`);
      if (fault.retryAfterMs !== undefined) assert.ok(storm.waits.every((w) => w >= fault.retryAfterMs), `never sooner than asked: ${storm.waits.join(', ')}`);
      const action = decide('incoming', 'sync-folder', storm.error, 0);
      assert.equal(action.type, 'retry');
      if (action.type === 'retry' && fault.retryAfterMs !== undefined) assert.ok(action.delayMs >= fault.retryAfterMs);
      // The mailbox answers again once the server does.
      assert.ok((await syncInbox(cursor)).changes.length > 0);
    });
  }
}
