import type { XmlNode } from '../xml/xml-reader.ts';
import { field, id, indexFields, int, readFields, repeatedField, str, type RecordOf } from './codec.ts';
import { extendedProperty } from './extended-property.ts';

/**
 * BaseFolderType + FolderType, in types.xsd order.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folder
 */
export const folderFields = [
  field('FolderId', null, id),
  field('ParentFolderId', 'folder:ParentFolderId', id),
  field('FolderClass', 'folder:FolderClass', str),
  field('DisplayName', 'folder:DisplayName', str),
  field('TotalCount', 'folder:TotalCount', int),
  field('ChildFolderCount', 'folder:ChildFolderCount', int),
  repeatedField('ExtendedProperty', null, extendedProperty),
  field('UnreadCount', 'folder:UnreadCount', int),
] as const;

export type FolderRecord = RecordOf<typeof folderFields> & { kind: string };
export const folderFieldIndex = indexFields(folderFields);

export function readFolder(node: XmlNode): FolderRecord {
  return { ...readFields(folderFields, node, folderFieldIndex), kind: node.name };
}

export const folderElementNames = new Set(['Folder', 'CalendarFolder', 'ContactsFolder', 'SearchFolder', 'TasksFolder']);
