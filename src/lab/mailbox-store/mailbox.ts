import { EventEmitter } from 'node:events';
import type { Clock, Random } from '../../clock.ts';
import type { XmlNode } from '../xml/parse-xml.ts';
import { encodeChangeKey, encodeId } from './ids.ts';
import type {
  Account,
  FolderKind,
  ItemKind,
  MailboxEvent,
  MailboxEventType,
  StoredAttachment,
  StoredFolder,
  StoredItem,
} from './types.ts';

type FolderSeed = { distinguished: string; name: string; parent: string | null; kind: FolderKind; folderClass: string };

/** The folders every Exchange mailbox has (English display names). */
const DEFAULT_FOLDERS: FolderSeed[] = [
  { distinguished: 'root', name: 'Root', parent: null, kind: 'Folder', folderClass: '' },
  { distinguished: 'searchfolders', name: 'Finder', parent: 'root', kind: 'Folder', folderClass: '' },
  { distinguished: 'msgfolderroot', name: 'Top of Information Store', parent: 'root', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'inbox', name: 'Inbox', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'sentitems', name: 'Sent Items', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'drafts', name: 'Drafts', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'deleteditems', name: 'Deleted Items', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'outbox', name: 'Outbox', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'junkemail', name: 'Junk Email', parent: 'msgfolderroot', kind: 'Folder', folderClass: 'IPF.Note' },
  { distinguished: 'calendar', name: 'Calendar', parent: 'msgfolderroot', kind: 'CalendarFolder', folderClass: 'IPF.Appointment' },
  { distinguished: 'contacts', name: 'Contacts', parent: 'msgfolderroot', kind: 'ContactsFolder', folderClass: 'IPF.Contact' },
  { distinguished: 'tasks', name: 'Tasks', parent: 'msgfolderroot', kind: 'TasksFolder', folderClass: 'IPF.Task' },
];

export type NewItem = {
  kind: ItemKind;
  folderKey: string;
  props: Map<string, XmlNode>;
  extended?: XmlNode[];
  attachments?: StoredAttachment[];
  mime?: Buffer;
  associated?: boolean;
  /** Raise NewMailEvent too (delivery, not a save). */
  newMail?: boolean;
};

/** One in-memory mailbox: folders, items, the event log subscriptions read. */
export class Mailbox {
  readonly no: number;
  readonly account: Account;
  readonly folders = new Map<string, StoredFolder>();
  readonly items = new Map<string, StoredItem>();
  readonly events: MailboxEvent[] = [];
  /** Emits 'event' (MailboxEvent) for streaming subscriptions. */
  readonly emitter = new EventEmitter();
  private readonly clock: Clock;
  private readonly random: Random;
  private seq = 0;

  constructor(no: number, account: Account, clock: Clock, random: Random) {
    this.no = no;
    this.account = account;
    this.clock = clock;
    this.random = random;
    this.emitter.setMaxListeners(0);
    const byName = new Map<string, string>();
    for (const seed of DEFAULT_FOLDERS) {
      const parentKey = seed.parent === null ? null : byName.get(seed.parent) ?? null;
      const folder = this.addFolderRecord(parentKey, seed.name, seed.kind, seed.folderClass, seed.distinguished);
      byName.set(seed.distinguished, folder.key);
    }
  }

  /** Display name of a directory user by address (set by the lab), for resolving recipients. */
  directory: (address: string) => string | undefined = () => undefined;

  newKey(): string {
    return this.random.bytes(16).toString('hex');
  }

  now(): number {
    return this.clock.now();
  }

  get lastSeq(): number {
    return this.seq;
  }

  private addFolderRecord(parentKey: string | null, name: string, kind: FolderKind, folderClass: string, distinguished?: string): StoredFolder {
    const key = this.newKey();
    const folder: StoredFolder = {
      key,
      id: encodeId('folder', this.no, key),
      kind,
      parentKey,
      displayName: name,
      folderClass,
      version: 1,
      userConfigurations: new Map(),
    };
    if (distinguished !== undefined) folder.distinguished = distinguished;
    this.folders.set(key, folder);
    return folder;
  }

  folderChangeKey(folder: StoredFolder): string {
    return encodeChangeKey(folder.key, folder.version);
  }

  itemChangeKey(item: StoredItem): string {
    return encodeChangeKey(item.key, item.version);
  }

  distinguished(name: string): StoredFolder | undefined {
    for (const f of this.folders.values()) if (f.distinguished === name) return f;
    return undefined;
  }

  childFolders(key: string): StoredFolder[] {
    return [...this.folders.values()].filter((f) => f.parentKey === key);
  }

  descendants(key: string): StoredFolder[] {
    const out: StoredFolder[] = [];
    for (const c of this.childFolders(key)) out.push(c, ...this.descendants(c.key));
    return out;
  }

  itemsIn(folderKey: string, associated = false): StoredItem[] {
    return [...this.items.values()].filter((i) => i.folderKey === folderKey && i.associated === associated);
  }

  createFolder(parentKey: string, name: string, kind: FolderKind, folderClass: string): StoredFolder {
    const folder = this.addFolderRecord(parentKey, name, kind, folderClass);
    const parent = this.folders.get(parentKey)!;
    this.touchFolder(parent);
    this.record('CreatedEvent', { folderId: folder.id, parentFolderId: parent.id, folderKey: parentKey });
    return folder;
  }

  touchFolder(folder: StoredFolder): void {
    folder.version += 1;
  }

  addItem(spec: NewItem): StoredItem {
    const key = this.newKey();
    const now = this.clock.now();
    const item: StoredItem = {
      key,
      id: encodeId('item', this.no, key),
      kind: spec.kind,
      folderKey: spec.folderKey,
      props: spec.props,
      extended: spec.extended ?? [],
      attachments: spec.attachments ?? [],
      version: 1,
      contentVersion: 1,
      changedAt: new Map(),
      createdAt: now,
      modifiedAt: now,
      associated: spec.associated ?? false,
    };
    if (spec.mime !== undefined) item.mime = spec.mime;
    this.items.set(key, item);
    const folder = this.folders.get(spec.folderKey)!;
    this.record('CreatedEvent', { itemId: item.id, parentFolderId: folder.id, folderKey: folder.key });
    if (spec.newMail) this.record('NewMailEvent', { itemId: item.id, parentFolderId: folder.id, folderKey: folder.key });
    return item;
  }

  /** Records a modification: `changed` names the properties touched; a read-flag-only change keeps contentVersion. */
  modified(item: StoredItem, changed: Iterable<string>, readFlagOnly = false): void {
    item.version += 1;
    if (!readFlagOnly) item.contentVersion += 1;
    for (const name of changed) item.changedAt.set(name, item.version);
    item.modifiedAt = this.clock.now();
    const folder = this.folders.get(item.folderKey)!;
    this.record('ModifiedEvent', { itemId: item.id, parentFolderId: folder.id, folderKey: folder.key });
  }

  removeItem(item: StoredItem): void {
    this.items.delete(item.key);
    const folder = this.folders.get(item.folderKey)!;
    this.record('DeletedEvent', { itemId: item.id, parentFolderId: folder.id, folderKey: folder.key });
  }

  /** Moving gives the item a new id, as Exchange does across folders. */
  moveItem(item: StoredItem, toFolderKey: string, copy = false): StoredItem {
    const from = this.folders.get(item.folderKey)!;
    const to = this.folders.get(toFolderKey)!;
    const key = this.newKey();
    const moved: StoredItem = {
      ...item,
      key,
      id: encodeId('item', this.no, key),
      folderKey: toFolderKey,
      props: new Map(item.props),
      extended: [...item.extended],
      attachments: item.attachments.map((a) => ({ ...a })),
      changedAt: new Map(item.changedAt),
      version: item.version + 1,
      modifiedAt: this.clock.now(),
    };
    if (!copy) this.items.delete(item.key);
    this.items.set(key, moved);
    this.record(copy ? 'CopiedEvent' : 'MovedEvent', {
      itemId: moved.id,
      parentFolderId: to.id,
      oldItemId: item.id,
      oldParentFolderId: from.id,
      folderKey: to.key,
      oldFolderKey: from.key,
    });
    return moved;
  }

  private record(type: MailboxEventType, fields: Omit<MailboxEvent, 'seq' | 'type' | 'at'>): void {
    this.seq += 1;
    const event: MailboxEvent = { seq: this.seq, type, at: this.clock.now(), ...fields };
    this.events.push(event);
    this.emitter.emit('event', event);
  }
}
