/**
 * The ACT store over the database, for one mailbox under its lease: every write runs in a
 * transaction that first checks the lease epoch, so a worker that lost the mailbox writes nothing,
 * and a CRM write commits together with its link.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock, Random } from '../../clock.ts';
import type { ActKind, RemoteItemId, RemoteVersion, SyncCursor } from '../../exchange/driver.ts';
import { leaseLost, type Lease } from '../leases.ts';
import type { ActDatabase } from './act-tables.ts';
import { crmToFields, fieldsToCrm, filterFacts, type PartyLookup, type Row } from './crm-map.ts';
import { fieldTimes } from './field-times.ts';
import { contentHash, stableJson, type Fields } from './fields.ts';
import { matchesFilter, type ActFilters } from './filters.ts';
import { noProgress, type ActProgress, type ActStore, type CrmRecord, type Link } from './ports.ts';
import type { ValveVerdict } from './valve.ts';

const table = { appointment: 'appointments', task: 'tasks', contact: 'contacts' } as const;

export type DbActStoreOptions = {
  db: Kysely<ActDatabase>;
  lease: Lease;
  user: { id: string; emailAddress: string };
  filters: ActFilters;
  clock: Clock;
  random: Random;
  alert: (tx: Transaction<ActDatabase>, code: string, message: string, details: Record<string, unknown>) => Promise<void>;
};

export const cursorFolder = (kind: ActKind): string => `act:${kind}`;
/** The progress handed on with a kind's cursor (ports.ts ActProgress), beside it and written with it. */
export const progressFolder = (kind: ActKind): string => `act:${kind}:progress`;

export function crmVersion(row: Row, fields: Fields): string {
  const at = row.updated_at instanceof Date ? row.updated_at.toISOString() : String(row.updated_at);
  return createHash('sha256').update(at).update(stableJson(fields)).digest('hex').slice(0, 24);
}

export function dbActStore(o: DbActStoreOptions): ActStore {
  const mailboxId = o.lease.mailboxId;
  const now = () => new Date(o.clock.now());
  const fenced = <T>(fn: (tx: Transaction<ActDatabase>) => Promise<T>): Promise<T> =>
    o.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('mailboxes').select('id').where('id', '=', mailboxId).where('lease_epoch', '=', o.lease.epoch).forUpdate().executeTakeFirst();
      if (row === undefined) throw leaseLost(o.lease);
      return fn(tx);
    });

  const toRecord = (kind: ActKind, row: Row): CrmRecord => {
    const fields = crmToFields(kind, row);
    const modifiedAt = new Date(row.updated_at).getTime();
    return {
      id: row.id,
      version: crmVersion(row, fields),
      fields,
      modifiedAt,
      fieldModifiedAt: fieldTimes(kind, fields, row.details?.['fieldChanges'], modifiedAt),
      inFilter: matchesFilter(kind, o.filters[kind], filterFacts(kind, row), o.user),
      ownedByUser: row['owner_user_id'] === o.user.id,
    };
  };
  const selectRows = (db: Kysely<ActDatabase> | Transaction<ActDatabase>, kind: ActKind) => db.selectFrom(table[kind] as 'tasks').selectAll();
  const lookup =
    (tx: Transaction<ActDatabase>): PartyLookup =>
    async (address) => {
      const a = address.toLowerCase();
      const user = await tx.selectFrom('users').select('id').where((eb) => eb.fn('lower', ['email_address']), '=', a).executeTakeFirst();
      if (user !== undefined) return { type: 'user', id: user.id };
      const contact = (await sql<{ id: string }>`select id from contacts where exists (select 1 from jsonb_array_elements_text(email_addresses) e where lower(e) = ${a}) order by created_at limit 1`.execute(tx)).rows[0];
      if (contact !== undefined) return { type: 'contact', id: contact.id };
      const account = await tx.selectFrom('accounts').select('id').where((eb) => eb.fn('lower', ['email_address']), '=', a).orderBy('created_at').executeTakeFirst();
      if (account !== undefined) return { type: 'account', id: account.id };
      const lead = await tx.selectFrom('leads').select('id').where((eb) => eb.fn('lower', ['email_address']), '=', a).orderBy('created_at').executeTakeFirst();
      return lead === undefined ? null : { type: 'lead', id: lead.id };
    };
  const linkValues = (link: Link, version: string | null) => ({
    id: link.id,
    mailbox_id: mailboxId,
    kind: link.kind,
    crm_id: link.crmId,
    remote_id: link.remoteId,
    remote_version: link.remoteVersion,
    crm_version: version,
    base_crm: JSON.stringify(link.baseCrm),
    base_exchange: link.baseExchange === null ? null : JSON.stringify(link.baseExchange),
    base_hash: contentHash(link.kind, link.baseCrm),
    state: link.state,
    conflict: link.conflict === null ? null : JSON.stringify(link.conflict),
    resolve_with: link.resolveWith,
    updated_at: now(),
  });
  const upsertLink = async (tx: Transaction<ActDatabase>, link: Link, version: string | null) => {
    const v = linkValues(link, version);
    // A link replaces any older one for the same record or item (a pair linked again).
    await tx.deleteFrom('act_links').where('mailbox_id', '=', mailboxId).where('kind', '=', link.kind).where('id', '<>', link.id).where((eb) => eb.or([eb('crm_id', '=', link.crmId), ...(link.remoteId === null ? [] : [eb('remote_id', '=', link.remoteId)])])).execute();
    await tx.insertInto('act_links').values(v).onConflict((oc) => oc.column('id').doUpdateSet({ ...v, id: undefined } as never)).execute();
  };
  const rowFor = async (tx: Transaction<ActDatabase>, kind: ActKind, id: string): Promise<Row | undefined> =>
    (await selectRows(tx, kind).where('id', '=', id).forUpdate().executeTakeFirst()) as Row | undefined;

  return {
    async links(kind) {
      const rows = await o.db.selectFrom('act_links').selectAll().where('mailbox_id', '=', mailboxId).where('kind', '=', kind).orderBy('crm_id').execute();
      return rows.map((r) => ({
        id: r.id,
        kind,
        crmId: r.crm_id,
        remoteId: r.remote_id as RemoteItemId | null,
        remoteVersion: r.remote_version as RemoteVersion | null,
        crmVersion: r.crm_version,
        baseCrm: r.base_crm,
        baseExchange: r.base_exchange,
        state: r.state as Link['state'],
        conflict: r.conflict,
        resolveWith: r.resolve_with as Link['resolveWith'],
      }));
    },
    async crmRecords(kind, alsoIds) {
      const rows = (await selectRows(o.db, kind)
        .where((eb) => eb.or([eb('owner_user_id', '=', o.user.id), ...(kind === 'appointment' && o.filters.appointment.scope === 'me-or-party' ? [eb.lit(true)] : []), ...(alsoIds.length === 0 ? [] : [eb('id', 'in', alsoIds)])]))
        .orderBy('id')
        .execute()) as Row[];
      return rows.map((r) => toRecord(kind, r)).filter((r) => r.inFilter || alsoIds.includes(r.id));
    },
    async crmRecord(kind, id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const row = (await selectRows(o.db, kind).where('id', '=', id).executeTakeFirst()) as Row | undefined;
      return row === undefined ? null : toRecord(kind, row);
    },
    async cursor(kind) {
      const r = await o.db.selectFrom('mailbox_cursors').select('cursor').where('mailbox_id', '=', mailboxId).where('folder', '=', cursorFolder(kind)).executeTakeFirst();
      return (r?.cursor ?? null) as SyncCursor | null;
    },
    saveLink: (link) => fenced((tx) => upsertLink(tx, link, link.crmVersion)),
    removeLink: (_kind, linkId) => fenced(async (tx) => void (await tx.deleteFrom('act_links').where('id', '=', linkId).execute())),
    createCrm: (kind, id, fields, link) =>
      fenced(async (tx) => {
        const columns = await fieldsToCrm(kind, fields, null, lookup(tx));
        await tx
          .insertInto(table[kind] as 'tasks')
          .values({ id, ...columns, owner_user_id: o.user.id, ...(kind === 'contact' ? {} : { mailbox_id: mailboxId }), created_at: now(), updated_at: now() } as never)
          .execute();
        const record = toRecord(kind, (await rowFor(tx, kind, id))!);
        await upsertLink(tx, { ...link, baseCrm: record.fields }, record.version);
        return record;
      }),
    updateCrm: (kind, id, expectedVersion, fields, link) =>
      fenced(async (tx) => {
        const row = await rowFor(tx, kind, id);
        if (row === undefined || toRecord(kind, row).version !== expectedVersion) return null;
        const columns = await fieldsToCrm(kind, fields, row, lookup(tx));
        await tx.updateTable(table[kind] as 'tasks').set({ ...columns, updated_at: now() } as never).where('id', '=', id).execute();
        const record = toRecord(kind, (await rowFor(tx, kind, id))!);
        await upsertLink(tx, link, record.version);
        return record;
      }),
    deleteCrm: (kind, id, expectedVersion, linkId) =>
      fenced(async (tx) => {
        const row = await rowFor(tx, kind, id);
        if (row === undefined || toRecord(kind, row).version !== expectedVersion) return false;
        await tx.deleteFrom(table[kind] as 'tasks').where('id', '=', id).execute();
        await tx.deleteFrom('act_links').where('id', '=', linkId).execute();
        return true;
      }),
    async progress(kind) {
      const r = await o.db.selectFrom('mailbox_cursors').select('cursor').where('mailbox_id', '=', mailboxId).where('folder', '=', progressFolder(kind)).executeTakeFirst();
      if (r === undefined) return noProgress;
      const p = JSON.parse(r.cursor) as Partial<ActProgress>;
      return { held: Array.isArray(p.held) ? p.held : [], rescan: p.rescan === true };
    },
    commitCursor: (kind, cursor, progress) =>
      fenced(async (tx) => {
        const put = (folder: string, value: string) =>
          tx
            .insertInto('mailbox_cursors')
            .values({ mailbox_id: mailboxId, folder, cursor: value, updated_at: now() })
            .onConflict((oc) => oc.columns(['mailbox_id', 'folder']).doUpdateSet({ cursor: value, updated_at: now() }))
            .execute();
        await put(cursorFolder(kind), cursor);
        if (progress.held.length > 0 || progress.rescan) await put(progressFolder(kind), JSON.stringify(progress));
        else await tx.deleteFrom('mailbox_cursors').where('mailbox_id', '=', mailboxId).where('folder', '=', progressFolder(kind)).execute();
      }),
    async valveConfirmed(kind) {
      const r = await o.db.selectFrom('act_valves').select('confirmed_at').where('mailbox_id', '=', mailboxId).where('kind', '=', kind).executeTakeFirst();
      return r?.confirmed_at != null;
    },
    tripValve: (kind, v: Extract<ValveVerdict, { ok: false }>) =>
      fenced(async (tx) => {
        const existing = await tx.selectFrom('act_valves').select('kind').where('mailbox_id', '=', mailboxId).where('kind', '=', kind).executeTakeFirst();
        const values = { mailbox_id: mailboxId, kind, side: v.side, deletes: v.deletes, linked: v.linked, tripped_at: now(), confirmed_at: null, confirmed_by: null };
        await tx.insertInto('act_valves').values(values).onConflict((oc) => oc.columns(['mailbox_id', 'kind']).doUpdateSet({ side: v.side, deletes: v.deletes, linked: v.linked })).execute();
        if (existing === undefined) {
          const where = v.side === 'exchange' ? 'Exchange' : 'the CRM';
          await o.alert(tx, 'act_safety_valve', `Synchronization of ${kind}s stopped: ${where} suddenly shows ${v.deletes} of ${v.linked} synced ${kind}s gone. Nothing was deleted; an administrator must confirm before the deletes are carried out.`, { kind, ...v });
        }
      }),
    clearValve: (kind) => fenced(async (tx) => void (await tx.deleteFrom('act_valves').where('mailbox_id', '=', mailboxId).where('kind', '=', kind).execute())),
    alert: (code, message, details) => fenced((tx) => o.alert(tx, code, message, details)),
  };
}
