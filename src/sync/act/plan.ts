/**
 * What to do with one CRM record and one Exchange item: a pure function of the base (what both
 * sides held at the last sync), the two sides as they are now, and the org's policy.
 *
 * - Change is seen per field against each side's own base, so Exchange's way of writing a value
 *   back (another time zone, wrapped text) is never mistaken for an edit.
 * - A field flows only in its configured direction; a side no field flows into is read-only, and
 *   nothing is ever created on or deleted from it.
 * - Both sides changed the same field differently: the policy decides (newest change of that field,
 *   CRM, Exchange, or flag it for the user). The CRM dates each field's change; Exchange dates only
 *   the item, which is never earlier than the change of any of its fields. An edit on one side beats a delete on the other, except where the
 *   policy says the deleting side wins.
 * - A CRM record that leaves the user's sync filter is unlinked, never deleted on Exchange: a meeting
 *   is not cancelled because a filter changed.
 */
import type { ActKind } from '../../exchange/driver.ts';
import { ATTENDEE_FIELDS, effectiveDirections, isEmptyValue, sameValue, writesCrm, writesExchange, type ActPolicy, type ConflictPolicy, type Fields } from './fields.ts';

/** `fieldModifiedAt`: when each field last changed, where the CRM knows (else `modifiedAt` dates every field). */
export type CrmState = { fields: Fields; modifiedAt: number; inFilter: boolean; ownedByUser: boolean; fieldModifiedAt?: Record<string, number> };
export type ExchangeState = { fields: Fields; modifiedAt: number; tracked: boolean };
/** The fields each side held when they were last in step. `exchange` is null while a create is only intended. */
export type PlanBase = { crm: Fields; exchange: Fields | null };

export type PlanInput = {
  kind: ActKind;
  base: PlanBase | null;
  crm: CrmState | null;
  exchange: ExchangeState | null;
  policy: ActPolicy;
  /** The syncing user organizes this meeting (invitations and cancellations go out only then). */
  isOrganizer: boolean;
  /** The user's answer to a flagged conflict: take this side's values once. */
  resolveWith?: 'crm' | 'exchange' | null;
};

export type PlanAction =
  | { type: 'nothing' }
  | { type: 'forget' }
  | { type: 'unlink'; reason: string }
  | { type: 'create-exchange'; fields: Fields; sendInvitations: boolean }
  | { type: 'create-crm'; fields: Fields }
  | { type: 'copy'; toCrm: string[]; toExchange: string[]; values: Fields; sendInvitations: boolean }
  | { type: 'delete-exchange'; sendCancellations: boolean }
  | { type: 'delete-crm' }
  | { type: 'conflict'; fields: string[] };

export function plan(input: PlanInput): PlanAction {
  const { kind, base, crm, exchange, policy } = input;
  const dirs = effectiveDirections(kind, policy);
  const names = Object.keys(dirs);
  const canWriteExchange = names.some((f) => writesExchange(dirs[f]!));
  const canWriteCrm = names.some((f) => writesCrm(dirs[f]!));
  const conflict: ConflictPolicy = input.resolveWith === 'crm' ? 'crm-wins' : input.resolveWith === 'exchange' ? 'exchange-wins' : policy.conflict;
  const invites = (changed: readonly string[]): boolean =>
    kind === 'appointment' && input.isOrganizer && changed.some((f) => ATTENDEE_FIELDS.includes(f));

  if (crm === null && exchange === null) return base === null ? { type: 'nothing' } : { type: 'forget' };

  // Not linked (or only a create intended and its item not found): create where the rules allow.
  if (base === null || base.exchange === null) {
    if (crm !== null && exchange === null) {
      if (!crm.inFilter) return base === null ? { type: 'nothing' } : { type: 'forget' };
      return canWriteExchange ? { type: 'create-exchange', fields: crm.fields, sendInvitations: invites(hasAttendees(crm.fields) ? ATTENDEE_FIELDS : []) } : { type: 'nothing' };
    }
    if (crm === null && exchange !== null) {
      // An item created for a CRM record deleted before the create was confirmed goes too.
      if (base !== null) return canWriteExchange ? { type: 'delete-exchange', sendCancellations: false } : { type: 'forget' };
      return exchange.tracked && canWriteCrm ? { type: 'create-crm', fields: exchange.fields } : { type: 'nothing' };
    }
    if (!crm!.inFilter) return base === null ? { type: 'nothing' } : { type: 'unlink', reason: 'the CRM record no longer matches the sync filter' };
    // Both exist without a shared base. Found by its stamp after an intended create: the item was
    // written from the intent, so what Exchange shows is its base. Otherwise (a pair linked again)
    // every difference counts as a change on both sides and the policy decides.
    return base === null ? merge({}, {}) : merge(base.crm, exchange!.fields);
  }

  const changedFields = (side: Fields, was: Fields, flowsIn: (d: (typeof dirs)[string]) => boolean): string[] =>
    names.filter((f) => flowsIn(dirs[f]!) && !sameValue(side[f], was[f]));

  if (crm !== null && !crm.inFilter) return { type: 'unlink', reason: 'the CRM record no longer matches the sync filter' };

  if (exchange === null) {
    const crmEdits = changedFields(crm!.fields, base.crm, writesExchange);
    const deleteWins = crmEdits.length === 0 || conflict === 'exchange-wins';
    if (crmEdits.length > 0 && conflict === 'flag') return { type: 'conflict', fields: ['(deleted in Exchange)', ...crmEdits] };
    if (deleteWins && canWriteCrm) return crm!.ownedByUser ? { type: 'delete-crm' } : { type: 'unlink', reason: 'deleted in Exchange; the CRM record belongs to someone else and is kept' };
    // Where the CRM is the only source (Exchange is a copy), the copy is made again.
    return canWriteExchange ? { type: 'create-exchange', fields: crm!.fields, sendInvitations: invites(hasAttendees(crm!.fields) ? ATTENDEE_FIELDS : []) } : { type: 'unlink', reason: 'deleted in Exchange' };
  }

  if (crm === null) {
    const exchangeEdits = changedFields(exchange.fields, base.exchange, writesCrm);
    const deleteWins = exchangeEdits.length === 0 || conflict === 'crm-wins';
    if (exchangeEdits.length > 0 && conflict === 'flag') return { type: 'conflict', fields: ['(deleted in the CRM)', ...exchangeEdits] };
    if (deleteWins && canWriteExchange) return { type: 'delete-exchange', sendCancellations: kind === 'appointment' && input.isOrganizer };
    return canWriteCrm ? { type: 'create-crm', fields: exchange.fields } : { type: 'unlink', reason: 'deleted in the CRM' };
  }

  return merge(base.crm, base.exchange);

  function merge(baseCrm: Fields, baseExchange: Fields): PlanAction {
    const c = crm!;
    const e = exchange!;
    const values: Fields = {};
    const toCrm: string[] = [];
    const toExchange: string[] = [];
    const flagged: string[] = [];
    // A side that changed to what the other side already holds needs no write, only a new base.
    let stale = false;
    for (const f of names) {
      const d = dirs[f]!;
      if (d === 'none') continue;
      const cv = c.fields[f];
      const ev = e.fields[f];
      const cChanged = !sameValue(cv, baseCrm[f]);
      const eChanged = !sameValue(ev, baseExchange[f]);
      if (cChanged || eChanged) stale = true;
      let winner: 'crm' | 'exchange' | null = null;
      if (d === 'crm-to-exchange') winner = cChanged || eChanged ? 'crm' : null;
      else if (d === 'exchange-to-crm') winner = cChanged || eChanged ? 'exchange' : null;
      else if (cChanged && !eChanged) winner = 'crm';
      else if (eChanged && !cChanged) winner = 'exchange';
      else if (cChanged && eChanged) {
        if (sameValue(cv, ev)) continue;
        if (conflict === 'flag') {
          flagged.push(f);
          continue;
        }
        winner = conflict === 'crm-wins' ? 'crm' : conflict === 'exchange-wins' ? 'exchange' : (c.fieldModifiedAt?.[f] ?? c.modifiedAt) >= e.modifiedAt ? 'crm' : 'exchange';
      } else if (!sameValue(cv, ev) && (isEmptyValue(cv) || isEmptyValue(ev))) {
        // Neither side changed it, yet they differ and one is empty (a field that was left out
        // before, e.g. addresses under the mailing-only setting): fill the empty side, lose nothing.
        winner = isEmptyValue(cv) ? 'exchange' : 'crm';
      }
      if (winner === 'crm' && writesExchange(d) && !sameValue(cv, ev)) {
        toExchange.push(f);
        values[f] = cv;
      } else if (winner === 'exchange' && writesCrm(d) && !sameValue(cv, ev)) {
        toCrm.push(f);
        values[f] = ev;
      }
    }
    if (flagged.length > 0) return { type: 'conflict', fields: flagged };
    if (toCrm.length === 0 && toExchange.length === 0 && !stale) return { type: 'nothing' };
    return { type: 'copy', toCrm, toExchange, values, sendInvitations: invites(toExchange) };
  }
}

function hasAttendees(fields: Fields): boolean {
  return (Array.isArray(fields['requiredAttendees']) && fields['requiredAttendees'].length > 0) || (Array.isArray(fields['optionalAttendees']) && fields['optionalAttendees'].length > 0);
}
