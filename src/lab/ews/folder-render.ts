import type { Mailbox } from '../mailbox-store/mailbox.ts';
import type { StoredFolder } from '../mailbox-store/types.ts';
import { child, type XmlNode } from '../xml/parse-xml.ts';
import { el, tel } from '../xml/xml-writer.ts';
import { extendedKey } from './extended-properties.ts';

export type FolderShape = { base: 'IdOnly' | 'Default' | 'AllProperties'; fields: Set<string>; extended: XmlNode[] };

export function parseFolderShape(node: XmlNode | undefined): FolderShape {
  const base = child(node, 'BaseShape')?.text.trim();
  const fields = new Set<string>();
  const extended: XmlNode[] = [];
  for (const f of child(node, 'AdditionalProperties')?.children ?? []) {
    if (f.name === 'ExtendedFieldURI') {
      extended.push(f);
      continue;
    }
    const name = (f.attrs['FieldURI'] ?? '').split(':')[1];
    if (name) fields.add(name);
  }
  return { base: base === 'IdOnly' || base === 'AllProperties' ? base : 'Default', fields, extended };
}

/**
 * A folder in BaseFolderType order (FolderId, ParentFolderId, FolderClass, DisplayName, TotalCount,
 * ChildFolderCount, then UnreadCount for Folder/TasksFolder). Default = the properties the
 * GetFolder/FindFolder samples show; AllProperties adds ParentFolderId and FolderClass.
 */
export function renderFolder(mb: Mailbox, folder: StoredFolder, shape: FolderShape): string {
  const all = shape.base === 'AllProperties';
  const def = shape.base !== 'IdOnly';
  const want = (name: string, inDefault: boolean): boolean => shape.fields.has(name) || all || (def && inDefault);
  const items = mb.itemsIn(folder.key);
  const parent = folder.parentKey ? mb.folders.get(folder.parentKey) : undefined;
  const hasUnread = folder.kind === 'Folder' || folder.kind === 'TasksFolder' || folder.kind === 'SearchFolder';
  return el(
    `t:${folder.kind}`,
    undefined,
    el('t:FolderId', { Id: folder.id, ChangeKey: mb.folderChangeKey(folder) }),
    parent && want('ParentFolderId', false) ? el('t:ParentFolderId', { Id: parent.id, ChangeKey: mb.folderChangeKey(parent) }) : '',
    want('FolderClass', false) && folder.folderClass ? tel('t:FolderClass', folder.folderClass) : '',
    want('DisplayName', true) ? tel('t:DisplayName', folder.displayName) : '',
    want('TotalCount', true) ? tel('t:TotalCount', items.length) : '',
    want('ChildFolderCount', true) ? tel('t:ChildFolderCount', mb.childFolders(folder.key).length) : '',
    ...shape.extended.map((uri) => folderExtended(folder, uri)),
    hasUnread && want('UnreadCount', true) ? tel('t:UnreadCount', items.filter((i) => i.props.get('IsRead')?.text.trim() === 'false').length) : '',
  );
}

/** MAPI properties every folder has; PR_ATTR_HIDDEN (0x10F4) is the one clients ask for. */
const FOLDER_MAPI: Record<string, (folder: StoredFolder) => string> = {
  [extendedKey({ PropertyTag: '0x10f4' })]: (folder) => String(folder.parentKey === null || folder.distinguished === 'searchfolders'),
};

function folderExtended(folder: StoredFolder, uri: XmlNode): string {
  const value = FOLDER_MAPI[extendedKey(uri.attrs)];
  if (!value) return '';
  const attrs: Record<string, string> = { ...uri.attrs };
  if (attrs['PropertyTag']) {
    const tag = attrs['PropertyTag'];
    attrs['PropertyTag'] = `0x${Number.parseInt(tag, tag.toLowerCase().startsWith('0x') ? 16 : 10).toString(16)}`;
  }
  return el('t:ExtendedProperty', undefined, el('t:ExtendedFieldURI', attrs), tel('t:Value', value(folder)));
}
