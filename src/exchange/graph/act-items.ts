import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { ActData, ActItem, ActKind, ChangePage, DovetailStamp, ItemResult, RemoteItemId, RemoteVersion, SyncCursor } from '../driver.ts';
import type { GraphClient } from './client.ts';
import { deltaPage, immutableIds, pageSizePreference } from './delta.ts';
import { sendBatch, type BatchItem } from './resources/batch.ts';
import { contactPath, contactsDeltaPath, fromContact, toContact } from './resources/contacts.ts';
import { calendarViewDeltaPath, eventsPath, fromAppointment, sameRecurrence, timeZonePreference, toAppointment } from './resources/events.ts';
import { readExceptions, writeExceptions, type SeriesData } from './resources/event-occurrences.ts';
import {
  activityIdProperty,
  dovetailExtensionName,
  expandProperties,
  orgIdProperty,
  stampExtension,
  stampFromExtension,
  stampFromProperties,
  stampProperties,
} from './resources/extensions.ts';
import { obj, str, type Json } from './resources/graph-json.ts';
import { etagOf } from './resources/messages.ts';
import { defaultListId, fromTask, tasksPath, toTask } from './resources/todo-tasks.ts';

/**
 * Appointments, contacts and tasks over Graph, with the same semantics as EWS: versions are etags,
 * updates and deletes are conditional on them (If-Match; a mismatch is 412 -> kind conflict), a
 * delete of an item already gone succeeds, and the stamp rides along (extended properties on events
 * and contacts, an open extension on To Do tasks).
 */
export type ActOptions = {
  clock: Clock;
  /** Zone for event start/end (Prefer: outlook.timezone). */
  timeZone: string;
  /** calendarView delta window around "now" when a full enumeration starts. */
  calendarWindow: { pastDays: number; futureDays: number };
};

const DAY = 86_400_000;
const stampExpand = expandProperties([orgIdProperty, activityIdProperty]);

export class ActItems {
  readonly #client: GraphClient;
  readonly #options: ActOptions;
  readonly #lists = new Map<string, Promise<string>>();

  constructor(client: GraphClient, options: ActOptions) {
    this.#client = client;
    this.#options = options;
  }

  async sync<K extends ActKind>(mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>> {
    const prefer = [pageSizePreference(pageSize), immutableIds, ...(kind === 'appointment' ? [timeZonePreference(this.#options.timeZone)] : [])];
    const initial = await this.#initialDelta(mailbox, kind);
    const page = await deltaPage(this.#client, mailbox, cursor, initial, prefer);
    const changes: ChangePage<ActItem<K>>['changes'] = [];
    const seen = new Set<string>();
    // calendarView delta also reports an event as removed when it is (or moves) outside the
    // window the listing started with, e.g. a meeting 60 days back that Dovetail itself created
    // or that someone edited. Only an event that is really gone may reach the engine as removed.
    const stillThere = kind === 'appointment' ? await this.#existing(mailbox, page.entries.filter((e) => e.removed).map((e) => e.id as RemoteItemId)) : new Map<string, string>();
    for (const entry of page.entries) {
      if (entry.removed) {
        const version = stillThere.get(entry.id);
        if (version === undefined) changes.push({ type: 'removed', id: entry.id as RemoteItemId });
        else if (!seen.has(entry.id)) {
          seen.add(entry.id);
          changes.push({ type: 'upsert', id: entry.id as RemoteItemId, version: version as RemoteVersion });
        }
        continue;
      }
      // calendarView delta returns the occurrences of a series, never its master
      // (https://learn.microsoft.com/graph/delta-query-events): an occurrence stands for a change to its
      // series, which is the item Dovetail syncs. Its version is the master's, read with getItems.
      const masterId = kind === 'appointment' && entry.resource['type'] === 'occurrence' ? str(entry.resource['seriesMasterId']) : undefined;
      const id = masterId ?? entry.id;
      if (seen.has(id)) continue;
      seen.add(id);
      changes.push({ type: 'upsert', id: id as RemoteItemId, version: (masterId === undefined ? (entry.etag ?? '') : '') as RemoteVersion });
    }
    return { changes, nextCursor: page.nextCursor, more: page.more };
  }

  /**
   * Which of these events still exist, with their etags: read by id in $batch. Not found means
   * gone; any other failure is thrown, so the page is read again rather than taken as deletes.
   */
  async #existing(mailbox: string, ids: RemoteItemId[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const base = await this.#itemBase(mailbox, 'appointment');
    const results = await sendBatch(this.#client, mailbox, ids.map((id) => ({ method: 'GET', url: `${base(id)}?$select=id`, headers: this.#headers('appointment') })));
    for (const [i, r] of results.entries()) {
      if (r.ok) {
        const body = r.value.body as Json;
        out.set(ids[i]!, str(body['@odata.etag']) ?? '');
      } else if (r.error.kind !== 'not-found') throw r.error;
    }
    return out;
  }

  async get<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    const base = await this.#itemBase(mailbox, kind);
    const items: BatchItem[] = ids.map((id) => ({ method: 'GET', url: `${base(id)}?$expand=${this.#expand(kind)}`, headers: this.#headers(kind) }));
    const results = await sendBatch(this.#client, mailbox, items);
    const out: ItemResult<ActItem<K>>[] = results.map((r) => (r.ok ? { ok: true, value: this.#toItem(kind, r.value.body as Json) } : r));
    if (kind !== 'appointment') return out;
    // A series master carries its exceptions: its cancelled occurrences and its changed ones.
    for (let i = 0; i < out.length; i++) {
      const r = out[i]!;
      const data = r.ok ? (r.value.data as SeriesData) : undefined;
      if (!r.ok || data?.recurrence === undefined) continue;
      try {
        const exceptions = await readExceptions(this.#client, mailbox, r.value.id, (results[i] as { ok: true; value: { body: unknown } }).value.body as Json, data, this.#horizon(), timeZonePreference(this.#options.timeZone));
        if (exceptions.length > 0) data.exceptions = exceptions;
      } catch (error) {
        out[i] = { ok: false, error: error as AppError };
      }
    }
    return out;
  }

  async create<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp): Promise<ActItem<K>> {
    const collection = await this.#collectionPath(mailbox, kind);
    const stampBody = kind === 'task' ? {} : { singleValueExtendedProperties: stampProperties(stamp) };
    const created = await this.#client.request({
      method: 'POST',
      mailbox,
      path: collection,
      headers: this.#headers(kind),
      body: { ...this.#fromData(kind, data), ...stampBody },
    });
    const id = String((created.body as Json)['id']) as RemoteItemId;
    if (kind === 'task') {
      // To Do tasks take the stamp as an open extension, added once the task exists.
      await this.#client.request({ method: 'POST', mailbox, path: `${collection}/${encodeURIComponent(id)}/extensions`, body: stampExtension(stamp) });
    }
    if (kind === 'appointment') await this.#writeExceptions(mailbox, id, data as SeriesData);
    return this.#getOne(mailbox, kind, id);
  }

  async update<K extends ActKind>(mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>): Promise<ActItem<K>> {
    const base = await this.#itemBase(mailbox, kind);
    const body = this.#fromData(kind, data);
    if (kind === 'appointment' && (data as SeriesData).recurrence !== undefined) {
      // Writing a series' recurrence again drops its exceptions: send it only when it changed.
      const current = await this.#client.request({ method: 'GET', mailbox, path: base(id), query: { $select: 'recurrence' }, headers: this.#headers(kind) });
      if (sameRecurrence(obj(current.body)['recurrence'], (data as SeriesData).recurrence)) delete body['recurrence'];
    }
    await this.#client.request({
      method: 'PATCH',
      mailbox,
      path: base(id),
      headers: { ...this.#headers(kind), 'if-match': version },
      body,
    });
    if (kind === 'appointment') await this.#writeExceptions(mailbox, id, data as SeriesData);
    return this.#getOne(mailbox, kind, id);
  }

  async #writeExceptions(mailbox: string, id: RemoteItemId, data: SeriesData): Promise<void> {
    if (data.recurrence === undefined || (data.exceptions ?? []).length === 0) return;
    const current = (await this.#getOne(mailbox, 'appointment', id)).data as SeriesData;
    await writeExceptions(this.#client, mailbox, id, data, current.exceptions ?? [], this.#horizon(), timeZonePreference(this.#options.timeZone));
  }

  #horizon(): number {
    return this.#options.clock.now() + this.#options.calendarWindow.futureDays * DAY;
  }

  async delete(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion): Promise<void> {
    const base = await this.#itemBase(mailbox, kind);
    try {
      await this.#client.request({ method: 'DELETE', mailbox, path: base(id), headers: version === undefined ? {} : { 'if-match': version } });
    } catch (error) {
      if ((error as AppError).kind === 'not-found') return;
      throw error;
    }
  }

  async #getOne<K extends ActKind>(mailbox: string, kind: K, id: RemoteItemId): Promise<ActItem<K>> {
    const [result] = await this.get(mailbox, kind, [id]);
    if (result === undefined) throw new AppError('graph_item_missing', `Item ${id} was not returned.`, { kind: 'transient' });
    if (!result.ok) throw result.error;
    return result.value;
  }

  async #initialDelta(mailbox: string, kind: ActKind): Promise<{ path: string; query?: Record<string, string> }> {
    if (kind === 'appointment') {
      const now = this.#options.clock.now();
      const start = new Date(now - this.#options.calendarWindow.pastDays * DAY).toISOString();
      const end = new Date(now + this.#options.calendarWindow.futureDays * DAY).toISOString();
      return { path: calendarViewDeltaPath(mailbox), query: { startDateTime: start, endDateTime: end } };
    }
    if (kind === 'contact') return { path: contactsDeltaPath(mailbox) };
    return { path: `${tasksPath(mailbox, await this.#taskList(mailbox))}/delta` };
  }

  async #collectionPath(mailbox: string, kind: ActKind): Promise<string> {
    if (kind === 'appointment') return eventsPath(mailbox);
    if (kind === 'contact') return contactPath(mailbox);
    return tasksPath(mailbox, await this.#taskList(mailbox));
  }

  async #itemBase(mailbox: string, kind: ActKind): Promise<(id: string) => string> {
    if (kind === 'appointment') return (id) => eventsPath(mailbox, id);
    if (kind === 'contact') return (id) => contactPath(mailbox, id);
    const list = await this.#taskList(mailbox);
    return (id) => tasksPath(mailbox, list, id);
  }

  #taskList(mailbox: string): Promise<string> {
    const key = mailbox.toLowerCase();
    let list = this.#lists.get(key);
    if (list === undefined) {
      list = defaultListId(this.#client, mailbox);
      list.catch(() => this.#lists.delete(key));
      this.#lists.set(key, list);
    }
    return list;
  }

  #expand(kind: ActKind): string {
    return kind === 'task' ? `extensions($filter=id eq '${dovetailExtensionName}')` : stampExpand;
  }

  #headers(kind: ActKind): Record<string, string> {
    return { prefer: kind === 'appointment' ? `${immutableIds}, ${timeZonePreference(this.#options.timeZone)}` : immutableIds };
  }

  #fromData(kind: ActKind, data: ActData<ActKind>): Json {
    if (kind === 'appointment') return fromAppointment(data as ActData<'appointment'>);
    if (kind === 'contact') return fromContact(data as ActData<'contact'>);
    return fromTask(data as ActData<'task'>);
  }

  #toItem<K extends ActKind>(kind: K, resource: Json): ActItem<K> {
    const data = (kind === 'appointment' ? toAppointment(resource) : kind === 'contact' ? toContact(resource) : toTask(resource)) as ActData<K>;
    const stamp = kind === 'task' ? stampFromExtension(resource) : stampFromProperties(resource);
    const modified = str(resource['lastModifiedDateTime']);
    return {
      id: String(resource['id']) as RemoteItemId,
      version: etagOf(resource),
      data,
      ...(stamp === undefined ? {} : { stamp }),
      lastModifiedAt: new Date(modified ?? 0),
    };
  }
}
