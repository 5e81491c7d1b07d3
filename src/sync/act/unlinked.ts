/**
 * When an unlinked pair's row may go. A row stays 'unlinked' after its CRM record left the user's
 * sync filter; it remembers the Exchange item so that a record coming back into the filter is
 * linked to that item again instead of getting a second one, and so that an item tracked from
 * Exchange (by category, without a stamp) is not taken into the CRM a second time.
 *
 * The row may go once neither side can use it again:
 * - the Exchange item is known gone (reported removed, or missing from a full enumeration): a record
 *   coming back gets a new item whether the row is there or not;
 * - the CRM record is gone and the item, if any, carries this org's stamp for that record: a stamp
 *   naming a record that no longer exists pairs with nothing, and a stamped item is never taken in
 *   as a new record.
 * An item that is still there without the stamp keeps the row (it would be taken in again), and so
 * does an item not read this cycle while its record is gone, until it has been read.
 * The safety valve counts linked rows only, so removing unlinked rows never changes what it sees.
 */
import type { ActItem, ActKind } from '../../exchange/driver.ts';
import type { CrmRecord, Link } from './ports.ts';

export type UnlinkedVerdict = 'remove' | 'keep' | 'read-item';

export function unlinkedVerdict(link: Link, crm: CrmRecord | null, item: ActItem<ActKind> | null | 'unchanged', orgId: string): UnlinkedVerdict {
  if (link.state !== 'unlinked') return 'keep';
  if (item === null) return link.remoteId !== null || crm === null ? 'remove' : 'keep';
  if (crm !== null) return 'keep';
  if (item === 'unchanged') return 'read-item';
  return item.stamp?.orgId === orgId && item.stamp.activityId === link.crmId ? 'remove' : 'keep';
}
