/**
 * An in-memory Exchange folder per kind for ACT tests: versions change on every write, writes are
 * conditional, a change log answers syncItems from a cursor, and failures can be injected before
 * or after a write takes effect (a lost answer).
 */
import type { ActData, ActItem, ActKind, ChangePage, DovetailStamp, FolderChange, ItemResult, RemoteItemId, RemoteVersion, SyncCursor } from '../../src/exchange/driver.ts';
import { AppError } from '../../src/errors.ts';
import type { ActDriver } from '../../src/sync/act/ports.ts';

type Stored = { id: RemoteItemId; version: RemoteVersion; data: ActData<ActKind>; stamp?: DovetailStamp; lastModifiedAt: Date; kind: ActKind };

export class MemoryExchange implements ActDriver {
  readonly items = new Map<string, Stored>();
  private log: Array<{ seq: number; kind: ActKind; change: 'upsert' | 'removed'; id: RemoteItemId }> = [];
  private seq = 0;
  private serial = 0;
  now = 1;
  /** Each entry fails one future write: 'before' throws without writing, 'after' writes then throws. */
  failures: Array<'before' | 'after'> = [];
  calls = { create: 0, update: 0, delete: 0 };
  /** Batches of ids getItems was asked for, in order. */
  reads: string[][] = [];
  /**
   * Which items a listing from scratch shows: all by default; Graph lists a calendar through a
   * calendarView window, so an older or far-future meeting is left out of it.
   */
  listed: (item: { kind: ActKind; data: ActData<ActKind> }) => boolean = () => true;
  /** A listing from scratch comes a page at a time (by default all in one page). */
  pagedListing = false;
  /** Cursors older than this were forgotten by the server. */
  private floor = 0;

  private bump(kind: ActKind, change: 'upsert' | 'removed', id: RemoteItemId): void {
    this.log.push({ seq: ++this.seq, kind, change, id });
  }

  private write<T>(fn: () => T): T {
    const mode = this.failures.shift();
    if (mode === 'before') throw new AppError('server_busy', 'The server is busy.', { kind: 'transient' });
    const out = fn();
    if (mode === 'after') throw new AppError('connection_reset', 'The connection was reset before the answer.', { kind: 'transient' });
    return out;
  }

  private snapshot<K extends ActKind>(s: Stored): ActItem<K> {
    return { id: s.id, version: s.version, data: structuredClone(s.data) as ActData<K>, ...(s.stamp === undefined ? {} : { stamp: { ...s.stamp } }), lastModifiedAt: s.lastModifiedAt };
  }

  /** The owner's own edit in Outlook. */
  put<K extends ActKind>(kind: K, data: ActData<K>, id?: string, stamp?: DovetailStamp): RemoteItemId {
    const itemId = (id ?? `item-${++this.serial}`) as RemoteItemId;
    const prev = this.items.get(itemId);
    this.items.set(itemId, { id: itemId, kind, data: structuredClone(data), version: `v${++this.serial}` as RemoteVersion, lastModifiedAt: new Date(this.now), ...((stamp ?? prev?.stamp) === undefined ? {} : { stamp: (stamp ?? prev?.stamp)! }) });
    this.bump(kind, 'upsert', itemId);
    return itemId;
  }

  remove(kind: ActKind, id: string): void {
    if (this.items.delete(id)) this.bump(kind, 'removed', id as RemoteItemId);
  }

  /** Forgets every cursor handed out so far, as a server that lost its sync states. */
  forgetCursors(): void {
    this.floor = ++this.seq;
  }

  list(kind: ActKind): Stored[] {
    return [...this.items.values()].filter((s) => s.kind === kind);
  }

  async syncItems<K extends ActKind>(_mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>> {
    if (cursor === null || cursor.startsWith('list:')) {
      // A listing from scratch: the items as of its start, `pageSize` a page when `pagedListing`,
      // then the changes made since it started.
      const [at, offset] = cursor === null ? [this.seq, 0] : cursor.slice(5).split(':').map(Number);
      if (at! < this.floor) throw new AppError('invalid_sync_state', 'Bad cursor.', { kind: 'cursor-invalid' });
      const all = this.list(kind).filter((s) => this.listed(s) && this.log.some((e) => e.id === s.id && e.seq <= at!));
      const size = this.pagedListing ? pageSize : all.length;
      const page = all.slice(offset!, offset! + size);
      const more = offset! + size < all.length;
      return { changes: page.map((s) => ({ type: 'upsert', id: s.id, version: s.version })), nextCursor: (more ? `list:${at}:${offset! + size}` : String(at)) as SyncCursor, more };
    }
    const from = Number(cursor);
    if (!Number.isInteger(from) || from > this.seq || from < this.floor) throw new AppError('invalid_sync_state', 'Bad cursor.', { kind: 'cursor-invalid' });
    const entries = this.log.filter((e) => e.seq > from && e.kind === kind);
    const page = entries.slice(0, pageSize);
    const changes: FolderChange<ActItem<K>>[] = page.map((e) => {
      const s = this.items.get(e.id);
      return e.change === 'removed' || s === undefined ? { type: 'removed', id: e.id } : { type: 'upsert', id: e.id, version: s.version };
    });
    const last = page.length === entries.length ? this.seq : page[page.length - 1]!.seq;
    return { changes, nextCursor: String(last) as SyncCursor, more: page.length < entries.length };
  }

  async getItems<K extends ActKind>(_mailbox: string, _kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    this.reads.push([...ids]);
    return ids.map((id) => {
      const s = this.items.get(id);
      return s === undefined ? { ok: false, error: new AppError('item_not_found', 'Not found.', { kind: 'not-found' }) } : { ok: true, value: this.snapshot<K>(s) };
    });
  }

  async createItem<K extends ActKind>(_mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp): Promise<ActItem<K>> {
    return this.write(() => {
      this.calls.create++;
      const id = this.put(kind, data, undefined, stamp);
      return this.snapshot<K>(this.items.get(id)!);
    });
  }

  async updateItem<K extends ActKind>(_mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>): Promise<ActItem<K>> {
    return this.write(() => {
      const s = this.items.get(id);
      if (s === undefined) throw new AppError('item_not_found', 'Not found.', { kind: 'not-found' });
      if (s.version !== version) throw new AppError('change_key_mismatch', 'The item changed.', { kind: 'conflict' });
      this.calls.update++;
      this.put(kind, data, id);
      return this.snapshot<K>(this.items.get(id)!);
    });
  }

  async deleteItem(_mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion): Promise<void> {
    return this.write(() => {
      const s = this.items.get(id);
      if (s === undefined) return;
      if (version !== undefined && s.version !== version) throw new AppError('change_key_mismatch', 'The item changed.', { kind: 'conflict' });
      this.calls.delete++;
      this.remove(kind, id);
    });
  }
}
