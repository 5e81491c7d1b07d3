/**
 * Carries out one planned action on Exchange and the CRM, each step persisted before the next:
 * a create on Exchange is preceded by its recorded intent and the item carries the CRM id in its
 * stamp, so a create whose answer was lost is found, not repeated. Writes to Exchange are
 * conditional on the version read and writes to the CRM on the record's version; a mismatch is
 * thrown as Replan and the caller plans again with fresh sides.
 */
import type { ActItem, ActKind, RemoteItemId } from '../../exchange/driver.ts';
import { isAppError } from '../../errors.ts';
import type { Random } from '../../clock.ts';
import { bookingOverlaps } from './booking.ts';
import { effectiveDirections, type ActPolicy, type Fields } from './fields.ts';
import { fromExchange, toExchange } from './exchange-map.ts';
import type { PlanAction } from './plan.ts';
import type { ActDriver, ActStore, CrmRecord, Link } from './ports.ts';
import { fetchItems } from './read-exchange.ts';

export type Pair = { link: Link | null; crm: CrmRecord | null; item: ActItem<ActKind> | null | 'unchanged' };

export type ApplyDeps = {
  driver: ActDriver;
  store: ActStore;
  mailbox: string;
  orgId: string;
  policy: ActPolicy;
  random: Random;
  reached: (step: string) => void;
  /** The linked appointments' Exchange bases, to find double bookings. */
  bookings: () => Array<{ crmId: string; fields: Fields }>;
};

export class Replan extends Error {
  readonly why: string;
  constructor(why: string) {
    super(`replan: ${why}`);
    this.why = why;
  }
}

/** The link's base for fields that do not sync stays as it was, so turning a field on later still sees what changed. */
function keepUnsynced(kind: ActKind, policy: ActPolicy, next: Fields, previous: Fields | null): Fields {
  const dirs = effectiveDirections(kind, policy);
  const out: Fields = { ...next };
  for (const [f, d] of Object.entries(dirs)) if (d === 'none') out[f] = previous?.[f] ?? null;
  return out;
}

const conflictToReplan = async <T>(p: Promise<T>, why: string): Promise<T> => {
  try {
    return await p;
  } catch (error) {
    if (isAppError(error) && error.kind === 'conflict') throw new Replan(why);
    throw error;
  }
};

export async function applyAction(d: ApplyDeps, kind: ActKind, pair: Pair, action: PlanAction): Promise<void> {
  const item = pair.item === 'unchanged' ? null : pair.item;
  const crm = pair.crm;
  // A create whose item turned up by its stamp: from now on the pair is linked through that item.
  const adopted = pair.link !== null && pair.link.state === 'creating' && item !== null;
  const link: Link | null = adopted ? { ...pair.link!, remoteId: item.id, remoteVersion: item.version, baseExchange: fromExchange(kind, item.data), state: 'linked' } : pair.link;
  switch (action.type) {
    case 'nothing': {
      if (link === null || link.state !== 'linked') return;
      const remoteVersion = item?.version ?? link.remoteVersion;
      const crmVersion = crm?.version ?? link.crmVersion;
      if (!adopted && remoteVersion === link.remoteVersion && crmVersion === link.crmVersion && link.conflict === null) return;
      await d.store.saveLink({ ...link, remoteVersion, crmVersion, conflict: null, resolveWith: null });
      return;
    }
    case 'forget':
      if (link !== null) await d.store.removeLink(kind, link.id);
      return;
    case 'unlink':
      if (link !== null) await d.store.saveLink({ ...link, state: 'unlinked', conflict: null, resolveWith: null });
      d.reached('act:unlinked');
      return;
    case 'conflict': {
      if (link === null) return;
      if (JSON.stringify(link.conflict) === JSON.stringify(action.fields)) return;
      await d.store.saveLink({ ...link, conflict: action.fields, resolveWith: null });
      await d.store.alert('act_conflict', `The ${kind} "${String(crm?.fields['subject'] ?? crm?.fields['displayName'] ?? link.crmId)}" was changed in the CRM and in Exchange (${action.fields.join(', ')}); choose which side to keep.`, {
        kind,
        crmId: link.crmId,
        linkId: link.id,
        fields: action.fields,
      });
      return;
    }
    case 'create-exchange': {
      const c = crm!;
      const intent: Link = {
        id: link?.id ?? d.random.uuid(),
        kind,
        crmId: c.id,
        remoteId: null,
        remoteVersion: null,
        crmVersion: c.version,
        baseCrm: action.fields,
        baseExchange: null,
        state: 'creating',
        conflict: null,
        resolveWith: null,
      };
      await d.store.saveLink(intent);
      d.reached('act:intent-recorded');
      const created = await d.driver.createItem(d.mailbox, kind, toExchange(kind, action.fields, undefined), { orgId: d.orgId, activityId: c.id }, { sendInvitations: action.sendInvitations });
      d.reached('act:exchange-created');
      await d.store.saveLink({ ...intent, remoteId: created.id, remoteVersion: created.version, baseExchange: fromExchange(kind, created.data), state: 'linked' });
      d.reached('act:linked');
      if (kind === 'appointment') await reportBookings(d, c.id, action.fields, created.id);
      return;
    }
    case 'create-crm': {
      const ex = item ?? (link?.remoteId == null ? null : ((await fetchItems(d.driver, d.mailbox, kind, [link.remoteId])).get(link.remoteId) ?? null));
      if (ex === null) throw new Replan('the Exchange item went');
      const id = d.random.uuid();
      const next: Link = {
        id: link?.id ?? d.random.uuid(),
        kind,
        crmId: id,
        remoteId: ex.id,
        remoteVersion: ex.version,
        crmVersion: null,
        baseCrm: action.fields,
        baseExchange: fromExchange(kind, ex.data),
        state: 'linked',
        conflict: null,
        resolveWith: null,
      };
      await d.store.createCrm(kind, id, action.fields, next);
      d.reached('act:crm-created');
      return;
    }
    case 'copy': {
      const c = crm!;
      // A pair without a live link (found by its stamp, or linked again) gets one now. An unlinked
      // row whose item did not change since still holds what that item shows.
      const l: Link =
        link !== null && link.state !== 'unlinked'
          ? link
          : item === null
            ? { ...link!, crmVersion: c.version, baseCrm: {}, baseExchange: link!.baseExchange ?? {}, state: 'linked', conflict: null, resolveWith: null }
            : { id: link?.id ?? d.random.uuid(), kind, crmId: c.id, remoteId: item.id, remoteVersion: item.version, crmVersion: c.version, baseCrm: {}, baseExchange: {}, state: 'linked', conflict: null, resolveWith: null };
      let remoteVersion = l.remoteVersion;
      let baseExchange = l.baseExchange;
      if (action.toExchange.length > 0) {
        const current = item ?? (await fetchItems(d.driver, d.mailbox, kind, [l.remoteId!])).get(l.remoteId!) ?? null;
        if (current === null) throw new Replan('the Exchange item went');
        if (pair.item === 'unchanged' && current.version !== l.remoteVersion) throw new Replan('the Exchange item changed');
        const data = toExchange(kind, action.values, current.data, action.toExchange);
        const updated = await conflictToReplan(d.driver.updateItem(d.mailbox, kind, current.id, current.version, data, { sendInvitations: action.sendInvitations }), 'the Exchange item changed');
        d.reached('act:exchange-updated');
        remoteVersion = updated.version;
        baseExchange = keepUnsynced(kind, d.policy, fromExchange(kind, updated.data), l.baseExchange);
      } else if (item !== null) {
        remoteVersion = item.version;
        baseExchange = keepUnsynced(kind, d.policy, fromExchange(kind, item.data), l.baseExchange);
      }
      const crmFields: Fields = { ...c.fields };
      for (const f of action.toCrm) crmFields[f] = action.values[f];
      const next: Link = { ...l, remoteVersion, baseExchange, baseCrm: keepUnsynced(kind, d.policy, crmFields, l.baseCrm), crmVersion: c.version, conflict: null, resolveWith: null };
      if (action.toCrm.length > 0) {
        const written = await d.store.updateCrm(kind, c.id, c.version, crmFields, next);
        if (written === null) throw new Replan('the CRM record changed');
        d.reached('act:crm-updated');
      } else {
        await d.store.saveLink(next);
        d.reached('act:base-saved');
      }
      if (kind === 'appointment' && action.toExchange.some((f) => f === 'start' || f === 'end')) await reportBookings(d, c.id, crmFields, l.remoteId);
      return;
    }
    case 'delete-exchange': {
      const l = link!;
      const version = item?.version ?? l.remoteVersion ?? undefined;
      if (l.remoteId !== null) {
        await conflictToReplan(d.driver.deleteItem(d.mailbox, kind, l.remoteId as RemoteItemId, version, { sendCancellations: action.sendCancellations }), 'the Exchange item changed');
        d.reached('act:exchange-deleted');
      }
      await d.store.removeLink(kind, l.id);
      return;
    }
    case 'delete-crm': {
      const c = crm!;
      const ok = await d.store.deleteCrm(kind, c.id, c.version, link!.id);
      if (!ok) throw new Replan('the CRM record changed');
      d.reached('act:crm-deleted');
      return;
    }
  }
}

/**
 * A meeting written to Exchange that overlaps another busy booking of the user raises an alert
 * (dismissable). Exchange's own calendar is asked when the driver can (every booking counts,
 * tracked or not: a meeting set up in Outlook blocks the time as much as one from the CRM);
 * otherwise, or when that read fails, the linked appointments are compared. The check is advice:
 * it never fails the write.
 */
async function reportBookings(d: ApplyDeps, crmId: string, fields: Fields, remoteId: string | null): Promise<void> {
  const start = Date.parse(String(fields['start'] ?? ''));
  const end = Date.parse(String(fields['end'] ?? ''));
  const subject = String(fields['subject'] ?? '');
  if (d.driver.findBookings !== undefined && !Number.isNaN(start) && !Number.isNaN(end) && fields['cancelled'] !== true && fields['showAs'] !== 'free') {
    try {
      const found = await d.driver.findBookings(d.mailbox, new Date(start), new Date(end));
      const clashes = found.filter((b) => b.id !== remoteId && !b.cancelled && b.showAs !== 'free' && b.start.getTime() < end && start < b.end.getTime());
      if (clashes.length === 0) return;
      const names = clashes.slice(0, 5).map((b) => `"${b.subject}" (${b.start.toISOString().slice(0, 16).replace('T', ' ')} UTC)`).join(', ');
      await d.store.alert('act_booking_conflict', `The appointment "${subject}" overlaps ${clashes.length} other booking(s) in ${d.mailbox}: ${names}${clashes.length > 5 ? ', …' : ''}.`, {
        crmId,
        overlaps: clashes.map((b) => d.bookings().find((x) => x.crmId !== crmId && sameTimes(x.fields, b))?.crmId ?? null).filter((x) => x !== null),
        bookings: clashes.map((b) => ({ remoteId: b.id, subject: b.subject, start: b.start.toISOString(), end: b.end.toISOString(), showAs: b.showAs })),
      });
      return;
    } catch {
      // Fall through to the appointments Dovetail links.
    }
  }
  const others = bookingOverlaps(fields, d.bookings().filter((b) => b.crmId !== crmId));
  if (others.length === 0) return;
  await d.store.alert('act_booking_conflict', `The appointment "${subject}" overlaps ${others.length} other booking(s) in ${d.mailbox}.`, { crmId, overlaps: others });
}

function sameTimes(f: Fields, b: { start: Date; end: Date }): boolean {
  return Date.parse(String(f['start'] ?? '')) === b.start.getTime() && Date.parse(String(f['end'] ?? '')) === b.end.getTime();
}
