/**
 * Mailboxes: configuration (what an administrator sets) and schedule/sync state (what the sync
 * engine writes, optionally fenced by the lease epoch), plus the per-folder cursors.
 */
import type { Selectable } from 'kysely';
import type {
  ApprovalState,
  Mailbox,
  MailboxConfig,
  MailboxCursor,
  MailboxSyncState,
  OwnerType,
  PipelineStatus,
} from '../../domain/mailbox.ts';
import { initialSyncState } from '../../domain/mailbox.ts';
import type { SyncMethod } from '../../domain/settings.ts';
import { iso, isoOrNull, type Executor, type MailboxesTable } from '../database.ts';
import { mapConstraint, notFound, nowDate, type RepoDeps } from './repo-deps.ts';

export type MailboxRepository = ReturnType<typeof mailboxRepository>;
export type MailboxFilter = { profileId?: string; ownerType?: OwnerType; ownerId?: string; approval?: ApprovalState; ids?: string[] };

/** Domain field -> column, declared once for config and state writes. */
const CONFIG_COLUMNS = {
  ownerType: 'owner_type',
  ownerId: 'owner_id',
  emailAddress: 'email_address',
  profileId: 'profile_id',
  incomingMethod: 'incoming_method',
  outgoingMethod: 'outgoing_method',
  actMethod: 'act_method',
  approval: 'approval',
  incomingEnabled: 'incoming_enabled',
  outgoingEnabled: 'outgoing_enabled',
  actEnabled: 'act_enabled',
  processEmailFrom: 'process_email_from',
} as const satisfies Record<keyof MailboxConfig, keyof MailboxesTable>;

const STATE_COLUMNS = {
  incomingStatus: 'incoming_status',
  outgoingStatus: 'outgoing_status',
  actStatus: 'act_status',
  nextIncomingAt: 'next_incoming_at',
  nextOutgoingAt: 'next_outgoing_at',
  nextActAt: 'next_act_at',
  nextTestAt: 'next_test_at',
  leaseOwner: 'lease_owner',
  leaseEpoch: 'lease_epoch',
  leaseExpiresAt: 'lease_expires_at',
  lastErrorCode: 'last_error_code',
  lastErrorMessage: 'last_error_message',
  lastErrorAt: 'last_error_at',
  lastCycleProcessed: 'last_cycle_processed',
  lastCycleFailed: 'last_cycle_failed',
  transientFailureCount: 'transient_failure_count',
  lastSyncAt: 'last_sync_at',
} as const satisfies Record<keyof MailboxSyncState, keyof MailboxesTable>;

function columns<K extends string>(map: Record<K, string>, patch: Partial<Record<K, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const col = map[k as K];
    if (col !== undefined && v !== undefined) out[col] = v;
  }
  return out;
}

export function mailboxRepository(db: Executor, deps: RepoDeps) {
  return {
    /** `processEmailFrom` may be left out: most mailboxes follow their profile's. */
    async create(config: Omit<MailboxConfig, 'processEmailFrom'> & { processEmailFrom?: string | null }): Promise<Mailbox> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      const values = { id, ...columns(CONFIG_COLUMNS, config), ...columns(STATE_COLUMNS, initialSyncState()), created_at: now, updated_at: now };
      await mapConstraint('mailbox', () => db.insertInto('mailboxes').values(values as never).execute());
      return (await this.get(id))!;
    },

    async update(id: string, patch: Partial<MailboxConfig>): Promise<Mailbox> {
      const r = await mapConstraint('mailbox', () =>
        db.updateTable('mailboxes').set({ ...columns(CONFIG_COLUMNS, patch), updated_at: nowDate(deps) } as never).where('id', '=', id).executeTakeFirst(),
      );
      if (r.numUpdatedRows === 0n) throw notFound('mailbox', id);
      return (await this.get(id))!;
    },

    /**
     * Writes schedule/sync state. With `fenceEpoch`, writes only while the mailbox's lease_epoch
     * still equals it (a worker that lost its lease changes nothing) and returns false otherwise.
     */
    async saveSyncState(id: string, patch: Partial<MailboxSyncState>, fenceEpoch?: number): Promise<boolean> {
      let q = db.updateTable('mailboxes').set({ ...columns(STATE_COLUMNS, patch), updated_at: nowDate(deps) } as never).where('id', '=', id);
      if (fenceEpoch !== undefined) q = q.where('lease_epoch', '=', fenceEpoch);
      const r = await q.executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async get(id: string): Promise<Mailbox | undefined> {
      const r = await db.selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toMailbox(r);
    },

    async require(id: string): Promise<Mailbox> {
      const m = await this.get(id);
      if (m === undefined) throw notFound('mailbox', id);
      return m;
    },

    async findByOwner(ownerType: OwnerType, ownerId: string): Promise<Mailbox | undefined> {
      const r = await db.selectFrom('mailboxes').selectAll().where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).executeTakeFirst();
      return r === undefined ? undefined : toMailbox(r);
    },

    async findByEmail(address: string): Promise<Mailbox | undefined> {
      const r = await db.selectFrom('mailboxes').selectAll().where((eb) => eb(eb.fn('lower', ['email_address']), '=', address.toLowerCase())).executeTakeFirst();
      return r === undefined ? undefined : toMailbox(r);
    },

    async list(filter: MailboxFilter = {}): Promise<Mailbox[]> {
      let q = db.selectFrom('mailboxes').selectAll();
      if (filter.profileId !== undefined) q = q.where('profile_id', '=', filter.profileId);
      if (filter.ownerType !== undefined) q = q.where('owner_type', '=', filter.ownerType);
      if (filter.ownerId !== undefined) q = q.where('owner_id', '=', filter.ownerId);
      if (filter.approval !== undefined) q = q.where('approval', '=', filter.approval);
      if (filter.ids !== undefined) {
        if (filter.ids.length === 0) return [];
        q = q.where('id', 'in', filter.ids);
      }
      return (await q.orderBy('email_address').execute()).map(toMailbox);
    },

    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('mailboxes').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async listCursors(mailboxId: string): Promise<MailboxCursor[]> {
      const rows = await db.selectFrom('mailbox_cursors').selectAll().where('mailbox_id', '=', mailboxId).orderBy('folder').execute();
      return rows.map((r) => ({ mailboxId: r.mailbox_id, folder: r.folder, cursor: r.cursor, updatedAt: iso(r.updated_at) }));
    },

    async getCursor(mailboxId: string, folder: string): Promise<string | undefined> {
      const r = await db.selectFrom('mailbox_cursors').select('cursor').where('mailbox_id', '=', mailboxId).where('folder', '=', folder).executeTakeFirst();
      return r?.cursor;
    },

    async setCursor(mailboxId: string, folder: string, cursor: string): Promise<void> {
      const now = nowDate(deps);
      await db
        .insertInto('mailbox_cursors')
        .values({ mailbox_id: mailboxId, folder, cursor, updated_at: now })
        .onConflict((oc) => oc.columns(['mailbox_id', 'folder']).doUpdateSet({ cursor, updated_at: now }))
        .execute();
    },

    async deleteCursor(mailboxId: string, folder: string): Promise<void> {
      await db.deleteFrom('mailbox_cursors').where('mailbox_id', '=', mailboxId).where('folder', '=', folder).execute();
    },
  };
}

export function toMailbox(r: Selectable<MailboxesTable>): Mailbox {
  return {
    id: r.id,
    ownerType: r.owner_type as OwnerType,
    ownerId: r.owner_id,
    emailAddress: r.email_address,
    profileId: r.profile_id,
    incomingMethod: r.incoming_method as SyncMethod,
    outgoingMethod: r.outgoing_method as SyncMethod,
    actMethod: r.act_method as SyncMethod,
    approval: r.approval as ApprovalState,
    incomingEnabled: r.incoming_enabled,
    outgoingEnabled: r.outgoing_enabled,
    actEnabled: r.act_enabled,
    processEmailFrom: isoOrNull(r.process_email_from),
    incomingStatus: r.incoming_status as PipelineStatus,
    outgoingStatus: r.outgoing_status as PipelineStatus,
    actStatus: r.act_status as PipelineStatus,
    nextIncomingAt: isoOrNull(r.next_incoming_at),
    nextOutgoingAt: isoOrNull(r.next_outgoing_at),
    nextActAt: isoOrNull(r.next_act_at),
    nextTestAt: isoOrNull(r.next_test_at),
    leaseOwner: r.lease_owner,
    leaseEpoch: Number(r.lease_epoch),
    leaseExpiresAt: isoOrNull(r.lease_expires_at),
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    lastErrorAt: isoOrNull(r.last_error_at),
    lastCycleProcessed: r.last_cycle_processed,
    lastCycleFailed: r.last_cycle_failed,
    transientFailureCount: r.transient_failure_count,
    lastSyncAt: isoOrNull(r.last_sync_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}
