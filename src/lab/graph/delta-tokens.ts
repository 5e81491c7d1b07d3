import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Delta and skip tokens of the lab's Graph: a position in a collection's change log, signed so that a
 * token the lab did not issue (or issued before the mailbox's sync state was dropped) is refused with
 * 410 syncStateNotFound, as Exchange Online refuses a delta token it no longer knows.
 * Replaying a token answers the changes since that position again, as Graph's tokens do
 * (https://learn.microsoft.com/graph/delta-query-overview, "Replays").
 */
export type DeltaPosition = {
  /** The collection (mail folder, calendar, contact folder, To Do list). */
  c: string;
  /** Changes after this log position are reported (0 = full enumeration). */
  s: number;
  /** Skip tokens: the snapshot's upper bound and the offset into it. */
  u?: number;
  o?: number;
  /** calendarView window, ISO instants. */
  ws?: string;
  we?: string;
  /** The mailbox's sync-state generation when the token was issued. */
  g: number;
};

export class DeltaTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  issue(position: DeltaPosition): string {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${this.#sign(payload)}`;
  }

  /** The position a token names, or undefined when the lab did not issue it. */
  read(token: string): DeltaPosition | undefined {
    const [payload, signature] = token.split('.');
    if (payload === undefined || signature === undefined) return undefined;
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DeltaPosition;
    } catch {
      return undefined;
    }
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url').slice(0, 22);
  }
}
