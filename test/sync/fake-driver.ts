/**
 * FakeDriver: an in-memory Exchange for engine tests: mailboxes with folders, a change log per folder that
 * folder syncs read through opaque cursors, Sent Items, org stamps, and ways to inject failures.
 * It implements MailboxDriver itself, and records what the engine did to it so tests can assert
 * "processed exactly once" (stamps per item, sends per Message-ID, overlapping sessions).
 */
import { AppError } from '../../src/errors.ts';
import type {
  ActData,
  ActItem,
  ActKind,
  AttachmentContent,
  ChangePage,
  ConnectionCheck,
  DovetailStamp,
  EmailMessage,
  FolderChange,
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
} from '../../src/exchange/driver.ts';

type Folder = { ref: FolderRef; items: Map<string, EmailMessage>; log: Array<{ seq: number; id: string; removed: boolean }> };
type Mailbox = { address: string; folders: Map<string, Folder>; orgStamp: string | null; generation: number; attachments: Map<string, Buffer> };

export type InjectedFailure = { method: string; mailbox?: string; error: AppError; times: number };

export type NewMessage = Partial<Omit<EmailMessage, 'id' | 'version' | 'folderId'>> & { subject: string; from: { address: string; name?: string } };

export class FakeDriver implements MailboxDriver {
  readonly provider = 'ews' as const;
  private readonly boxes = new Map<string, Mailbox>();
  private seq = 0;
  private readonly failures: InjectedFailure[] = [];
  private readonly afterFailures: InjectedFailure[] = [];
  /** Items that getMessages reports as corrupt (one-item failures). */
  readonly corrupt = new Set<string>();
  /** Items for which getMessages answers with the given error in the item's own result. */
  readonly itemErrors = new Map<string, AppError>();
  /** What the engine did, for assertions. */
  readonly stampsPerItem = new Map<string, number>();
  readonly sendsPerMessageId = new Map<string, number>();
  readonly calls: Array<{ method: string; mailbox: string }> = [];
  private readonly inFlight = new Map<string, number>();
  maxOverlap = 0;
  /** Run inside every call (tests use it to slow calls down or to observe). */
  onCall: ((method: string, mailbox: string) => Promise<void> | void) | undefined;

  /** Mailboxes (lower-case addresses) with a call in flight right now. */
  busyMailboxes(): string[] {
    return [...this.inFlight].filter(([, n]) => n > 0).map(([k]) => k);
  }

  addMailbox(address: string): void {
    const key = address.toLowerCase();
    if (this.boxes.has(key)) return;
    const box: Mailbox = { address, folders: new Map(), orgStamp: null, generation: 1, attachments: new Map() };
    for (const wk of ['msgfolderroot', 'inbox', 'sentitems', 'drafts', 'deleteditems', 'calendar', 'contacts', 'tasks'] as const) {
      const id = `${key}/${wk}` as RemoteFolderId;
      box.folders.set(id, { ref: { id, displayName: wk, wellKnown: wk }, items: new Map(), log: [] });
    }
    this.boxes.set(key, box);
  }

  removeMailbox(address: string): void {
    this.boxes.delete(address.toLowerCase());
  }

  /** The next call of `method` does its work and then throws (a reply lost after the server acted). */
  failAfterNext(method: string, error: AppError): void {
    this.afterFailures.push({ method, error, times: 1 });
  }

  failNext(method: string, error: AppError, times = 1, mailbox?: string): void {
    this.failures.push(mailbox === undefined ? { method, error, times } : { method, error, times, mailbox });
  }

  /** Makes every cursor handed out so far invalid (the server forgot its sync states). */
  forgetCursors(address: string): void {
    this.box(address).generation++;
  }

  /** Delivers a message into a folder (default Inbox) and returns it. */
  deliver(address: string, message: NewMessage, folder: WellKnownFolder | RemoteFolderId = 'inbox'): EmailMessage {
    const box = this.box(address);
    const f = this.folderOf(box, folder);
    const n = ++this.seq;
    const full: EmailMessage = {
      id: `item-${n}` as RemoteItemId,
      version: `v${n}` as RemoteVersion,
      folderId: f.ref.id,
      internetMessageId: `<msg-${n}@example.test>`,
      references: [],
      to: [{ address }],
      cc: [],
      bcc: [],
      replyTo: [],
      receivedAt: new Date(1_800_000_000_000 + n * 1000),
      body: { type: 'text', content: `body ${n}` },
      attachments: [],
      categories: [],
      isDraft: false,
      isRead: false,
      importance: 'normal',
      itemClass: 'IPM.Note',
      ...message,
    };
    f.items.set(full.id, full);
    f.log.push({ seq: ++this.seq, id: full.id, removed: false });
    return full;
  }

  /** Deletes a folder with its items, as a user deleting it in Outlook. */
  removeFolder(address: string, folderId: string): void {
    this.box(address).folders.delete(folderId);
  }

  items(address: string, folder: WellKnownFolder | RemoteFolderId = 'inbox'): EmailMessage[] {
    return [...this.folderOf(this.box(address), folder).items.values()];
  }

  folderByName(address: string, displayName: string): FolderRef | undefined {
    return [...this.box(address).folders.values()].find((f) => f.ref.displayName === displayName)?.ref;
  }

  orgStampOf(address: string): string | null {
    return this.box(address).orgStamp;
  }

  presetOrgStamp(address: string, orgId: string): void {
    this.box(address).orgStamp = orgId;
  }

  // ---- MailboxDriver ----

  async testConnection(mailbox: string): Promise<ConnectionCheck[]> {
    return this.call('testConnection', mailbox, () => [{ step: 'mailbox-access', ok: this.boxes.has(mailbox.toLowerCase()), detail: mailbox, durationMs: 0 }]);
  }

  async getMailboxInfo(mailbox: string): Promise<MailboxInfo> {
    return this.call('getMailboxInfo', mailbox, () => ({ smtpAddress: this.box(mailbox).address, serverVersion: '15.2.1544.4' }));
  }

  async getFolder(mailbox: string, folder: WellKnownFolder): Promise<FolderRef> {
    return this.call('getFolder', mailbox, () => this.folderOf(this.box(mailbox), folder).ref);
  }

  async ensureFolder(mailbox: string, displayName: string): Promise<FolderRef> {
    return this.call('ensureFolder', mailbox, () => {
      const box = this.box(mailbox);
      const existing = [...box.folders.values()].find((f) => f.ref.displayName === displayName);
      if (existing) return existing.ref;
      const id = `${mailbox.toLowerCase()}/custom-${++this.seq}` as RemoteFolderId;
      box.folders.set(id, { ref: { id, displayName }, items: new Map(), log: [] });
      return { id, displayName };
    });
  }

  async syncMessages(mailbox: string, folder: RemoteFolderId, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<EmailMessage>> {
    return this.call('syncMessages', mailbox, () => {
      const box = this.box(mailbox);
      const f = this.folderOf(box, folder);
      let from = 0;
      if (cursor !== null) {
        const [gen, seq] = cursor.split(':');
        if (Number(gen) !== box.generation) throw new AppError('sync_state_invalid', 'The sync state is no longer valid.', { kind: 'cursor-invalid', providerCode: 'ErrorInvalidSyncStateData' });
        from = Number(seq);
      }
      const pending = f.log.filter((e) => e.seq > from);
      const page = pending.slice(0, pageSize);
      const changes: FolderChange<EmailMessage>[] = [];
      for (const e of page) {
        const item = f.items.get(e.id);
        if (e.removed || item === undefined) changes.push({ type: 'removed', id: e.id as RemoteItemId });
        else changes.push({ type: 'upsert', id: item.id, version: item.version });
      }
      const last = page.at(-1)?.seq ?? from;
      return { changes, nextCursor: `${box.generation}:${last}` as SyncCursor, more: pending.length > page.length };
    });
  }

  async getMessages(mailbox: string, ids: RemoteItemId[]): Promise<ItemResult<EmailMessage>[]> {
    return this.call('getMessages', mailbox, () =>
      ids.map((id): ItemResult<EmailMessage> => {
        if (this.corrupt.has(id)) return { ok: false, error: new AppError('item_corrupt', 'The item is corrupt.', { kind: 'permanent', providerCode: 'ErrorCorruptData' }) };
        const itemError = this.itemErrors.get(id);
        if (itemError !== undefined) return { ok: false, error: itemError };
        const item = this.findItem(this.box(mailbox), id);
        return item ? { ok: true, value: structuredClone(item) } : { ok: false, error: new AppError('item_not_found', 'Not found', { kind: 'not-found', providerCode: 'ErrorItemNotFound' }) };
      }),
    );
  }

  async getAttachments(mailbox: string, itemId: RemoteItemId, attachmentIds: string[]): Promise<ItemResult<AttachmentContent>[]> {
    return this.call('getAttachments', mailbox, () => {
      const item = this.findItem(this.box(mailbox), itemId);
      return attachmentIds.map((aid): ItemResult<AttachmentContent> => {
        const meta = item?.attachments.find((a) => a.id === aid);
        if (!meta) return { ok: false, error: new AppError('attachment_not_found', 'Not found', { kind: 'not-found' }) };
        return { ok: true, value: { ...meta, content: Buffer.alloc(meta.size, 0x61) } };
      });
    });
  }

  async findByInternetMessageId(mailbox: string, folder: RemoteFolderId, internetMessageId: string): Promise<RemoteItemId[]> {
    return this.call('findByInternetMessageId', mailbox, () =>
      [...this.folderOf(this.box(mailbox), folder).items.values()].filter((m) => m.internetMessageId === internetMessageId).map((m) => m.id),
    );
  }

  async addCategories(mailbox: string, ids: RemoteItemId[], categories: string[]): Promise<ItemResult<RemoteVersion>[]> {
    return this.call('addCategories', mailbox, () =>
      ids.map((id) => this.touch(mailbox, id, (m) => (m.categories = [...new Set([...m.categories, ...categories])]))),
    );
  }

  async setStamp(mailbox: string, ids: RemoteItemId[], stamp: DovetailStamp): Promise<ItemResult<RemoteVersion>[]> {
    return this.call('setStamp', mailbox, () =>
      ids.map((id) =>
        this.touch(mailbox, id, (m) => {
          m.stamp = { ...stamp };
          const key = `${mailbox.toLowerCase()}|${m.internetMessageId}`;
          this.stampsPerItem.set(key, (this.stampsPerItem.get(key) ?? 0) + 1);
        }),
      ),
    );
  }

  async moveMessages(mailbox: string, ids: RemoteItemId[], to: RemoteFolderId): Promise<ItemResult<RemoteItemId>[]> {
    return this.call('moveMessages', mailbox, () => {
      const box = this.box(mailbox);
      const target = this.folderOf(box, to);
      return ids.map((id): ItemResult<RemoteItemId> => {
        for (const f of box.folders.values()) {
          const item = f.items.get(id);
          if (!item) continue;
          f.items.delete(id);
          f.log.push({ seq: ++this.seq, id, removed: true });
          const moved = { ...item, id: `item-${++this.seq}` as RemoteItemId, folderId: target.ref.id };
          target.items.set(moved.id, moved);
          target.log.push({ seq: ++this.seq, id: moved.id, removed: false });
          return { ok: true, value: moved.id };
        }
        return { ok: false, error: new AppError('item_not_found', 'Not found', { kind: 'not-found', providerCode: 'ErrorItemNotFound' }) };
      });
    });
  }

  async sendMessage(mailbox: string, email: OutgoingEmail): Promise<SentEmail> {
    return this.call('sendMessage', mailbox, () => {
      this.sendsPerMessageId.set(email.internetMessageId, (this.sendsPerMessageId.get(email.internetMessageId) ?? 0) + 1);
      const base = {
        internetMessageId: email.internetMessageId,
        references: email.references ?? [],
        from: email.from,
        to: email.to,
        cc: email.cc,
        body: email.body,
        ...(email.inReplyTo === undefined ? {} : { inReplyTo: email.inReplyTo }),
      };
      const copy = this.deliver(mailbox, { ...base, subject: email.subject, stamp: email.stamp, isRead: true }, 'sentitems');
      for (const r of [...email.to, ...email.cc, ...email.bcc]) {
        if (this.boxes.has(r.address.toLowerCase())) this.deliver(r.address, { ...base, subject: email.subject });
      }
      return { id: copy.id, internetMessageId: email.internetMessageId };
    });
  }

  async getOrgStamp(mailbox: string): Promise<string | null> {
    return this.call('getOrgStamp', mailbox, () => this.box(mailbox).orgStamp);
  }

  async setOrgStamp(mailbox: string, orgId: string): Promise<void> {
    return this.call('setOrgStamp', mailbox, () => {
      this.box(mailbox).orgStamp = orgId;
    });
  }

  async syncItems<K extends ActKind>(mailbox: string, _kind: K, _cursor: SyncCursor | null, _pageSize: number): Promise<ChangePage<ActItem<K>>> {
    return this.call('syncItems', mailbox, () => ({ changes: [], nextCursor: '1:0' as SyncCursor, more: false }));
  }

  async getItems<K extends ActKind>(mailbox: string, _kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    return this.call('getItems', mailbox, () => ids.map(() => ({ ok: false as const, error: new AppError('item_not_found', 'Not found', { kind: 'not-found' }) })));
  }

  async createItem<K extends ActKind>(): Promise<ActItem<K>> {
    throw new AppError('not_supported', 'The fake Exchange keeps no appointments, contacts or tasks.', { kind: 'permanent' });
  }

  async updateItem<K extends ActKind>(_m: string, _k: K, _id: RemoteItemId, _v: RemoteVersion, _d: ActData<K>): Promise<ActItem<K>> {
    throw new AppError('not_supported', 'The fake Exchange keeps no appointments, contacts or tasks.', { kind: 'permanent' });
  }

  async deleteItem(): Promise<void> {}

  async close(): Promise<void> {}

  // ---- internals ----

  private async call<T>(method: string, mailbox: string, body: () => T): Promise<T> {
    const key = mailbox.toLowerCase();
    this.calls.push({ method, mailbox: key });
    const n = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, n);
    this.maxOverlap = Math.max(this.maxOverlap, n);
    try {
      if (this.onCall) await this.onCall(method, key);
      const i = this.failures.findIndex((f) => f.method === method && (f.mailbox === undefined || f.mailbox === key));
      if (i >= 0) {
        const f = this.failures[i]!;
        if (--f.times <= 0) this.failures.splice(i, 1);
        throw f.error;
      }
      const result = body();
      const j = this.afterFailures.findIndex((f) => f.method === method);
      if (j >= 0) {
        const f = this.afterFailures[j]!;
        this.afterFailures.splice(j, 1);
        throw f.error;
      }
      return result;
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }

  private box(address: string): Mailbox {
    const box = this.boxes.get(address.toLowerCase());
    if (!box) throw new AppError('mailbox_not_found', `No mailbox ${address}`, { kind: 'not-found', providerCode: 'ErrorNonExistentMailbox' });
    return box;
  }

  private folderOf(box: Mailbox, folder: WellKnownFolder | RemoteFolderId): Folder {
    const f = box.folders.get(folder) ?? box.folders.get(`${box.address.toLowerCase()}/${folder}`);
    if (!f) throw new AppError('folder_not_found', `No folder ${folder}`, { kind: 'not-found', providerCode: 'ErrorFolderNotFound' });
    return f;
  }

  private findItem(box: Mailbox, id: string): EmailMessage | undefined {
    for (const f of box.folders.values()) {
      const item = f.items.get(id);
      if (item) return item;
    }
    return undefined;
  }

  private touch(mailbox: string, id: RemoteItemId, change: (m: EmailMessage) => void): ItemResult<RemoteVersion> {
    const box = this.box(mailbox);
    for (const f of box.folders.values()) {
      const item = f.items.get(id);
      if (!item) continue;
      change(item);
      item.version = `v${++this.seq}` as RemoteVersion;
      f.log.push({ seq: ++this.seq, id, removed: false });
      return { ok: true, value: item.version };
    }
    return { ok: false, error: new AppError('item_not_found', 'Not found', { kind: 'not-found', providerCode: 'ErrorItemNotFound' }) };
  }
}
