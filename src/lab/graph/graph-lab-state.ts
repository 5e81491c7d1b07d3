import type { Clock, Random } from '../../clock.ts';

/**
 * The lab's Exchange Online mailboxes, in memory, shaped as Graph shows them. Items are kept as the
 * Graph JSON a client would read (without id and etag), so routes mostly merge and return objects.
 *
 * Every item lives in one collection (a mail folder's messages, the calendar, a contact folder, a To Do
 * list); every change appends to that collection's change log, and delta tokens are positions in the log.
 */
export type LabItem = {
  id: string;
  collection: string;
  changeKey: string;
  data: Record<string, unknown>;
  /** File attachments, with their bytes (messages only). */
  attachments: LabAttachment[];
  /** Single-value extended properties by lower-cased id. */
  properties: Map<string, { id: string; value: string }>;
  /** Open extensions by extension name (To Do tasks). */
  extensions: Map<string, Record<string, unknown>>;
  createdAt: number;
  lastModifiedAt: number;
};

export type LabAttachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  content: Buffer;
};

export type LabFolder = {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnownName?: string;
  extendedProperties: Map<string, { id: string; value: string }>;
};

export type LabUser = {
  id: string;
  mail: string;
  displayName: string;
  /** A directory user whose mailbox is not in Exchange Online (on-premises or unlicensed). */
  onPremises: boolean;
  folders: Map<string, LabFolder>;
  calendarId: string;
  contactFolderId: string;
  todoLists: Array<{ id: string; displayName: string; wellknownListName: string }>;
  items: Map<string, LabItem>;
  log: Array<{ seq: number; collection: string; id: string }>;
  /** Raised to invalidate every delta token of the mailbox, as when Exchange drops its sync state cache. */
  deltaGeneration: number;
};

export const wellKnownMailFolders = ['msgfolderroot', 'inbox', 'sentitems', 'drafts', 'deleteditems', 'outbox', 'junkemail'] as const;

const folderNames: Record<string, string> = {
  msgfolderroot: 'Top of Information Store',
  inbox: 'Inbox',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  deleteditems: 'Deleted Items',
  outbox: 'Outbox',
  junkemail: 'Junk Email',
};

export class GraphLabState {
  readonly clock: Clock;
  readonly random: Random;
  readonly users = new Map<string, LabUser>();
  /** Told of every change (the lab's change notifications listen here). */
  onChange: ((user: LabUser, collection: string, id: string, changeType: 'created' | 'updated' | 'deleted') => void) | undefined;
  #seq = 0;

  constructor(clock: Clock, random: Random) {
    this.clock = clock;
    this.random = random;
  }

  newId(prefix = 'AAMk'): string {
    return prefix + this.random.bytes(18).toString('base64url');
  }

  addUser(mail: string, options: { displayName?: string; onPremises?: boolean } = {}): LabUser {
    const existing = this.user(mail);
    if (existing !== undefined) return existing;
    const user: LabUser = {
      id: this.random.uuid(),
      mail,
      displayName: options.displayName ?? mail.split('@')[0]!,
      onPremises: options.onPremises ?? false,
      folders: new Map(),
      calendarId: this.newId('AAMkCal'),
      contactFolderId: this.newId('AAMkCon'),
      todoLists: [{ id: this.newId('AAMkTodo'), displayName: 'Tasks', wellknownListName: 'defaultList' }],
      items: new Map(),
      log: [],
      deltaGeneration: 1,
    };
    const rootId = this.newId('AAMkFld');
    for (const name of wellKnownMailFolders) {
      const id = name === 'msgfolderroot' ? rootId : this.newId('AAMkFld');
      user.folders.set(id, { id, displayName: folderNames[name]!, parentFolderId: name === 'msgfolderroot' ? '' : rootId, wellKnownName: name, extendedProperties: new Map() });
    }
    this.users.set(mail.toLowerCase(), user);
    return user;
  }

  /** A user by SMTP address, UPN or directory id. */
  user(key: string): LabUser | undefined {
    const lower = key.toLowerCase();
    const byMail = this.users.get(lower);
    if (byMail !== undefined) return byMail;
    for (const user of this.users.values()) if (user.id === lower) return user;
    return undefined;
  }

  /** A mail folder by id or well-known name. */
  folder(user: LabUser, key: string): LabFolder | undefined {
    const direct = user.folders.get(key);
    if (direct !== undefined) return direct;
    const lower = key.toLowerCase();
    for (const folder of user.folders.values()) if (folder.wellKnownName === lower) return folder;
    return undefined;
  }

  createFolder(user: LabUser, parentId: string, displayName: string): LabFolder {
    const id = this.newId('AAMkFld');
    const folder: LabFolder = { id, displayName, parentFolderId: parentId, extendedProperties: new Map() };
    user.folders.set(id, folder);
    return folder;
  }

  /** Creates an item (new id) in a collection and logs the change. */
  create(user: LabUser, collection: string, data: Record<string, unknown>, attachments: LabAttachment[] = []): LabItem {
    const now = this.clock.now();
    const item: LabItem = {
      id: this.newId(),
      collection,
      changeKey: this.#changeKey(),
      data,
      attachments,
      properties: new Map(),
      extensions: new Map(),
      createdAt: now,
      lastModifiedAt: now,
    };
    user.items.set(item.id, item);
    this.#log(user, collection, item.id, 'created');
    return item;
  }

  /** Changes an item: a new change key, and a change in its collection's log. */
  touch(user: LabUser, item: LabItem): void {
    item.changeKey = this.#changeKey();
    item.lastModifiedAt = this.clock.now();
    this.#log(user, item.collection, item.id, 'updated');
  }

  move(user: LabUser, item: LabItem, collection: string): void {
    const from = item.collection;
    item.collection = collection;
    this.#log(user, from, item.id, 'deleted');
    item.changeKey = this.#changeKey();
    item.lastModifiedAt = this.clock.now();
    this.#log(user, collection, item.id, 'created');
  }

  remove(user: LabUser, item: LabItem): void {
    user.items.delete(item.id);
    this.#log(user, item.collection, item.id, 'deleted');
  }

  itemsIn(user: LabUser, collection: string): LabItem[] {
    return [...user.items.values()].filter((item) => item.collection === collection);
  }

  currentSeq(): number {
    return this.#seq;
  }

  /** Ids changed in a collection after `since` up to `upTo`, each once, in the order of their last change. */
  changedIds(user: LabUser, collection: string, since: number, upTo: number): string[] {
    const last = new Map<string, number>();
    for (const entry of user.log) {
      if (entry.seq > since && entry.seq <= upTo && entry.collection === collection) last.set(entry.id, entry.seq);
    }
    return [...last.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  #log(user: LabUser, collection: string, id: string, changeType: 'created' | 'updated' | 'deleted'): void {
    user.log.push({ seq: ++this.#seq, collection, id });
    this.onChange?.(user, collection, id, changeType);
  }

  #changeKey(): string {
    return this.random.bytes(12).toString('base64');
  }
}

export function etagOf(item: LabItem): string {
  return `W/"${item.changeKey}"`;
}
