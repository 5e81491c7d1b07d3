import type { Clock } from '../../clock.ts';
import type { TokenSource } from '../../auth/token-source.ts';
import { AppError } from '../../errors.ts';
import type {
  ActData,
  ActItem,
  ActKind,
  AttachmentContent,
  CalendarBooking,
  ChangePage,
  ConnectionCheck,
  DovetailStamp,
  EmailMessage,
  FolderRef,
  ItemResult,
  MailboxDriver,
  MailboxInfo,
  OutgoingEmail,
  RemoteFolderId,
  RemoteItemId,
  RemoteVersion,
  SentEmail,
  SyncCursor,
  WellKnownFolder,
} from '../driver.ts';
import { ActItems } from './act-items.ts';
import { GraphClient, type GraphClientOptions } from './client.ts';
import { deltaPage, immutableIds, pageSizePreference } from './delta.ts';
import { sendBatch, type BatchItem } from './resources/batch.ts';
import { stampProperties } from './resources/extensions.ts';
import { seg, str, type Json } from './resources/graph-json.ts';
import { ensureChildFolder, getMailFolder, readMailboxOrg, writeMailboxOrg } from './resources/mail-folders.ts';
import { categoriesOf, etagOf, getMessageItem, messagePath, preferImmutable, toAttachmentMeta, toEmailMessage } from './resources/messages.ts';
import { defaultListId } from './resources/todo-tasks.ts';
import { getUser } from './resources/users.ts';
import { findCalendarBookings } from './resources/calendar-bookings.ts';
import { findInFolder, sendMessage } from './send-message.ts';
import { testConnection } from './test-connection.ts';

/**
 * The Exchange Online MailboxDriver over Microsoft Graph, with app-only tokens. It behaves as the EWS
 * driver does (test/contract): per-folder cursors are Graph delta links, versions are etags, errors are
 * classified by error-codes.ts into the same kinds, and batch calls answer per item, in input order.
 * Message delta returns ids and etags only; content is read with getMessages ($batch of 20), as EWS
 * reads it with GetItem after SyncFolderItems.
 */
export type GraphDriverOptions = {
  client: GraphClient;
  tokens: TokenSource;
  clock: Clock;
  /** Zone in which event times are read and written (Prefer: outlook.timezone). Default UTC. */
  timeZone?: string;
  calendarWindow?: { pastDays: number; futureDays: number };
  /** Upload-session range size (at most 4 MB). */
  uploadChunkBytes?: number;
};

const wellKnownMail: Partial<Record<WellKnownFolder, string>> = {
  inbox: 'inbox',
  sentitems: 'sentitems',
  drafts: 'drafts',
  deleteditems: 'deleteditems',
  msgfolderroot: 'msgfolderroot',
};

export class GraphMailboxDriver implements MailboxDriver {
  readonly provider = 'graph' as const;
  readonly #client: GraphClient;
  readonly #options: GraphDriverOptions;
  readonly #act: ActItems;

  constructor(options: GraphDriverOptions) {
    this.#client = options.client;
    this.#options = options;
    this.#act = new ActItems(options.client, {
      clock: options.clock,
      timeZone: options.timeZone ?? 'UTC',
      calendarWindow: options.calendarWindow ?? { pastDays: 30, futureDays: 365 },
    });
  }

  testConnection(mailbox: string): Promise<ConnectionCheck[]> {
    return testConnection(this.#client, this.#options.tokens, this.#options.clock, mailbox);
  }

  async getMailboxInfo(mailbox: string): Promise<MailboxInfo> {
    try {
      const user = await getUser(this.#client, mailbox);
      return { smtpAddress: user.mail ?? mailbox, ...(user.displayName === undefined ? {} : { displayName: user.displayName }), serverVersion: 'Exchange Online' };
    } catch (error) {
      // Without User.Read.All, the mailbox itself still answers for its existence.
      if ((error as AppError).providerCode !== 'Authorization_RequestDenied') throw error;
      await getMailFolder(this.#client, mailbox, 'inbox');
      return { smtpAddress: mailbox, serverVersion: 'Exchange Online' };
    }
  }

  async getFolder(mailbox: string, folder: WellKnownFolder): Promise<FolderRef> {
    const mail = wellKnownMail[folder];
    if (mail !== undefined) return getMailFolder(this.#client, mailbox, mail, folder);
    if (folder === 'calendar') {
      const response = await this.#client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/calendar`, query: { $select: 'id,name' } });
      const body = response.body as Json;
      return { id: String(body['id']) as RemoteFolderId, displayName: str(body['name']) ?? 'Calendar', wellKnown: 'calendar' };
    }
    if (folder === 'tasks') return { id: (await defaultListId(this.#client, mailbox)) as RemoteFolderId, displayName: 'Tasks', wellKnown: 'tasks' };
    // The default contact folder answers to its well-known name; listing contactFolders shows only its children.
    const response = await this.#client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/contactFolders/contacts`, query: { $select: 'id,displayName' } });
    const body = response.body as Json;
    return { id: String(body['id']) as RemoteFolderId, displayName: str(body['displayName']) ?? 'Contacts', wellKnown: 'contacts' };
  }

  ensureFolder(mailbox: string, displayName: string): Promise<FolderRef> {
    return ensureChildFolder(this.#client, mailbox, displayName);
  }

  async syncMessages(mailbox: string, folder: RemoteFolderId, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<EmailMessage>> {
    const page = await deltaPage(
      this.#client,
      mailbox,
      cursor,
      { path: `/users/${seg(mailbox)}/mailFolders/${seg(folder)}/messages/delta`, query: { $select: 'id,isRead,parentFolderId' } },
      [pageSizePreference(pageSize), immutableIds],
    );
    return {
      changes: page.entries.map((entry) =>
        entry.removed
          ? { type: 'removed' as const, id: entry.id as RemoteItemId }
          : { type: 'upsert' as const, id: entry.id as RemoteItemId, version: (entry.etag ?? '') as RemoteVersion },
      ),
      nextCursor: page.nextCursor,
      more: page.more,
    };
  }

  async getMessages(mailbox: string, ids: RemoteItemId[]): Promise<ItemResult<EmailMessage>[]> {
    const results = await sendBatch(this.#client, mailbox, ids.map((id) => getMessageItem(mailbox, id)));
    return results.map((r) => (r.ok ? { ok: true, value: toEmailMessage(r.value.body as Json) } : r));
  }

  async getAttachments(mailbox: string, itemId: RemoteItemId, attachmentIds: string[]): Promise<ItemResult<AttachmentContent>[]> {
    const base = `${messagePath(mailbox, itemId)}/attachments`;
    const results = await sendBatch(this.#client, mailbox, attachmentIds.map((id) => ({ method: 'GET', url: `${base}/${seg(id)}`, headers: preferImmutable })));
    const out: ItemResult<AttachmentContent>[] = [];
    for (const [index, r] of results.entries()) {
      if (!r.ok) {
        out.push(r);
        continue;
      }
      const body = r.value.body as Json;
      const bytes = str(body['contentBytes']);
      if (bytes !== undefined) {
        out.push({ ok: true, value: { ...toAttachmentMeta(body), content: Buffer.from(bytes, 'base64') } });
        continue;
      }
      // An attached email (itemAttachment) has no contentBytes: its MIME is at …/$value.
      // https://learn.microsoft.com/graph/api/attachment-get#example-5-get-the-mime-raw-contents-of-an-item-attachment-on-a-message
      try {
        const mime = await this.#client.request({ method: 'GET', mailbox, path: `${base}/${seg(attachmentIds[index]!)}/$value` });
        out.push({ ok: true, value: { ...toAttachmentMeta(body), contentType: 'message/rfc822', content: mime.raw } });
      } catch (error) {
        out.push({ ok: false, error: error as AppError });
      }
    }
    return out;
  }

  findByInternetMessageId(mailbox: string, folder: RemoteFolderId, internetMessageId: string): Promise<RemoteItemId[]> {
    return findInFolder(this.#client, mailbox, folder, internetMessageId);
  }

  async addCategories(mailbox: string, ids: RemoteItemId[], categories: string[]): Promise<ItemResult<RemoteVersion>[]> {
    const current = await sendBatch(this.#client, mailbox, ids.map((id) => ({ method: 'GET', url: `${messagePath(mailbox, id)}?$select=id,categories`, headers: preferImmutable })));
    const patches: Array<{ index: number; item: BatchItem }> = [];
    const out: Array<ItemResult<RemoteVersion> | undefined> = current.map((r, index) => {
      if (!r.ok) return r;
      const existing = categoriesOf(r.value.body as Json);
      const merged = [...existing, ...categories.filter((c) => !existing.some((e) => e.toLowerCase() === c.toLowerCase()))];
      patches.push({ index, item: { method: 'PATCH', url: messagePath(mailbox, ids[index]!), body: { categories: merged }, headers: preferImmutable } });
      return undefined;
    });
    const patched = await sendBatch(this.#client, mailbox, patches.map((p) => p.item));
    patches.forEach((p, i) => {
      const r = patched[i]!;
      out[p.index] = r.ok ? { ok: true, value: etagOf(r.value.body) } : r;
    });
    return out.map((r) => r!);
  }

  async setStamp(mailbox: string, ids: RemoteItemId[], stamp: DovetailStamp): Promise<ItemResult<RemoteVersion>[]> {
    const results = await sendBatch(
      this.#client,
      mailbox,
      ids.map((id) => ({ method: 'PATCH', url: messagePath(mailbox, id), body: { singleValueExtendedProperties: stampProperties(stamp) }, headers: preferImmutable })),
    );
    return results.map((r) => (r.ok ? { ok: true, value: etagOf(r.value.body) } : r));
  }

  async moveMessages(mailbox: string, ids: RemoteItemId[], to: RemoteFolderId): Promise<ItemResult<RemoteItemId>[]> {
    const results = await sendBatch(
      this.#client,
      mailbox,
      ids.map((id) => ({ method: 'POST', url: `${messagePath(mailbox, id)}/move`, body: { destinationId: to }, headers: preferImmutable })),
    );
    return results.map((r) => (r.ok ? { ok: true, value: String((r.value.body as Json)['id']) as RemoteItemId } : r));
  }

  sendMessage(mailbox: string, email: OutgoingEmail): Promise<SentEmail> {
    return sendMessage(this.#client, mailbox, email, this.#options.uploadChunkBytes);
  }

  getOrgStamp(mailbox: string): Promise<string | null> {
    return readMailboxOrg(this.#client, mailbox);
  }

  setOrgStamp(mailbox: string, orgId: string): Promise<void> {
    return writeMailboxOrg(this.#client, mailbox, orgId);
  }

  syncItems<K extends ActKind>(mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>> {
    return this.#act.sync(mailbox, kind, cursor, pageSize);
  }

  getItems<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    return this.#act.get(mailbox, kind, ids);
  }

  /**
   * Graph has no SendInvitations switch: an event with attendees created or changed through Graph
   * always notifies them. `sendInvitations: false` is therefore not honoured (documented difference).
   */
  createItem<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp): Promise<ActItem<K>> {
    return this.#act.create(mailbox, kind, data, stamp);
  }

  updateItem<K extends ActKind>(mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>): Promise<ActItem<K>> {
    return this.#act.update(mailbox, kind, id, version, data);
  }

  deleteItem(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion): Promise<void> {
    return this.#act.delete(mailbox, kind, id, version);
  }

  findBookings(mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]> {
    return findCalendarBookings(this.#client, mailbox, start, end);
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/** Builds the client and the driver for one Exchange Online profile. */
export function openGraphDriver(options: GraphClientOptions & Omit<GraphDriverOptions, 'client'>): GraphMailboxDriver {
  return new GraphMailboxDriver({ ...options, client: new GraphClient(options) });
}
