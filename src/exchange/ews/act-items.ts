import type { ActData, ActItem, ActKind, DovetailStamp, ItemResult, RemoteItemId, RemoteVersion } from '../driver.ts';
import { AppError } from '../../errors.ts';
import { actKinds } from './act-kinds.ts';
import type { EwsClient } from './client.ts';
import { readStamp, stampProperties } from './mapping/stamp-mapping.ts';
import { CreateItem } from './operations/create-item.ts';
import { DeleteItem } from './operations/delete-item.ts';
import { UpdateItem } from './operations/update-item.ts';
import { byDate, deletedExceptions, exceptionWrites, modifiedException, seriesZone, type SeriesData } from './mapping/occurrence-exceptions.ts';
import { instantOf, isoUtc } from './mapping/time-zones.ts';
import { calendarItemFields, type CalendarItemRecord } from './schema/calendar-item.ts';
import { fieldNamed, type Field } from './schema/codec.ts';
import { setField } from './schema/item-change.ts';
import { stampActivityIdProperty, stampOrgIdProperty } from './schema/extended-property.ts';
import type { ItemIdRef } from './schema/folder-id.ts';
import type { ItemUpdate } from './schema/item-change.ts';
import type { WireItem } from './schema/item-kinds.ts';
import type { ShapeOptions } from './schema/shape.ts';

type BatchGet = (mailbox: string, ids: readonly ItemIdRef[], shape: ShapeOptions) => Promise<ItemResult<WireItem>[]>;

/** Appointments, contacts and tasks (ACT) in their default folders: read, created, conditionally updated, deleted. */
export class ActItems {
  readonly #client: EwsClient;
  readonly #get: BatchGet;

  constructor(client: EwsClient, get: BatchGet) {
    this.#client = client;
    this.#get = get;
  }

  #toActItem<K extends ActKind>(kind: K, item: WireItem): ActItem<K> {
    const spec = actKinds[kind];
    const stamp = readStamp(item.record.ExtendedProperty);
    return {
      id: (item.record.ItemId?.Id ?? '') as RemoteItemId,
      version: (item.record.ItemId?.ChangeKey ?? '') as RemoteVersion,
      data: spec.toData(item) as ActData<K>,
      ...(stamp === undefined ? {} : { stamp }),
      lastModifiedAt: new Date(item.record.LastModifiedTime ?? 0),
    };
  }

  #actShape(kind: ActKind): ShapeOptions {
    return { baseShape: 'IdOnly', fields: actKinds[kind].readFields, extended: [stampOrgIdProperty, stampActivityIdProperty], bodyType: kind === 'appointment' ? 'Best' : 'Text' };
  }

  async getItems<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    const items = await this.#get(mailbox, ids.map((Id) => ({ Id })), this.#actShape(kind));
    const out: ItemResult<ActItem<K>>[] = items.map((r) => (r.ok ? { ok: true, value: this.#toActItem(kind, r.value) } : r));
    if (kind === 'appointment') await this.#readExceptions(mailbox, items, out as ItemResult<ActItem<'appointment'>>[]);
    return out;
  }

  /** A recurring master carries its exceptions: DeletedOccurrences, and ModifiedOccurrences read in full. */
  async #readExceptions(mailbox: string, items: ItemResult<WireItem>[], out: ItemResult<ActItem<'appointment'>>[]): Promise<void> {
    const modified: Array<{ at: number; zone: string; id: ItemIdRef }> = [];
    items.forEach((r, at) => {
      if (!r.ok) return;
      const rec = r.value.record as CalendarItemRecord;
      if (rec.Recurrence === undefined) return;
      const o = out[at]!;
      const deleted = deletedExceptions(rec);
      if (o.ok && deleted.length > 0) (o.value.data as SeriesData).exceptions = deleted;
      for (const m of rec.ModifiedOccurrences ?? []) modified.push({ at, zone: seriesZone(rec), id: { Id: m.ItemId.Id } });
    });
    if (modified.length === 0) return;
    const fields = (['ItemId', 'Subject', 'Location', 'Start', 'End', 'OriginalStart'] as const).map((n) => fieldNamed(calendarItemFields, n));
    const got = await this.#get(mailbox, modified.map((m) => m.id), { baseShape: 'IdOnly', fields });
    got.forEach((r, n) => {
      const m = modified[n]!;
      const o = out[m.at]!;
      if (!o.ok) return;
      if (!r.ok) {
        out[m.at] = { ok: false, error: r.error };
        return;
      }
      const data = o.value.data as SeriesData;
      data.exceptions = byDate([...(data.exceptions ?? []), modifiedException(r.value.record as CalendarItemRecord, m.zone)]);
    });
  }

  /** Cancels and changes occurrences of a series to match `data.exceptions`, one OccurrenceItemId at a time. */
  async #writeExceptions(mailbox: string, id: RemoteItemId, data: SeriesData): Promise<boolean> {
    if (data.recurrence === undefined || (data.exceptions ?? []).length === 0) return false;
    const current = (await this.#getOne(mailbox, 'appointment', { Id: id })).data as SeriesData;
    const writes = exceptionWrites(data, current.exceptions ?? []);
    for (const w of writes) {
      if (w.change.deleted) {
        const [r] = await this.#client.call(DeleteItem, { ids: [{ Id: id, InstanceIndex: w.index }], deleteType: 'MoveToDeletedItems', sendMeetingCancellations: 'SendToNone' }, { mailbox });
        if (r && !r.ok && r.error.kind !== 'not-found') throw r.error;
        continue;
      }
      const [master] = await this.#get(mailbox, [{ Id: id }], { baseShape: 'IdOnly' });
      if (!master?.ok) throw master?.error ?? new AppError('ews_malformed_response', 'GetItem returned no result', { kind: 'transient' });
      const c = w.change;
      const f = (n: 'Subject' | 'Location' | 'Start' | 'End') => fieldNamed(calendarItemFields, n) as Field<string, string>;
      const updates: ItemUpdate[] = [
        setField('CalendarItem', f('Subject'), c.subject),
        setField('CalendarItem', f('Location'), c.location),
        setField('CalendarItem', f('Start'), isoUtc(instantOf(c.start.dateTime, c.start.timeZone))),
        setField('CalendarItem', f('End'), isoUtc(instantOf(c.end.dateTime, c.end.timeZone))),
      ];
      const [r] = await this.#client.call(
        UpdateItem,
        { conflictResolution: 'NeverOverwrite', changes: [{ itemId: { Id: id, InstanceIndex: w.index, ...(master.value.record.ItemId?.ChangeKey === undefined ? {} : { ChangeKey: master.value.record.ItemId.ChangeKey }) }, updates }], sendMeetingInvitationsOrCancellations: 'SendToNone' },
        { mailbox },
      );
      if (!r) throw new AppError('ews_malformed_response', 'UpdateItem returned no result', { kind: 'transient' });
      if (!r.ok) throw r.error;
      if (r.value.conflictCount > 0) throw new AppError('ews_irresolvable_conflict', 'UpdateItem: the series changed while one of its occurrences was written', { kind: 'conflict', providerCode: 'ErrorIrresolvableConflict' });
    }
    return writes.length > 0;
  }

  async #getOne<K extends ActKind>(mailbox: string, kind: K, id: ItemIdRef): Promise<ActItem<K>> {
    if (kind === 'appointment') {
      const [a] = await this.getItems(mailbox, kind, [id.Id as RemoteItemId]);
      if (!a) throw new AppError('ews_malformed_response', 'GetItem returned no result', { kind: 'transient' });
      if (!a.ok) throw a.error;
      return a.value;
    }
    const [r] = await this.#get(mailbox, [id], this.#actShape(kind));
    if (!r) throw new AppError('ews_malformed_response', 'GetItem returned no result', { kind: 'transient' });
    if (!r.ok) throw r.error;
    return this.#toActItem(kind, r.value);
  }

  async createItem<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp, options: { sendInvitations?: boolean } = {}): Promise<ActItem<K>> {
    const spec = actKinds[kind];
    const item = (spec.toItem as (d: ActData<K>) => WireItem)(data);
    item.record.ExtendedProperty = stampProperties(stamp);
    const [r] = await this.#client.call(
      CreateItem,
      {
        items: [item],
        savedItemFolder: { distinguished: spec.folder },
        ...(kind === 'appointment' ? { sendMeetingInvitations: options.sendInvitations ? ('SendToAllAndSaveCopy' as const) : ('SendToNone' as const) } : {}),
      },
      { mailbox },
    );
    if (!r) throw new AppError('ews_malformed_response', 'CreateItem returned no result', { kind: 'transient' });
    if (!r.ok) throw r.error;
    const id = r.value?.record.ItemId;
    if (!id) throw new AppError('ews_malformed_response', 'CreateItem returned no ItemId', { kind: 'transient' });
    if (kind === 'appointment') await this.#writeExceptions(mailbox, id.Id as RemoteItemId, data as SeriesData);
    return this.#getOne(mailbox, kind, { Id: id.Id });
  }

  /** NeverOverwrite + the ChangeKey we hold: a concurrent edit fails with a 'conflict' kind instead of being overwritten. */
  async updateItem<K extends ActKind>(mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>, options: { sendInvitations?: boolean } = {}): Promise<ActItem<K>> {
    const spec = actKinds[kind];
    const updates = (spec.updates as (d: ActData<K>) => ItemUpdate[])(data);
    const [r] = await this.#client.call(
      UpdateItem,
      {
        conflictResolution: 'NeverOverwrite',
        changes: [{ itemId: { Id: id, ChangeKey: version }, updates }],
        ...(kind === 'appointment' ? { sendMeetingInvitationsOrCancellations: options.sendInvitations ? ('SendToChangedAndSaveCopy' as const) : ('SendToNone' as const) } : {}),
      },
      { mailbox },
    );
    if (!r) throw new AppError('ews_malformed_response', 'UpdateItem returned no result', { kind: 'transient' });
    if (!r.ok) throw r.error;
    if (r.value.conflictCount > 0) {
      throw new AppError('ews_irresolvable_conflict', `UpdateItem: ${r.value.conflictCount} properties changed on the server since version ${version}`, { kind: 'conflict', providerCode: 'ErrorIrresolvableConflict' });
    }
    if (kind === 'appointment' && (await this.#writeExceptions(mailbox, id, data as SeriesData))) return this.#getOne(mailbox, kind, { Id: id });
    return this.#getOne(mailbox, kind, r.value.item?.record.ItemId ?? { Id: id });
  }

  /**
   * DeleteItem does not check a ChangeKey (only UpdateItem and SendItem do, per ErrorStaleObject),
   * so a delete conditional on `version` reads the current ChangeKey first. The window between the
   * read and the delete is one round trip; an edit landing in it is lost with the item.
   * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode
   */
  async deleteItem(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion, options: { sendCancellations?: boolean } = {}): Promise<void> {
    if (version !== undefined) {
      const [current] = await this.#get(mailbox, [{ Id: id }], { baseShape: 'IdOnly' });
      if (current && !current.ok) {
        if (current.error.kind === 'not-found') return;
        throw current.error;
      }
      const key = current?.value.record.ItemId?.ChangeKey;
      if (key !== undefined && key !== version) {
        throw new AppError('ews_stale_version', `DeleteItem: the item changed on the server since version ${version}`, { kind: 'conflict', providerCode: 'ErrorStaleObject' });
      }
    }
    const [r] = await this.#client.call(
      DeleteItem,
      {
        ids: [{ Id: id, ...(version === undefined ? {} : { ChangeKey: version }) }],
        deleteType: 'MoveToDeletedItems',
        ...(kind === 'appointment' ? { sendMeetingCancellations: options.sendCancellations ? ('SendToAllAndSaveCopy' as const) : ('SendToNone' as const) } : {}),
        ...(kind === 'task' ? { affectedTaskOccurrences: 'AllOccurrences' as const } : {}),
      },
      { mailbox },
    );
    if (r && !r.ok && r.error.kind !== 'not-found') throw r.error;
  }

}
