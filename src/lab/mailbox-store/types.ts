import type { XmlNode } from '../xml/parse-xml.ts';

/** The EWS item element an item is written as. */
export type ItemKind = 'Message' | 'CalendarItem' | 'Contact' | 'Task' | 'MeetingRequest';
export type FolderKind = 'Folder' | 'CalendarFolder' | 'ContactsFolder' | 'TasksFolder' | 'SearchFolder';

export type StoredAttachment = {
  key: string;
  name: string;
  contentType: string;
  contentId?: string;
  isInline: boolean;
  content: Buffer;
};

/**
 * An item keeps its properties as the request subtrees that set them, keyed by element name:
 * whatever a client wrote comes back as written, in schema order (see ews/item-schema.ts).
 */
export type StoredItem = {
  key: string;
  id: string;
  kind: ItemKind;
  folderKey: string;
  props: Map<string, XmlNode>;
  /** ExtendedProperty subtrees, one per property. */
  extended: XmlNode[];
  attachments: StoredAttachment[];
  mime?: Buffer;
  /** Bumps on every change; the ChangeKey encodes it. */
  version: number;
  /** Bumps on every change except the read flag (SyncFolderItems reports ReadFlagChange for those). */
  contentVersion: number;
  /** Version at which each property last changed, for AutoResolve conflict detection. */
  changedAt: Map<string, number>;
  createdAt: number;
  modifiedAt: number;
  /** Associated (FAI) items, like user configurations, stay out of normal views. */
  associated: boolean;
};

export type UserConfiguration = {
  name: string;
  itemKey: string;
  itemId: string;
  dictionary?: XmlNode;
  xmlData?: string;
  binaryData?: string;
  version: number;
};

export type StoredFolder = {
  key: string;
  id: string;
  kind: FolderKind;
  parentKey: string | null;
  displayName: string;
  folderClass: string;
  distinguished?: string;
  version: number;
  userConfigurations: Map<string, UserConfiguration>;
};

export type MailboxEventType = 'CreatedEvent' | 'DeletedEvent' | 'ModifiedEvent' | 'MovedEvent' | 'CopiedEvent' | 'NewMailEvent';

export type MailboxEvent = {
  seq: number;
  type: MailboxEventType;
  at: number;
  itemId?: string;
  folderId?: string;
  parentFolderId: string;
  oldItemId?: string;
  oldFolderId?: string;
  oldParentFolderId?: string;
  /** Folder of the change, for folder-scoped subscriptions. */
  folderKey: string;
  oldFolderKey?: string;
};

export type Account = {
  smtp: string;
  displayName: string;
  /** NTLM / Basic user name (sAMAccountName); the domain comes from the lab. */
  userName: string;
  password: string;
  hasMailbox: boolean;
};
