import type {
  ActData, ActItem, ActKind, AttachmentContent, CalendarBooking, ChangePage, ConnectionCheck, DovetailStamp, EmailMessage, FolderChange, FolderRef, ItemResult,
  MailboxDriver, MailboxInfo, OutgoingEmail, RemoteFolderId, RemoteItemId, RemoteVersion, SentEmail, SyncCursor, WellKnownFolder,
} from '../driver.ts';
import { AppError, isAppError } from '../../errors.ts';
import type { Clock, Random } from '../../clock.ts';
import { actKinds } from './act-kinds.ts';
import { ActItems } from './act-items.ts';
import { EwsClient, type EwsClientOptions } from './client.ts';
import { findCalendarBookings } from './calendar-bookings.ts';
import { checkConnection } from './connection-check.ts';
import { toAttachmentMeta, emailReadFields, toEmailMessage, toOutgoingItem } from './mapping/email-mapping.ts';
import { stampProperties } from './mapping/stamp-mapping.ts';
import { CreateFolder } from './operations/create-folder.ts';
import { CreateItem } from './operations/create-item.ts';
import { FindFolder } from './operations/find-folder.ts';
import { FindItem } from './operations/find-item.ts';
import { GetAttachment } from './operations/get-attachment.ts';
import { GetFolder } from './operations/get-folder.ts';
import { GetItem } from './operations/get-item.ts';
import { MoveItem } from './operations/move-item.ts';
import { ResolveNames } from './operations/resolve-names.ts';
import { SendItem } from './operations/send-item.ts';
import { SyncFolderItems } from './operations/sync-folder-items.ts';
import { UpdateItem } from './operations/update-item.ts';
import { fieldNamed } from './schema/codec.ts';
import { stampActivityIdProperty, stampOrgIdProperty } from './schema/extended-property.ts';
import type { FolderTarget, ItemIdRef } from './schema/folder-id.ts';
import { setExtended, setField, type ItemUpdate } from './schema/item-change.ts';
import type { WireItem } from './schema/item-kinds.ts';
import { itemFields } from './schema/item.ts';
import type { ShapeOptions } from './schema/shape.ts';
import { OrgStampStore } from './org-stamp-store.ts';
import type { EwsTransport } from './transport.ts';

export type EwsDriverOptions = Omit<EwsClientOptions, 'transport' | 'url' | 'clock' | 'random'> & {
  transport: EwsTransport;
  url: string;
  clock: Clock;
  random: Random;
  /** Items per GetItem/UpdateItem call; Exchange budgets batches per item, so modest batches keep throttling predictable. */
  batchSize?: number;
};

const emailShape: ShapeOptions = { baseShape: 'IdOnly', fields: emailReadFields, extended: [stampOrgIdProperty, stampActivityIdProperty], bodyType: 'Best' };
const categoriesField = fieldNamed(itemFields, 'Categories');

/** The MailboxDriver for Exchange Server over EWS. */
export class EwsDriver implements MailboxDriver {
  readonly provider = 'ews' as const;
  readonly #client: EwsClient;
  readonly #options: EwsDriverOptions;
  readonly #transport: EwsTransport;
  readonly #clock: Clock;
  readonly #batch: number;
  readonly #orgStamps: OrgStampStore;
  readonly #act: ActItems;

  constructor(options: EwsDriverOptions) {
    this.#client = new EwsClient(options);
    this.#options = options;
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#batch = options.batchSize ?? 50;
    this.#orgStamps = new OrgStampStore(this.#client);
    this.#act = new ActItems(this.#client, (mailbox, ids, shape) => this.#getItems(mailbox, ids, shape));
  }

  get client(): EwsClient {
    return this.#client;
  }

  testConnection(mailbox: string): Promise<ConnectionCheck[]> {
    return checkConnection(this.#options, mailbox);
  }

  async getMailboxInfo(mailbox: string): Promise<MailboxInfo> {
    const [inbox] = await this.#client.call(GetFolder, { folders: [{ distinguished: 'inbox' }], shape: { baseShape: 'IdOnly' } }, { mailbox });
    if (inbox && !inbox.ok) throw inbox.error;
    const resolved = await this.#client.call(ResolveNames, { unresolvedEntry: mailbox, returnFullContactData: false, searchScope: 'ActiveDirectory' }, { mailbox });
    const match = resolved.find((r) => r.mailbox.EmailAddress?.toLowerCase() === mailbox.toLowerCase()) ?? resolved[0];
    const build = this.#client.serverBuild;
    return { smtpAddress: mailbox, ...(match?.mailbox.Name ? { displayName: match.mailbox.Name } : {}), ...(build === undefined ? {} : { serverVersion: build }) };
  }

  async getFolder(mailbox: string, folder: WellKnownFolder): Promise<FolderRef> {
    const [r] = await this.#client.call(GetFolder, { folders: [{ distinguished: folder }], shape: { baseShape: 'Default' } }, { mailbox });
    if (!r) throw new AppError('ews_malformed_response', 'GetFolder returned no folder', { kind: 'transient' });
    if (!r.ok) throw r.error;
    return { id: (r.value.FolderId?.Id ?? '') as RemoteFolderId, displayName: r.value.DisplayName ?? folder, wellKnown: folder };
  }

  async ensureFolder(mailbox: string, displayName: string): Promise<FolderRef> {
    const find = async (): Promise<FolderRef | undefined> => {
      const r = await this.#client.call(FindFolder, { parent: { distinguished: 'msgfolderroot' }, displayName }, { mailbox });
      const f = r.folders.find((x) => x.DisplayName?.toLowerCase() === displayName.toLowerCase());
      return f ? { id: (f.FolderId?.Id ?? '') as RemoteFolderId, displayName: f.DisplayName ?? displayName } : undefined;
    };
    const existing = await find();
    if (existing) return existing;
    const [created] = await this.#client.call(CreateFolder, { parent: { distinguished: 'msgfolderroot' }, folders: [{ DisplayName: displayName, FolderClass: 'IPF.Note' }] }, { mailbox });
    if (created?.ok) return { id: (created.value.FolderId?.Id ?? '') as RemoteFolderId, displayName };
    // Another worker created it between our FindFolder and CreateFolder.
    if (created && created.error.providerCode === 'ErrorFolderExists') {
      const again = await find();
      if (again) return again;
    }
    throw created?.error ?? new AppError('ews_malformed_response', 'CreateFolder returned no result', { kind: 'transient' });
  }

  async syncMessages(mailbox: string, folder: RemoteFolderId, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<EmailMessage>> {
    return this.#sync<EmailMessage>(mailbox, { Id: folder }, cursor, pageSize, true);
  }

  async #sync<T>(mailbox: string, folder: FolderTarget, cursor: SyncCursor | null, pageSize: number, readFlags: boolean): Promise<ChangePage<T>> {
    const r = await this.#client.call(
      SyncFolderItems,
      { folder, syncState: cursor, maxChangesReturned: Math.max(1, Math.min(512, Math.trunc(pageSize))), shape: { baseShape: 'IdOnly' } },
      { mailbox },
    );
    const changes: FolderChange<T>[] = [];
    for (const c of r.changes) {
      if (c.type === 'Delete') changes.push({ type: 'removed', id: c.itemId.Id as RemoteItemId });
      else if (c.type === 'ReadFlagChange') {
        if (readFlags) changes.push({ type: 'read-flag', id: c.itemId.Id as RemoteItemId, isRead: c.isRead });
      } else {
        const id = c.item.record.ItemId;
        if (id) changes.push({ type: 'upsert', id: id.Id as RemoteItemId, version: (id.ChangeKey ?? '') as RemoteVersion });
      }
    }
    return { changes, nextCursor: r.syncState as SyncCursor, more: !r.includesLastItemInRange };
  }

  /** GetItem in batches, one result per id in input order. */
  async #getItems(mailbox: string, ids: readonly ItemIdRef[], shape: ShapeOptions): Promise<ItemResult<WireItem>[]> {
    const out: ItemResult<WireItem>[] = [];
    for (let i = 0; i < ids.length; i += this.#batch) {
      const slice = ids.slice(i, i + this.#batch);
      out.push(...(await this.#client.call(GetItem, { ids: slice, shape }, { mailbox })));
    }
    return out;
  }

  async getMessages(mailbox: string, ids: RemoteItemId[]): Promise<ItemResult<EmailMessage>[]> {
    const items = await this.#getItems(mailbox, ids.map((Id) => ({ Id })), emailShape);
    return items.map((r) => {
      if (!r.ok) return r;
      try {
        return { ok: true, value: toEmailMessage(r.value) };
      } catch (e) {
        return { ok: false, error: isAppError(e) ? e : new AppError('ews_unexpected_item_type', String(e), { kind: 'permanent' }) };
      }
    });
  }

  async getAttachments(mailbox: string, _itemId: RemoteItemId, attachmentIds: string[]): Promise<ItemResult<AttachmentContent>[]> {
    if (attachmentIds.length === 0) return [];
    const r = await this.#client.call(GetAttachment, { attachmentIds, includeMimeContent: true }, { mailbox });
    return r.map((x) => (x.ok ? { ok: true, value: { ...toAttachmentMeta(x.value), content: Buffer.from(x.value.Content ?? '', 'base64') } } : x));
  }

  findBookings(mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]> {
    return findCalendarBookings(this.#client, mailbox, start, end);
  }

  async findByInternetMessageId(mailbox: string, folder: RemoteFolderId, internetMessageId: string): Promise<RemoteItemId[]> {
    return this.#findByMessageId(mailbox, { Id: folder }, internetMessageId);
  }

  async #findByMessageId(mailbox: string, folder: FolderTarget, internetMessageId: string): Promise<RemoteItemId[]> {
    const r = await this.#client.call(
      FindItem,
      { parents: [folder], shape: { baseShape: 'IdOnly' }, isEqualTo: { path: { FieldURI: 'message:InternetMessageId' }, value: internetMessageId }, maxEntries: 10 },
      { mailbox },
    );
    return r.items.flatMap((i) => (i.record.ItemId ? [i.record.ItemId.Id as RemoteItemId] : []));
  }

  /**
   * Reads each item (its type element, ChangeKey and current categories), then updates all that
   * were read in one UpdateItem. Results are per input id, in order.
   */
  async #readThenUpdate(mailbox: string, ids: RemoteItemId[], changes: (item: WireItem) => ItemUpdate[]): Promise<ItemResult<RemoteVersion>[]> {
    const read = await this.#getItems(mailbox, ids.map((Id) => ({ Id })), { baseShape: 'IdOnly', fields: [categoriesField] });
    const targets = read.flatMap((r, index) => (r.ok && r.value.record.ItemId ? [{ index, item: r.value, id: r.value.record.ItemId }] : []));
    const out: ItemResult<RemoteVersion>[] = read.map((r) => (r.ok ? { ok: false, error: new AppError('ews_malformed_response', 'item without ItemId', { kind: 'transient' }) } : r));
    for (let i = 0; i < targets.length; i += this.#batch) {
      const slice = targets.slice(i, i + this.#batch);
      const updated = await this.#client.call(
        UpdateItem,
        {
          conflictResolution: 'AutoResolve',
          // Required for messages and calendar items respectively; ignored for other item types.
          messageDisposition: 'SaveOnly',
          sendMeetingInvitationsOrCancellations: 'SendToNone',
          changes: slice.map((t) => ({ itemId: t.id, updates: changes(t.item) })) },
        { mailbox },
      );
      updated.forEach((u, k) => {
        const t = slice[k]!;
        out[t.index] = u.ok ? { ok: true, value: (u.value.item?.record.ItemId?.ChangeKey ?? '') as RemoteVersion } : u;
      });
    }
    return out;
  }

  addCategories(mailbox: string, ids: RemoteItemId[], categories: string[]): Promise<ItemResult<RemoteVersion>[]> {
    return this.#readThenUpdate(mailbox, ids, (item) => {
      const merged = [...new Set([...(item.record.Categories ?? []), ...categories])];
      return [setField(item.element, categoriesField, merged)];
    });
  }

  setStamp(mailbox: string, ids: RemoteItemId[], stamp: DovetailStamp): Promise<ItemResult<RemoteVersion>[]> {
    return this.#readThenUpdate(mailbox, ids, (item) => {
      const updates = stampProperties(stamp).map((p) => setExtended(item.element, p));
      if (stamp.activityId === undefined) updates.push({ op: 'DeleteItemField', path: { extended: stampActivityIdProperty } });
      return updates;
    });
  }

  async moveMessages(mailbox: string, ids: RemoteItemId[], to: RemoteFolderId): Promise<ItemResult<RemoteItemId>[]> {
    const r = await this.#client.call(MoveItem, { ids: ids.map((Id) => ({ Id })), to: { Id: to } }, { mailbox });
    // Exchange 2010 SP1 and later return the new id; without one, the old id is the best we know.
    return r.map((x, i) => (x.ok ? { ok: true, value: (x.value?.Id ?? ids[i]!) as RemoteItemId } : x));
  }

  /**
   * Saves a draft carrying our Message-ID and stamp (CreateItem SaveOnly in Drafts), then sends it
   * with SendItem and a copy to Sent Items. This is the approach that keeps our Message-ID: the id
   * is on the stored item before submission, and MIME writers copy PidTagInternetMessageId to the
   * Message-ID header (MS-OXCMAIL 2.1.3.2.11; a server MAY overwrite it, Exchange Server 2013+
   * keeps a value set through message:InternetMessageId), so the copy in Sent Items carries our id
   * and a resend after a crash is detected there by findByInternetMessageId. SendAndSaveCopy in one
   * CreateItem would also carry it, but leaves nothing to find if we crash mid-call and returns no
   * ItemId. Servers where the property is read-only answer ErrorInvalidPropertySet, which surfaces
   * as a permanent error rather than an untracked send.
   * @see https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/1ce0f861-39ef-476f-9548-4b5e49ed4f68
   * @see https://github.com/ecederstrand/exchangelib/issues/619
   */
  async sendMessage(mailbox: string, email: OutgoingEmail): Promise<SentEmail> {
    const [created] = await this.#client.call(CreateItem, { items: [toOutgoingItem(email)], messageDisposition: 'SaveOnly', savedItemFolder: { distinguished: 'drafts' } }, { mailbox });
    if (!created) throw new AppError('ews_malformed_response', 'CreateItem returned no result', { kind: 'transient' });
    if (!created.ok) throw created.error;
    const draftId = created.value?.record.ItemId;
    if (!draftId) throw new AppError('ews_malformed_response', 'CreateItem SaveOnly returned no ItemId', { kind: 'transient' });
    const [sent] = await this.#client.call(SendItem, { ids: [draftId], saveItemToFolder: true, savedItemFolder: { distinguished: 'sentitems' } }, { mailbox });
    if (!sent) throw new AppError('ews_malformed_response', 'SendItem returned no result', { kind: 'transient' });
    if (!sent.ok) throw sent.error;
    const [copy] = await this.#findByMessageId(mailbox, { distinguished: 'sentitems' }, email.internetMessageId).catch(() => []);
    return { internetMessageId: email.internetMessageId, ...(copy === undefined ? {} : { id: copy }) };
  }

  getOrgStamp(mailbox: string): Promise<string | null> {
    return this.#orgStamps.get(mailbox);
  }

  setOrgStamp(mailbox: string, orgId: string): Promise<void> {
    return this.#orgStamps.set(mailbox, orgId);
  }

  syncItems<K extends ActKind>(mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>> {
    return this.#sync<ActItem<K>>(mailbox, { distinguished: actKinds[kind].folder }, cursor, pageSize, false);
  }

  getItems<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    return this.#act.getItems(mailbox, kind, ids);
  }

  createItem<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp, options: { sendInvitations?: boolean } = {}): Promise<ActItem<K>> {
    return this.#act.createItem(mailbox, kind, data, stamp, options);
  }

  updateItem<K extends ActKind>(mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>, options: { sendInvitations?: boolean } = {}): Promise<ActItem<K>> {
    return this.#act.updateItem(mailbox, kind, id, version, data, options);
  }

  deleteItem(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion, options: { sendCancellations?: boolean } = {}): Promise<void> {
    return this.#act.deleteItem(mailbox, kind, id, version, options);
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}

