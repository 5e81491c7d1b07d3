/**
 * What administrators and users do about ACT from the API and CLI: see the safety valves and
 * confirm one (the deletes it held back then go through on the next cycle), see flagged conflicts
 * and choose the side to keep, and ask for an ACT run now.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { ActKind } from '../../exchange/driver.ts';
import type { ActDatabase } from './act-tables.ts';

export type ValveView = { mailboxId: string; kind: ActKind; side: string; deletes: number; linked: number; trippedAt: string; confirmedAt: string | null; confirmedBy: string | null };
export type ConflictView = { linkId: string; mailboxId: string; kind: ActKind; crmId: string; remoteId: string | null; fields: string[]; resolveWith: string | null };

const notFound = (what: string) => new AppError('not_found', `${what} was not found.`, { kind: 'not-found', status: 404 });

export async function listValves(db: Kysely<ActDatabase>, mailboxId?: string): Promise<ValveView[]> {
  let q = db.selectFrom('act_valves').selectAll();
  if (mailboxId !== undefined) q = q.where('mailbox_id', '=', mailboxId);
  return (await q.orderBy('tripped_at').execute()).map((r) => ({
    mailboxId: r.mailbox_id,
    kind: r.kind as ActKind,
    side: r.side,
    deletes: r.deletes,
    linked: r.linked,
    trippedAt: new Date(r.tripped_at).toISOString(),
    confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at).toISOString(),
    confirmedBy: r.confirmed_by,
  }));
}

/** Confirms the deletes a tripped valve held back and makes the mailbox's ACT due now. */
export async function confirmValve(db: Kysely<ActDatabase>, clock: Clock, mailboxId: string, kind: ActKind, by: string): Promise<ValveView> {
  const now = new Date(clock.now());
  const r = await db.updateTable('act_valves').set({ confirmed_at: now, confirmed_by: by }).where('mailbox_id', '=', mailboxId).where('kind', '=', kind).executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw notFound(`A tripped safety valve for ${kind}s of mailbox ${mailboxId}`);
  await db.updateTable('mailboxes').set({ next_act_at: now }).where('id', '=', mailboxId).execute();
  return (await listValves(db, mailboxId)).find((v) => v.kind === kind)!;
}

export async function listConflicts(db: Kysely<ActDatabase>, mailboxId?: string): Promise<ConflictView[]> {
  let q = db.selectFrom('act_links').selectAll().where('conflict', 'is not', null);
  if (mailboxId !== undefined) q = q.where('mailbox_id', '=', mailboxId);
  return (await q.orderBy('updated_at').execute()).map((r) => ({
    linkId: r.id,
    mailboxId: r.mailbox_id,
    kind: r.kind as ActKind,
    crmId: r.crm_id,
    remoteId: r.remote_id,
    fields: r.conflict ?? [],
    resolveWith: r.resolve_with,
  }));
}

/** The user's answer to a flagged conflict: the next cycle takes that side's values. */
export async function resolveConflict(db: Kysely<ActDatabase>, clock: Clock, linkId: string, keep: 'crm' | 'exchange'): Promise<ConflictView> {
  const r = await db.updateTable('act_links').set({ resolve_with: keep }).where('id', '=', linkId).where('conflict', 'is not', null).executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw notFound(`A flagged conflict ${linkId}`);
  const link = await db.selectFrom('act_links').select('mailbox_id').where('id', '=', linkId).executeTakeFirstOrThrow();
  await db.updateTable('mailboxes').set({ next_act_at: new Date(clock.now()) }).where('id', '=', link.mailbox_id).execute();
  return (await listConflicts(db, link.mailbox_id)).find((c) => c.linkId === linkId)!;
}

/** Asks for an ACT run of the mailbox as soon as a worker is free. */
export async function requestActRun(db: Kysely<ActDatabase>, clock: Clock, mailboxId: string): Promise<void> {
  const r = await db.updateTable('mailboxes').set({ next_act_at: new Date(clock.now()) }).where('id', '=', mailboxId).executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw notFound(`Mailbox ${mailboxId}`);
}
