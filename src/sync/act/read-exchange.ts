/**
 * Reads one kind's Exchange changes since the cursor and fetches the content of what changed.
 * A cursor the server forgot becomes a full enumeration; an item it leaves out is not yet known to be
 * gone (the caller reads it by id).
 */
import type { ActItem, ActKind, RemoteItemId, RemoteVersion, SyncCursor } from '../../exchange/driver.ts';
import { isAppError } from '../../errors.ts';
import type { ActDriver } from './ports.ts';

export type ExchangeChanges = {
  items: Map<string, ActItem<ActKind>>;
  /** Upserted ids with the version the sync reported (content fetched only when needed). */
  versions: Map<string, RemoteVersion>;
  gone: Set<string>;
  cursor: SyncCursor;
  /** The reading started from scratch (no cursor, or one Exchange forgot): it lists the folder rather than its changes. */
  fromStart: boolean;
  /**
   * Every item of the folder was listed in this one reading. An item not in `versions` may still
   * exist: Graph lists a calendar through a calendarView window, so read it by id before calling it gone.
   */
  full: boolean;
  more: boolean;
};

export type ReadOptions = { mailbox: string; pageSize: number; maxPages: number };

export async function readExchange(driver: ActDriver, kind: ActKind, cursor: SyncCursor | null, o: ReadOptions, known: (id: string, version: RemoteVersion) => boolean): Promise<ExchangeChanges> {
  const versions = new Map<string, RemoteVersion>();
  const inline = new Map<string, ActItem<ActKind>>();
  const gone = new Set<string>();
  let current = cursor;
  let fromStart = cursor === null;
  let more = true;
  let pages = 0;
  while (more && pages < o.maxPages) {
    let page;
    try {
      page = await driver.syncItems(o.mailbox, kind, current, o.pageSize);
    } catch (error) {
      if (isAppError(error) && error.kind === 'cursor-invalid' && !fromStart) {
        versions.clear();
        inline.clear();
        gone.clear();
        current = null;
        fromStart = true;
        pages = 0;
        continue;
      }
      throw error;
    }
    pages++;
    for (const c of page.changes) {
      if (c.type === 'upsert') {
        versions.set(c.id, c.version);
        gone.delete(c.id);
        if (c.item !== undefined) inline.set(c.id, c.item as ActItem<ActKind>);
      } else if (c.type === 'removed') {
        gone.add(c.id);
        versions.delete(c.id);
        inline.delete(c.id);
      }
    }
    current = page.nextCursor;
    more = page.more;
  }
  const items = new Map<string, ActItem<ActKind>>();
  const toFetch: RemoteItemId[] = [];
  for (const [id, version] of versions) {
    const item = inline.get(id);
    if (item !== undefined) items.set(id, item);
    else if (!known(id, version)) toFetch.push(id as RemoteItemId);
  }
  for (const [id, item] of await fetchItems(driver, o.mailbox, kind, toFetch)) {
    if (item === null) {
      gone.add(id);
      versions.delete(id);
    } else items.set(id, item);
  }
  return { items, versions, gone, cursor: current!, fromStart, full: fromStart && !more, more };
}

/** Items by id, null for those gone; other per-item errors are thrown. */
export async function fetchItems(driver: ActDriver, mailbox: string, kind: ActKind, ids: RemoteItemId[]): Promise<Map<string, ActItem<ActKind> | null>> {
  const out = new Map<string, ActItem<ActKind> | null>();
  for (let i = 0; i < ids.length; i += 50) {
    const batch = ids.slice(i, i + 50);
    const results = await driver.getItems(mailbox, kind, batch);
    results.forEach((r, n) => {
      const id = batch[n]!;
      if (r.ok) out.set(id, r.value as ActItem<ActKind>);
      else if (r.error.kind === 'not-found') out.set(id, null);
      else throw r.error;
    });
  }
  return out;
}

/** Lists the whole folder for items carrying these CRM ids in their stamp (a create whose answer was lost). */
export async function findStamped(driver: ActDriver, mailbox: string, kind: ActKind, orgId: string, crmIds: Set<string>, pageSize: number): Promise<Map<string, ActItem<ActKind>>> {
  const found = new Map<string, ActItem<ActKind>>();
  const all = await readExchange(driver, kind, null, { mailbox, pageSize, maxPages: 10_000 }, () => false);
  for (const item of all.items.values()) {
    const s = item.stamp;
    if (s?.orgId === orgId && s.activityId !== undefined && crmIds.has(s.activityId)) found.set(s.activityId, item);
  }
  return found;
}
