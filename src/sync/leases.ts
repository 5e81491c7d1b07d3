/**
 * Fenced mailbox leases (DESIGN.md section 4). A worker claims due mailboxes with one statement:
 *
 *   UPDATE mailboxes SET lease_epoch = lease_epoch + 1, … WHERE id IN
 *     (SELECT … FOR UPDATE SKIP LOCKED) RETURNING lease_epoch
 *
 * so two workers never claim the same row, and every claim gets a new epoch. Every write of sync
 * state then runs in a transaction that first locks the mailbox row and checks the epoch
 * (`fenced`): a worker whose lease expired and was taken over writes nothing.
 * Mailboxes due for appointments, contacts and tasks (next_act_at) are claimed with
 * `pipelines: 'act'`, under the same budget.
 * Each profile's maximum concurrent connections (seed 003; counted per profile, as every
 * authentication here keeps its credentials on the profile) bounds how many of its mailboxes are
 * leased at once, across every worker: a claim runs in one transaction that first takes a
 * transaction-level advisory lock per profile it may claim for, in one global order (so claimers
 * never deadlock), and only then counts the profile's live leases and leases at most the room left.
 * Two claimers for one profile therefore take turns, and the second sees the first's leases; the
 * claim is one short transaction, so the turns are short. PGlite runs the same SQL in one process.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError } from '../errors.ts';
import type { SyncDatabase } from './sync-tables.ts';

export type Lease = { mailboxId: string; owner: string; epoch: number };

export type ClaimedMailbox = Lease & {
  profileId: string | null;
  due: { incoming: boolean; outgoing: boolean; act: boolean; test: boolean };
};

export type ClaimOptions = {
  owner: string;
  now: number;
  ttlMs: number;
  limit: number;
  /**
   * Which runs the claim is for: "email" (default) claims mailboxes with incoming, outgoing or
   * Test & Enable due; "act" those with appointments, contacts and tasks due and enabled. Both
   * count against the same per-profile budget, since a mailbox has one lease.
   */
  pipelines?: 'email' | 'act';
  /** Claim only this mailbox (when it is due and free). */
  onlyMailboxId?: string;
};

type ClaimRow = {
  id: string;
  lease_epoch: number | string;
  profile_id: string | null;
  incoming_due: boolean;
  outgoing_due: boolean;
  act_due: boolean;
  test_due: boolean;
};

/**
 * The advisory-lock key space of profile connection budgets ("Dove" in ASCII). The two-key form
 * of pg_advisory_xact_lock never collides with single-key locks (migrations, first token).
 */
export const PROFILE_LOCK_SPACE = 0x446f7665;

/**
 * Takes, until the end of tx, the connection-budget lock of each profile, in the order of the
 * lock keys: every claimer takes them in that one order, so two claimers never wait on each other
 * in a cycle. Call it before counting a profile's live leases; the count then sees every lease
 * committed by an earlier holder (each statement of a read-committed transaction takes a fresh
 * snapshot).
 */
export async function lockProfileBudgets(tx: Transaction<SyncDatabase>, profileIds: ReadonlyArray<string>): Promise<void> {
  if (profileIds.length === 0) return;
  await sql`
    select pg_advisory_xact_lock(${PROFILE_LOCK_SPACE}, s.k) from (
      select distinct hashtext(p.id::text) as k from email_server_profiles p where p.id in (${sql.join([...profileIds])}) order by k) s`.execute(tx);
}

export async function claimDueMailboxes(db: Kysely<SyncDatabase>, o: ClaimOptions): Promise<ClaimedMailbox[]> {
  const now = new Date(o.now);
  const expires = new Date(o.now + o.ttlMs);
  const free = (t: string) => sql`(${sql.ref(`${t}.lease_expires_at`)} is null or ${sql.ref(`${t}.lease_expires_at`)} < ${now})`;
  const act = o.pipelines === 'act';
  const only = (t: string) => (o.onlyMailboxId === undefined ? sql`true` : sql`${sql.ref(`${t}.id`)} = ${o.onlyMailboxId}`);
  const due = (t: string) =>
    act
      ? sql`(${sql.ref(`${t}.next_act_at`)} <= ${now} and ${sql.ref(`${t}.act_enabled`)} and ${only(t)})`
      : sql`((${sql.ref(`${t}.next_incoming_at`)} <= ${now} or ${sql.ref(`${t}.next_outgoing_at`)} <= ${now} or ${sql.ref(`${t}.next_test_at`)} <= ${now}) and ${only(t)})`;
  // Earliest due first, the same order for ranking within a profile and for the worker's limit.
  const dueAt = (t: string) => (act ? sql.ref(`${t}.next_act_at`) : sql`least(${sql.ref(`${t}.next_outgoing_at`)}, ${sql.ref(`${t}.next_test_at`)}, ${sql.ref(`${t}.next_incoming_at`)})`);
  return db.transaction().execute(async (tx) => {
    // The profiles with a mailbox to claim, their budget locks taken in key order (the rows of the
    // sorted subquery are locked one after the other), in one round trip.
    const profiles = await sql<{ profile_id: string }>`
      select s.profile_id, pg_advisory_xact_lock(${PROFILE_LOCK_SPACE}, s.k) from (
        select d.profile_id, hashtext(d.profile_id::text) as k from mailboxes d
         where d.profile_id is not null and ${free('d')} and ${due('d')}
         group by d.profile_id order by k, d.profile_id) s`.execute(tx);
    const profileIds = profiles.rows.map((r) => r.profile_id);
    // Only profiles whose lock is held: one that became due after the look-up waits for the next round.
    const locked = profileIds.length === 0 ? sql`false` : sql`d.profile_id in (${sql.join(profileIds)})`;
    const r = await sql<ClaimRow>`
      update mailboxes m
         set lease_owner = ${o.owner}, lease_epoch = m.lease_epoch + 1, lease_expires_at = ${expires}
       where m.id in (
         select c.id from mailboxes c
          where c.id in (
            select x.id from (
              select d.id, d.profile_id,
                     row_number() over (partition by d.profile_id order by ${dueAt('d')}, d.id) as rank,
                     p.maximum_concurrent_connections
                       - (select count(*) from mailboxes o where o.profile_id = d.profile_id and o.lease_expires_at >= ${now}) as room
                from mailboxes d left join email_server_profiles p on p.id = d.profile_id
               where ${free('d')} and ${due('d')} and (d.profile_id is null or ${locked})) x
             where x.profile_id is null or x.rank <= x.room)
            and ${free('c')}
          order by ${dueAt('c')}, c.id
          limit ${o.limit}
          for update skip locked)
      returning m.id, m.lease_epoch, m.profile_id,
        coalesce(m.next_incoming_at <= ${now}, false) as incoming_due,
        coalesce(m.next_outgoing_at <= ${now}, false) as outgoing_due,
        coalesce(m.next_act_at <= ${now}, false) as act_due,
        coalesce(m.next_test_at <= ${now}, false) as test_due`.execute(tx);
    return r.rows.map((row) => ({
      mailboxId: row.id,
      owner: o.owner,
      epoch: Number(row.lease_epoch),
      profileId: row.profile_id,
      due: { incoming: row.incoming_due, outgoing: row.outgoing_due, act: row.act_due, test: row.test_due },
    }));
  });
}

/**
 * Extends the lease; false when it was lost. A lease that expired is not revived: claimers
 * already count it as free, so reviving it could put its profile over its connection limit.
 */
export async function heartbeat(db: Kysely<SyncDatabase>, lease: Lease, now: number, ttlMs: number): Promise<boolean> {
  const r = await db
    .updateTable('mailboxes')
    .set({ lease_expires_at: new Date(now + ttlMs) })
    .where('id', '=', lease.mailboxId)
    .where('lease_epoch', '=', lease.epoch)
    .where('lease_owner', '=', lease.owner)
    .where('lease_expires_at', '>=', new Date(now))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function release(db: Kysely<SyncDatabase>, lease: Lease): Promise<boolean> {
  const r = await db
    .updateTable('mailboxes')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', lease.mailboxId)
    .where('lease_epoch', '=', lease.epoch)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export function leaseLost(lease: Lease): AppError {
  return new AppError('lease_lost', `The lease on mailbox ${lease.mailboxId} (epoch ${lease.epoch}) was taken over; nothing was written.`, {
    kind: 'conflict',
    details: { mailboxId: lease.mailboxId, epoch: lease.epoch },
  });
}

/**
 * Runs fn in a transaction that holds the mailbox row locked at the lease's epoch, so the writes
 * in fn commit only if the lease is still ours. Throws lease_lost (and writes nothing) otherwise.
 */
export async function fenced<T>(db: Kysely<SyncDatabase>, lease: Lease, fn: (tx: Transaction<SyncDatabase>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('mailboxes').select('id').where('id', '=', lease.mailboxId).where('lease_epoch', '=', lease.epoch).forUpdate().executeTakeFirst();
    if (row === undefined) throw leaseLost(lease);
    return fn(tx);
  });
}
