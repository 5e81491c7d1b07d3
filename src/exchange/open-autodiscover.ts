/**
 * The EWS driver of a profile with Autodiscover on: each mailbox's EWS URL is found by
 * Autodiscover (cached per domain for 24 hours by createAutodiscover), and calls go to an EWS driver
 * per URL. Every driver shares the profile's transport, so NTLM connections are reused across
 * mailboxes on the same server. When a server stops answering, the domain's answer is dropped so the
 * next call asks Autodiscover again (a mailbox moved to another site, a renamed CAS namespace, a
 * server taken out of service): DNS, connect, TLS and timeout failures, HTTP 404/410/502/503 at the
 * EWS URL, and a mailbox the server no longer holds or is moving.
 */
import type {
  ActData, ActItem, ActKind, AttachmentContent, CalendarBooking, ChangePage, ConnectionCheck, DovetailStamp, EmailMessage, FolderRef, ItemResult,
  MailboxDriver, MailboxInfo, OutgoingEmail, RemoteFolderId, RemoteItemId, RemoteVersion, SentEmail, SyncCursor, WellKnownFolder,
} from './driver.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import { isAppError } from '../errors.ts';
import type { Autodiscover, AutodiscoverResult } from './ews/autodiscover/autodiscover.ts';
import type { EwsDriver } from './ews/driver.ts';
import type { EwsTransport } from './ews/transport.ts';
import type { OpenDriverDeps } from './exchange-environment.ts';
import { ewsDriverAt } from './open-ews.ts';

/** Failures that say the cached EWS URL may no longer be the mailbox's: ask Autodiscover again next time. */
const unreachable = new Set(['dns_failed', 'connect_failed', 'tls_failed', 'timeout', 'connection_dropped']);
const goneStatuses = new Set([404, 410, 502, 503]);
const movedProviderCodes = new Set(['ErrorNonExistentMailbox', 'ErrorMailboxMoveInProgress']);

export function staleEwsUrl(error: unknown): boolean {
  if (!isAppError(error)) return false;
  if (unreachable.has(error.code)) return true;
  const status = (error.details as { httpStatus?: unknown } | undefined)?.httpStatus;
  if (error.code === 'ews_http_status' && typeof status === 'number' && goneStatuses.has(status)) return true;
  return error.providerCode !== undefined && movedProviderCodes.has(error.providerCode);
}

export class AutodiscoverEwsDriver implements MailboxDriver {
  readonly provider = 'ews' as const;
  readonly autodiscover: Autodiscover;
  readonly #profile: EmailServerProfile;
  readonly #transport: EwsTransport;
  readonly #deps: OpenDriverDeps;
  readonly #byUrl = new Map<string, EwsDriver>();

  constructor(profile: EmailServerProfile, transport: EwsTransport, autodiscover: Autodiscover, deps: OpenDriverDeps) {
    this.#profile = profile;
    this.#transport = transport;
    this.autodiscover = autodiscover;
    this.#deps = deps;
  }

  /** The driver at the URL Autodiscover gives for this mailbox, and the answer (for diagnostics). */
  async driverFor(mailbox: string): Promise<{ driver: EwsDriver; discovered: AutodiscoverResult }> {
    const discovered = await this.autodiscover.discover(mailbox);
    let driver = this.#byUrl.get(discovered.ewsUrl);
    if (driver === undefined) {
      driver = ewsDriverAt(this.#profile, discovered.ewsUrl, this.#transport, this.#deps);
      this.#byUrl.set(discovered.ewsUrl, driver);
    }
    return { driver, discovered };
  }

  async #with<T>(mailbox: string, call: (driver: EwsDriver) => Promise<T>): Promise<T> {
    const { driver } = await this.driverFor(mailbox);
    try {
      return await call(driver);
    } catch (error) {
      if (staleEwsUrl(error)) this.autodiscover.invalidate(mailbox);
      throw error;
    }
  }

  testConnection(mailbox: string): Promise<ConnectionCheck[]> {
    return this.#with(mailbox, (d) => d.testConnection(mailbox));
  }
  getMailboxInfo(mailbox: string): Promise<MailboxInfo> {
    return this.#with(mailbox, (d) => d.getMailboxInfo(mailbox));
  }
  getFolder(mailbox: string, folder: WellKnownFolder): Promise<FolderRef> {
    return this.#with(mailbox, (d) => d.getFolder(mailbox, folder));
  }
  ensureFolder(mailbox: string, displayName: string): Promise<FolderRef> {
    return this.#with(mailbox, (d) => d.ensureFolder(mailbox, displayName));
  }
  syncMessages(mailbox: string, folder: RemoteFolderId, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<EmailMessage>> {
    return this.#with(mailbox, (d) => d.syncMessages(mailbox, folder, cursor, pageSize));
  }
  getMessages(mailbox: string, ids: RemoteItemId[]): Promise<ItemResult<EmailMessage>[]> {
    return this.#with(mailbox, (d) => d.getMessages(mailbox, ids));
  }
  getAttachments(mailbox: string, itemId: RemoteItemId, attachmentIds: string[]): Promise<ItemResult<AttachmentContent>[]> {
    return this.#with(mailbox, (d) => d.getAttachments(mailbox, itemId, attachmentIds));
  }
  findByInternetMessageId(mailbox: string, folder: RemoteFolderId, internetMessageId: string): Promise<RemoteItemId[]> {
    return this.#with(mailbox, (d) => d.findByInternetMessageId(mailbox, folder, internetMessageId));
  }
  addCategories(mailbox: string, ids: RemoteItemId[], categories: string[]): Promise<ItemResult<RemoteVersion>[]> {
    return this.#with(mailbox, (d) => d.addCategories(mailbox, ids, categories));
  }
  setStamp(mailbox: string, ids: RemoteItemId[], stamp: DovetailStamp): Promise<ItemResult<RemoteVersion>[]> {
    return this.#with(mailbox, (d) => d.setStamp(mailbox, ids, stamp));
  }
  moveMessages(mailbox: string, ids: RemoteItemId[], to: RemoteFolderId): Promise<ItemResult<RemoteItemId>[]> {
    return this.#with(mailbox, (d) => d.moveMessages(mailbox, ids, to));
  }
  sendMessage(mailbox: string, email: OutgoingEmail): Promise<SentEmail> {
    return this.#with(mailbox, (d) => d.sendMessage(mailbox, email));
  }
  getOrgStamp(mailbox: string): Promise<string | null> {
    return this.#with(mailbox, (d) => d.getOrgStamp(mailbox));
  }
  setOrgStamp(mailbox: string, orgId: string): Promise<void> {
    return this.#with(mailbox, (d) => d.setOrgStamp(mailbox, orgId));
  }
  syncItems<K extends ActKind>(mailbox: string, kind: K, cursor: SyncCursor | null, pageSize: number): Promise<ChangePage<ActItem<K>>> {
    return this.#with(mailbox, (d) => d.syncItems(mailbox, kind, cursor, pageSize));
  }
  getItems<K extends ActKind>(mailbox: string, kind: K, ids: RemoteItemId[]): Promise<ItemResult<ActItem<K>>[]> {
    return this.#with(mailbox, (d) => d.getItems(mailbox, kind, ids));
  }
  createItem<K extends ActKind>(mailbox: string, kind: K, data: ActData<K>, stamp: DovetailStamp, options?: { sendInvitations?: boolean }): Promise<ActItem<K>> {
    return this.#with(mailbox, (d) => d.createItem(mailbox, kind, data, stamp, options));
  }
  updateItem<K extends ActKind>(
    mailbox: string, kind: K, id: RemoteItemId, version: RemoteVersion, data: ActData<K>, options?: { sendInvitations?: boolean },
  ): Promise<ActItem<K>> {
    return this.#with(mailbox, (d) => d.updateItem(mailbox, kind, id, version, data, options));
  }
  deleteItem(mailbox: string, kind: ActKind, id: RemoteItemId, version?: RemoteVersion, options?: { sendCancellations?: boolean }): Promise<void> {
    return this.#with(mailbox, (d) => d.deleteItem(mailbox, kind, id, version, options));
  }

  findBookings(mailbox: string, start: Date, end: Date): Promise<CalendarBooking[]> {
    return this.#with(mailbox, (d) => d.findBookings(mailbox, start, end));
  }

  async close(): Promise<void> {
    for (const driver of this.#byUrl.values()) await driver.close();
    this.#byUrl.clear();
    await this.#transport.close();
  }
}
