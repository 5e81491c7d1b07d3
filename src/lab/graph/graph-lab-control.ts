import type { GraphLabState, LabItem, LabUser } from './graph-lab-state.ts';
import { LabHttpError, type LabResponse } from './lab-route.ts';
import { deliverToInbox, type LabEmail, type LabSend } from './mail-delivery.ts';
import type { UploadRecord } from './upload-sessions.ts';
import { prepareEvent } from './act-routes.ts';
import { occurrence, occurrenceChanges } from './event-series.ts';

/**
 * What tests, the traffic generator and the demo do to the lab's Exchange Online from inside the
 * process: add mailboxes, deliver mail, edit or delete items as their owner would in Outlook, switch
 * throttling on, and read what the lab saw (concurrency high-water marks, sends, upload chunks).
 */
export class GraphLabControl {
  readonly state: GraphLabState;
  readonly sends: LabSend[];
  readonly uploads: UploadRecord[];
  readonly #limit: number;
  #latencyMs: number;
  #hold: Promise<void> | undefined;
  readonly #inFlight = new Map<string, number>();
  readonly #highWater = new Map<string, number>();
  readonly #rejected = new Map<string, number>();
  readonly #requests = new Map<string, number>();
  readonly #throttle = new Map<string, { remaining: number; retryAfterSeconds: number | undefined; interleave: boolean; skip: boolean; status: 429 | 500 | 503 }>();

  constructor(state: GraphLabState, sends: LabSend[], uploads: UploadRecord[], limit: number, latencyMs: number) {
    this.state = state;
    this.sends = sends;
    this.uploads = uploads;
    this.#limit = limit;
    this.#latencyMs = latencyMs;
  }

  addMailbox(mail: string, options: { displayName?: string; onPremises?: boolean } = {}): LabUser {
    return this.state.addUser(mail, options);
  }

  deliver(to: string, email: LabEmail): string {
    return deliverToInbox(this.state, this.#user(to), email).id;
  }

  /**
   * Creates an event, contact or To Do task as the mailbox owner would in Outlook, from Graph JSON
   * (the same shape a POST takes). Returns the new item's id.
   */
  createItem(mailbox: string, kind: 'event' | 'contact' | 'task', data: Record<string, unknown>): string {
    const user = this.#user(mailbox);
    if (kind === 'event') {
      return this.state.create(user, 'calendar', prepareEvent(this.state, user, data)).id;
    }
    const collection = kind === 'contact' ? `contacts:${user.contactFolderId}` : `todo:${user.todoLists[0]!.id}`;
    return this.state.create(user, collection, { categories: [], ...data }).id;
  }

  /** Changes an item's Graph fields as its owner would in Outlook (a new change key, a change for delta). */
  editItem(mailbox: string, id: string, patch: Record<string, unknown>): void {
    const user = this.#user(mailbox);
    const item = this.#item(user, id);
    Object.assign(item.data, patch);
    this.state.touch(user, item);
  }

  /** Changes one occurrence of a series (by its original date in the series' zone) as its owner would in Outlook: it becomes an exception. */
  editOccurrence(mailbox: string, masterId: string, date: string, patch: Record<string, unknown>): void {
    const user = this.#user(mailbox);
    const master = this.#item(user, masterId);
    if (occurrence(master, date) === null) throw new LabHttpError(404, 'ErrorItemNotFound', `No occurrence on ${date}.`);
    const changes = occurrenceChanges(master);
    const was = changes.get(date);
    changes.set(date, { deleted: false, fields: { ...(was?.deleted === false ? was.fields : {}), ...patch } });
    this.state.touch(user, master);
  }

  /** Deletes one occurrence of a series as its owner would in Outlook. */
  deleteOccurrence(mailbox: string, masterId: string, date: string): void {
    const user = this.#user(mailbox);
    const master = this.#item(user, masterId);
    if (occurrence(master, date) === null) throw new LabHttpError(404, 'ErrorItemNotFound', `No occurrence on ${date}.`);
    occurrenceChanges(master).set(date, { deleted: true });
    this.state.touch(user, master);
  }

  deleteItem(mailbox: string, id: string): void {
    const user = this.#user(mailbox);
    this.state.remove(user, this.#item(user, id));
  }

  item(mailbox: string, id: string): LabItem | undefined {
    return this.#user(mailbox).items.get(id);
  }

  /** Messages in a mail folder (by well-known name or id). */
  messagesIn(mailbox: string, folder: string): LabItem[] {
    const user = this.#user(mailbox);
    const found = this.state.folder(user, folder);
    return found === undefined ? [] : this.state.itemsIn(user, `mail:${found.id}`);
  }

  /** Forgets every delta token of the mailbox, as Exchange does when its sync-state cache drops them. */
  expireSyncState(mailbox: string): void {
    this.#user(mailbox).deltaGeneration++;
  }

  /**
   * The next `count` requests to the mailbox answer 429 with this Retry-After; with `interleave`,
   * every other request does until `count` were refused (a storm spread over many calls).
   */
  throttleNext(mailbox: string, count: number, retryAfterSeconds: number, options: { interleave?: boolean } = {}): void {
    this.#throttle.set(this.#user(mailbox).id, { remaining: count, retryAfterSeconds, interleave: options.interleave ?? false, skip: false, status: 429 });
  }

  /**
   * The next `count` requests to the mailbox fail as Exchange Online's do when a backend is
   * overloaded (503, with Retry-After when given) or failing (500). Replaces any throttling set.
   */
  failNext(mailbox: string, count: number, status: 500 | 503, retryAfterSeconds?: number): void {
    this.#throttle.set(this.#user(mailbox).id, { remaining: count, retryAfterSeconds, interleave: false, skip: false, status });
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /**
   * Holds every admitted mailbox request until `release()`: a test can then see how many a client
   * keeps in flight, without depending on timing.
   */
  holdRequests(): { release(): void } {
    let release: () => void = () => undefined;
    this.#hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    return {
      release: () => {
        this.#hold = undefined;
        release();
      },
    };
  }

  /** Requests of any app in flight for the mailbox now. */
  inFlight(mailbox: string): number {
    return this.#sumFor(this.#inFlight, mailbox, (a, b) => a + b);
  }

  /** The most requests of one app that were in flight at once for the mailbox. */
  highWater(mailbox: string): number {
    return this.#sumFor(this.#highWater, mailbox, Math.max);
  }

  /** Requests refused because the app already had the limit in flight for the mailbox. */
  rejectedConcurrent(mailbox: string): number {
    return this.#sumFor(this.#rejected, mailbox, (a, b) => a + b);
  }

  requestCount(mailbox: string): number {
    return this.#sumFor(this.#requests, mailbox, (a, b) => a + b);
  }

  /** Runs one mailbox request under the lab's throttling rules. */
  async admit(appId: string, user: LabUser, run: () => LabResponse | Promise<LabResponse>): Promise<LabResponse> {
    const key = `${appId}|${user.id}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const throttle = this.#throttle.get(user.id);
    if (throttle !== undefined && throttle.remaining > 0 && !throttle.skip) {
      throttle.remaining--;
      throttle.skip = throttle.interleave;
      const retryAfter: Record<string, string> = throttle.retryAfterSeconds === undefined ? {} : { 'retry-after': String(throttle.retryAfterSeconds) };
      if (throttle.status === 503) throw new LabHttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', retryAfter);
      if (throttle.status === 500) throw new LabHttpError(500, 'InternalServerError', 'An internal server error occurred.', retryAfter);
      throw new LabHttpError(429, 'TooManyRequests', 'Please retry again later.', retryAfter);
    }
    if (throttle !== undefined) throttle.skip = false;
    const current = this.#inFlight.get(key) ?? 0;
    if (current >= this.#limit) {
      this.#rejected.set(key, (this.#rejected.get(key) ?? 0) + 1);
      // What Exchange Online answers past 4 concurrent requests. https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
      throw new LabHttpError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': '1' });
    }
    this.#inFlight.set(key, current + 1);
    this.#highWater.set(key, Math.max(this.#highWater.get(key) ?? 0, current + 1));
    try {
      if (this.#hold !== undefined) await this.#hold;
      if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
      return await run();
    } finally {
      this.#inFlight.set(key, (this.#inFlight.get(key) ?? 1) - 1);
    }
  }

  #sumFor(map: Map<string, number>, mailbox: string, combine: (a: number, b: number) => number): number {
    const user = this.#user(mailbox);
    let result = 0;
    for (const [key, value] of map) if (key.endsWith(`|${user.id}`)) result = combine(result, value);
    return result;
  }

  #user(mailbox: string): LabUser {
    const user = this.state.user(mailbox);
    if (user === undefined) throw new Error(`No lab mailbox ${mailbox}`);
    return user;
  }

  #item(user: LabUser, id: string): LabItem {
    const item = user.items.get(id);
    if (item === undefined) throw new Error(`No item ${id} in ${user.mail}`);
    return item;
  }
}
