/**
 * What an ACT cycle works through: the mailbox's driver (only its item calls) and the ACT store,
 * which holds the CRM records, the links with their bases, the cursors and the valve. Each store
 * call is one atomic step, so a crash between two steps leaves a state the next cycle repairs:
 * a CRM write and its link commit together; a create on Exchange is preceded by its intent.
 */
import type { ActKind, MailboxDriver, RemoteItemId, RemoteVersion, SyncCursor } from '../../exchange/driver.ts';
import type { Fields } from './fields.ts';
import type { ValveVerdict } from './valve.ts';

export type ActDriver = Pick<MailboxDriver, 'syncItems' | 'getItems' | 'createItem' | 'updateItem' | 'deleteItem' | 'findBookings'>;

export type LinkState = 'creating' | 'linked' | 'unlinked';

/** The base of one linked pair: ids, versions and the mapped fields each side held at the last sync. */
export type Link = {
  id: string;
  kind: ActKind;
  crmId: string;
  remoteId: RemoteItemId | null;
  remoteVersion: RemoteVersion | null;
  crmVersion: string | null;
  baseCrm: Fields;
  baseExchange: Fields | null;
  state: LinkState;
  conflict: string[] | null;
  resolveWith: 'crm' | 'exchange' | null;
};

/**
 * What a cycle hands on to the next while Exchange's changes take several cycles to read: the
 * linked items Exchange reported gone, whose deletes wait until every change was read (so the
 * safety valve judges the whole delete at once), and whether the reading started from scratch
 * (a cursor Exchange forgot), so that the cycle that completes it checks the items it never listed.
 */
export type ActProgress = { held: RemoteItemId[]; rescan: boolean };

export const noProgress: ActProgress = { held: [], rescan: false };

export type CrmRecord = { id: string; version: string; fields: Fields; modifiedAt: number; inFilter: boolean; ownedByUser: boolean; fieldModifiedAt?: Record<string, number> };

export interface ActStore {
  links(kind: ActKind): Promise<Link[]>;
  /** Every record in the user's filter, plus the records with these ids whatever the filter says. */
  crmRecords(kind: ActKind, alsoIds: string[]): Promise<CrmRecord[]>;
  crmRecord(kind: ActKind, id: string): Promise<CrmRecord | null>;
  cursor(kind: ActKind): Promise<SyncCursor | null>;
  saveLink(link: Link): Promise<void>;
  removeLink(kind: ActKind, linkId: string): Promise<void>;
  /** Creates the CRM record and saves the link (with the record's version) in one step. */
  createCrm(kind: ActKind, id: string, fields: Fields, link: Link): Promise<CrmRecord>;
  /** Writes the record if it is still at `expectedVersion` and saves the link with it; null when the record changed or went. */
  updateCrm(kind: ActKind, id: string, expectedVersion: string, fields: Fields, link: Link): Promise<CrmRecord | null>;
  /** Deletes the record if still at `expectedVersion`, and the link, in one step. */
  deleteCrm(kind: ActKind, id: string, expectedVersion: string, linkId: string): Promise<boolean>;
  progress(kind: ActKind): Promise<ActProgress>;
  /** Commits the cursor and the progress handed on with it, in one step. */
  commitCursor(kind: ActKind, cursor: SyncCursor, progress: ActProgress): Promise<void>;
  valveConfirmed(kind: ActKind): Promise<boolean>;
  tripValve(kind: ActKind, verdict: Extract<ValveVerdict, { ok: false }>): Promise<void>;
  clearValve(kind: ActKind): Promise<void>;
  alert(code: string, message: string, details: Record<string, unknown>): Promise<void>;
}
