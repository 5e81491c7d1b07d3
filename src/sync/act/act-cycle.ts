/**
 * One ACT cycle for one kind: read Exchange's changes and the CRM records, pair them through the
 * links (or an item's stamp, or the "Tracked to Dovetail" category), plan every pair, stop at the
 * safety valve when too much would be deleted, apply, and commit the cursor only when every item
 * went through (a failed item is read again next cycle; every step is idempotent).
 *
 * Exchange may take several cycles to tell its changes (a page limit per cycle). Deletes it reports
 * meanwhile are held, committed with the cursor, and judged by the valve together once every change
 * was read. After a cursor Exchange forgot, a linked item the new listing leaves out is read by id:
 * only an item Exchange no longer has is gone.
 */
import type { Clock, Random } from '../../clock.ts';
import type { ActItem, ActKind, RemoteItemId, RemoteVersion, SyncCursor } from '../../exchange/driver.ts';
import { AppError, isAppError } from '../../errors.ts';
import { applyAction, Replan, type Pair } from './apply.ts';
import { fromExchange } from './exchange-map.ts';
import type { ActPolicy } from './fields.ts';
import { plan, type PlanAction, type PlanInput } from './plan.ts';
import { noProgress, type ActDriver, type ActProgress, type ActStore, type Link } from './ports.ts';
import { fetchItems, findStamped, readExchange } from './read-exchange.ts';
import { unlinkedVerdict } from './unlinked.ts';
import { checkValve } from './valve.ts';

export const TRACKED_CATEGORY = 'Tracked to Dovetail';

export type ActCycleDeps = {
  driver: ActDriver;
  store: ActStore;
  mailbox: string;
  orgId: string;
  policy: ActPolicy;
  clock: Clock;
  random: Random;
  pageSize: number;
  maxPages: number;
  reached?: (step: string) => void;
};

export type ItemFailure = { kind: ActKind; crmId: string | null; remoteId: string | null; title: string | null; error: AppError };

export type KindResult = {
  processed: number;
  failed: number;
  failures: ItemFailure[];
  /** The safety valve stopped the cycle; nothing was written. */
  valve: { side: 'exchange' | 'crm'; deletes: number; linked: number } | null;
  more: boolean;
};

const MAX_REPLANS = 3;

export async function syncKind(d: ActCycleDeps, kind: ActKind): Promise<KindResult> {
  const reached = d.reached ?? (() => undefined);
  const links = await d.store.links(kind);
  const byRemote = new Map<string, Link>();
  const byCrm = new Map<string, Link>();
  for (const l of links) {
    if (l.remoteId !== null) byRemote.set(l.remoteId, l);
    byCrm.set(l.crmId, l);
  }
  const known = (id: string, version: RemoteVersion): boolean => byRemote.get(id)?.remoteVersion === version;
  const progress = await d.store.progress(kind);
  const changes = await readExchange(d.driver, kind, await d.store.cursor(kind), { mailbox: d.mailbox, pageSize: d.pageSize, maxPages: d.maxPages }, known);
  // Every change up to now was read: the deletes held by earlier cycles are judged with this cycle's.
  const complete = !changes.more;
  const gone = new Set<string>([...progress.held.filter((id) => !changes.versions.has(id)), ...changes.gone]);
  // A listing from scratch (maybe begun by an earlier cycle) is complete: what it left out is read by id.
  const rescan = changes.fromStart || progress.rescan;
  const checkUnlisted = complete && rescan;

  const stamped = new Map<string, ActItem<ActKind>>();
  for (const item of changes.items.values()) {
    if (item.stamp?.orgId === d.orgId && item.stamp.activityId !== undefined) stamped.set(item.stamp.activityId, item);
  }
  const pending = links.filter((l) => l.state === 'creating' && !stamped.has(l.crmId));
  if (pending.length > 0 && !changes.full) {
    for (const [crmId, item] of await findStamped(d.driver, d.mailbox, kind, d.orgId, new Set(pending.map((l) => l.crmId)), d.pageSize)) stamped.set(crmId, item);
  }

  const crmRecords = await d.store.crmRecords(kind, links.map((l) => l.crmId));
  const crmById = new Map(crmRecords.map((r) => [r.id, r] as const));
  const used = new Set<string>();
  const pairs: Pair[] = [];
  const held: RemoteItemId[] = [];
  const unlisted: number[] = [];
  for (const link of links) {
    let item: Pair['item'];
    if (link.remoteId !== null) used.add(link.remoteId);
    if (link.remoteId === null) item = stamped.get(link.crmId) ?? null;
    else if (gone.has(link.remoteId)) {
      // Exchange has more changes to tell: the delete waits for them, so the valve sees all of it.
      if (!complete && link.state === 'linked') {
        held.push(link.remoteId);
        continue;
      }
      item = null;
    } else if (changes.items.has(link.remoteId)) item = changes.items.get(link.remoteId)!;
    else {
      item = 'unchanged';
      if (checkUnlisted && !changes.versions.has(link.remoteId)) unlisted.push(pairs.length);
    }
    if (item !== null && item !== 'unchanged') used.add(item.id);
    pairs.push({ link, crm: crmById.get(link.crmId) ?? null, item });
  }
  // Left out of a listing is not gone: Graph lists a calendar through a window around today. Only
  // what Exchange no longer has by its id is gone; what it has is compared like any changed item.
  if (unlisted.length > 0) {
    const read = await fetchItems(d.driver, d.mailbox, kind, unlisted.map((i) => pairs[i]!.link!.remoteId!));
    for (const i of unlisted) pairs[i] = { ...pairs[i]!, item: read.get(pairs[i]!.link!.remoteId!) ?? null };
  }
  for (const item of changes.items.values()) {
    if (used.has(item.id)) continue;
    const stamp = item.stamp;
    if (stamp !== undefined && stamp.orgId !== d.orgId) continue;
    if (stamp?.activityId !== undefined) {
      // Created by this org for a CRM record: pair it with that record, never make a second one.
      const crm = crmById.get(stamp.activityId) ?? (await d.store.crmRecord(kind, stamp.activityId));
      if (crm !== null && !byCrm.has(crm.id)) {
        pairs.push({ link: null, crm, item });
        byCrm.set(crm.id, { id: '', kind, crmId: crm.id, remoteId: item.id, remoteVersion: null, crmVersion: null, baseCrm: {}, baseExchange: null, state: 'unlinked', conflict: null, resolveWith: null });
      }
      continue;
    }
    const master = kind === 'appointment' ? (item.data as { seriesMasterId?: string }).seriesMasterId : undefined;
    const tracked = item.data.categories.includes(TRACKED_CATEGORY) || (master !== undefined && byRemote.get(master)?.state === 'linked');
    if (tracked) pairs.push({ link: null, crm: null, item });
  }
  for (const crm of crmRecords) {
    if (!byCrm.has(crm.id) && crm.inFilter) pairs.push({ link: null, crm, item: null });
  }

  // Unlinked rows neither side can use again go; an item not read this cycle is read to decide.
  const unread = pairs.flatMap((p, i) => (p.link !== null && unlinkedVerdict(p.link, p.crm, p.item, d.orgId) === 'read-item' ? [i] : []));
  if (unread.length > 0) {
    const read = await fetchItems(d.driver, d.mailbox, kind, unread.map((i) => pairs[i]!.link!.remoteId!));
    for (const i of unread) pairs[i] = { ...pairs[i]!, item: read.get(pairs[i]!.link!.remoteId!) ?? null };
  }
  const plans = pairs.map((p): PlanAction => (p.link !== null && unlinkedVerdict(p.link, p.crm, p.item, d.orgId) === 'remove' ? { type: 'forget' } : plan(planInput(d, kind, p))));
  const linked = links.filter((l) => l.state === 'linked').length;
  const deletesInExchange = plans.filter((a, i) => a.type === 'delete-exchange' && pairs[i]!.link?.state === 'linked').length;
  const deletesInCrm = plans.filter((a, i) => a.type === 'delete-crm' && pairs[i]!.link?.state === 'linked').length;
  const confirmed = await d.store.valveConfirmed(kind);
  const verdict = checkValve({ linked, deletesInExchange, deletesInCrm }, d.policy.valve, confirmed);
  if (!verdict.ok) {
    await d.store.tripValve(kind, verdict);
    reached('act:valve-tripped');
    return { processed: 0, failed: 0, failures: [], valve: { side: verdict.side, deletes: verdict.deletes, linked: verdict.linked }, more: false };
  }

  const bookings = () =>
    pairs.flatMap((p) => (p.link?.state === 'linked' && p.link.baseExchange !== null ? [{ crmId: p.link.crmId, fields: p.link.baseExchange }] : []));
  const applyDeps = { driver: d.driver, store: d.store, mailbox: d.mailbox, orgId: d.orgId, policy: d.policy, random: d.random, reached, bookings };
  const failures: ItemFailure[] = [];
  let processed = 0;
  for (let i = 0; i < pairs.length; i++) {
    let pair = pairs[i]!;
    let action: PlanAction = plans[i]!;
    for (let attempt = 0; ; attempt++) {
      try {
        await applyAction(applyDeps, kind, pair, action);
        if (action.type !== 'nothing') processed++;
        break;
      } catch (error) {
        if (error instanceof Replan && attempt < MAX_REPLANS) {
          pair = await refresh(d, kind, pair);
          action = plan(planInput(d, kind, pair));
          continue;
        }
        if (isAppError(error, 'lease_lost')) throw error;
        const e = isAppError(error) ? error : new AppError('act_item_failed', error instanceof Error ? error.message : String(error), { kind: 'transient', cause: error });
        failures.push({ kind, crmId: pair.crm?.id ?? pair.link?.crmId ?? null, remoteId: pair.link?.remoteId ?? (pair.item !== null && pair.item !== 'unchanged' ? pair.item.id : null), title: titleOf(kind, pair), error: e });
        break;
      }
    }
  }
  // A confirmation covers the whole delete, however many cycles it takes to read.
  if (confirmed && complete) await d.store.clearValve(kind);
  if (failures.length === 0) {
    const next: ActProgress = complete ? noProgress : { held, rescan };
    await d.store.commitCursor(kind, await cursorPastOwnWrites(d, kind, changes.cursor, processed > 0), next);
    reached('act:cursor-committed');
  }
  return { processed, failed: failures.length, failures, valve: null, more: changes.more };
}

function titleOf(kind: ActKind, pair: Pair): string | null {
  const item = pair.item === null || pair.item === 'unchanged' ? null : fromExchange(kind, pair.item.data);
  const fields = pair.crm?.fields ?? item ?? pair.link?.baseCrm ?? null;
  if (fields === null) return null;
  const title = kind === 'contact' ? (fields['displayName'] ?? [fields['givenName'], fields['surname']].filter((v) => typeof v === 'string' && v !== '').join(' ')) : fields['subject'];
  return typeof title === 'string' ? title : null;
}

function planInput(d: ActCycleDeps, kind: ActKind, pair: Pair): PlanInput {
  const { link, crm } = pair;
  const item = pair.item;
  const unlinked = link === null || link.state === 'unlinked';
  const exchange =
    item === null
      ? null
      : item === 'unchanged'
        ? { fields: link!.baseExchange ?? {}, modifiedAt: 0, tracked: true }
        : { fields: fromExchange(kind, item.data), modifiedAt: item.lastModifiedAt.getTime(), tracked: link === null };
  const organizer = String((exchange?.fields['organizer'] ?? crm?.fields['organizer'] ?? '') || '').toLowerCase();
  return {
    kind,
    base: unlinked ? null : { crm: link.baseCrm, exchange: link.baseExchange },
    crm: crm === null ? null : { fields: crm.fields, modifiedAt: crm.modifiedAt, inFilter: crm.inFilter, ownedByUser: crm.ownedByUser, ...(crm.fieldModifiedAt === undefined ? {} : { fieldModifiedAt: crm.fieldModifiedAt }) },
    exchange,
    policy: d.policy,
    isOrganizer: organizer === '' || organizer === d.mailbox.toLowerCase(),
    resolveWith: link?.resolveWith ?? null,
  };
}

async function refresh(d: ActCycleDeps, kind: ActKind, pair: Pair): Promise<Pair> {
  const remoteId = pair.link?.remoteId ?? (pair.item !== null && pair.item !== 'unchanged' ? pair.item.id : null);
  const item = remoteId === null ? pair.item : ((await fetchItems(d.driver, d.mailbox, kind, [remoteId])).get(remoteId) ?? null);
  const crmId = pair.crm?.id ?? pair.link?.crmId ?? null;
  const crm = crmId === null ? null : await d.store.crmRecord(kind, crmId);
  const links = await d.store.links(kind);
  const link = pair.link === null ? null : (links.find((l) => l.id === pair.link!.id) ?? null);
  return { link, crm, item };
}

/**
 * Items this cycle created lie beyond the cursor read at its start. Exchange leaves an item created
 * and deleted between two syncs out of SyncFolderItems altogether, so were they deleted before the
 * next cycle, their removal would never be reported. When the changes since the cursor are only
 * this cycle's own writes (versions the links hold), the cursor moves past them.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitems-operation
 */
async function cursorPastOwnWrites(d: ActCycleDeps, kind: ActKind, cursor: SyncCursor, wrote: boolean): Promise<SyncCursor> {
  if (!wrote) return cursor;
  const links = await d.store.links(kind);
  const versions = new Map(links.filter((l) => l.remoteId !== null).map((l) => [l.remoteId as string, l.remoteVersion] as const));
  const after = await readExchange(d.driver, kind, cursor, { mailbox: d.mailbox, pageSize: d.pageSize, maxPages: d.maxPages }, (id, v) => versions.get(id) === v);
  const onlyOwn = !after.more && after.gone.size === 0 && [...after.items.values()].every((i) => versions.get(i.id) === i.version);
  return onlyOwn ? after.cursor : cursor;
}
