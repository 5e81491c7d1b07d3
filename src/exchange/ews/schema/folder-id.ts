import { element } from '../xml/xml-text.ts';

/** t:DistinguishedFolderIdNameType values Dovetail uses. */
export type DistinguishedFolderName = 'msgfolderroot' | 'root' | 'inbox' | 'sentitems' | 'drafts' | 'deleteditems' | 'calendar' | 'contacts' | 'tasks' | 'junkemail' | 'outbox';

/** A folder by id, or by its distinguished name in the (impersonated) mailbox. */
export type FolderTarget = { Id: string; ChangeKey?: string } | { distinguished: DistinguishedFolderName };

export function writeFolderTarget(f: FolderTarget): string {
  return 'distinguished' in f ? element('t:DistinguishedFolderId', { Id: f.distinguished }) : element('t:FolderId', { Id: f.Id, ChangeKey: f.ChangeKey });
}

/** TargetFolderIdType / NonEmptyArrayOfBaseFolderIdsType wrapper: `<m:{name}>…</m:{name}>`. */
export function writeFolderTargets(name: string, folders: readonly FolderTarget[]): string {
  return `<${name}>${folders.map(writeFolderTarget).join('')}</${name}>`;
}

/**
 * An item, or with `InstanceIndex` one occurrence of the recurring master `Id` (OccurrenceItemId,
 * 1-based over the pattern; a ChangeKey is then the master's).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid
 */
export type ItemIdRef = { Id: string; ChangeKey?: string; InstanceIndex?: number };

export function writeItemId(i: ItemIdRef): string {
  return i.InstanceIndex === undefined
    ? element('t:ItemId', { Id: i.Id, ChangeKey: i.ChangeKey })
    : element('t:OccurrenceItemId', { RecurringMasterId: i.Id, ChangeKey: i.ChangeKey, InstanceIndex: String(i.InstanceIndex) });
}

export function writeItemIds(name: string, ids: readonly ItemIdRef[]): string {
  return `<${name}>${ids.map(writeItemId).join('')}</${name}>`;
}
