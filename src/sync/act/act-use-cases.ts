/**
 * ACT actions as the API and CLI offer them, with the same role rules and audit entries:
 * the org's policy and each user's filters, the safety valves and their confirmation, flagged
 * conflicts and their resolution, and "sync now".
 */
import type { ActKind } from '../../exchange/driver.ts';
import { AppError } from '../../errors.ts';
import { forbidden, requireAdministrator, requireMailboxAccess, requireMailboxRead, type UseCaseContext } from '../../use-cases/context.ts';
import { visibleMailboxIds } from '../../use-cases/mailboxes.ts';
import { confirmValve, listConflicts, listValves, requestActRun, resolveConflict, type ConflictView, type ValveView } from './act-admin.ts';
import { loadActFilters, loadActPolicy, saveActFilters, saveActPolicy } from './act-settings.ts';
import { actDb } from './act-tables.ts';
import type { ActPolicy } from './fields.ts';
import type { ActFilters } from './filters.ts';

const KINDS: readonly string[] = ['appointment', 'contact', 'task'];

async function audit(ctx: UseCaseContext, action: string, entityType: string, entityId: string | null, changes: Record<string, unknown>): Promise<void> {
  await ctx.store.audit.record({ actor: ctx.principal.actor, action, entityType, entityId, changes });
}

function requireSelfOrAdministrator(ctx: UseCaseContext, userId: string): void {
  if (ctx.principal.role === 'administrator') return;
  if (ctx.principal.role === 'mailbox-owner' && ctx.principal.userId === userId) return;
  throw forbidden('only an administrator or the user may change these filters');
}

export const getActPolicy = (ctx: UseCaseContext): Promise<ActPolicy> => loadActPolicy(actDb(ctx.store.kysely));

export async function updateActPolicy(ctx: UseCaseContext, patch: Record<string, unknown>): Promise<ActPolicy> {
  requireAdministrator(ctx);
  const next = await saveActPolicy(actDb(ctx.store.kysely), ctx.clock, patch);
  await audit(ctx, 'act.policy.update', 'act-policy', null, patch);
  return next;
}

export async function getActFilters(ctx: UseCaseContext, userId: string): Promise<ActFilters> {
  await ctx.store.users.require(userId);
  // A mailbox owner reads only its own user's filters; read-only and administrator tokens read all.
  if (ctx.principal.role === 'mailbox-owner' && ctx.principal.userId !== userId) throw forbidden("another user's sync filters are not yours to read");
  return loadActFilters(actDb(ctx.store.kysely), userId);
}

export async function updateActFilters(ctx: UseCaseContext, userId: string, patch: unknown): Promise<ActFilters> {
  await ctx.store.users.require(userId);
  requireSelfOrAdministrator(ctx, userId);
  const next = await saveActFilters(actDb(ctx.store.kysely), ctx.clock, userId, patch);
  await audit(ctx, 'act.filters.update', 'user', userId, { filters: patch });
  return next;
}

/** A mailbox owner sees only its own mailbox's rows (and is refused another's by id). */
async function ownRows<T extends { mailboxId: string }>(ctx: UseCaseContext, mailboxId: string | undefined, rows: (id?: string) => Promise<T[]>): Promise<T[]> {
  if (mailboxId !== undefined) requireMailboxRead(ctx, await ctx.store.mailboxes.require(mailboxId));
  const visible = await visibleMailboxIds(ctx);
  const all = await rows(mailboxId);
  return visible === 'all' ? all : all.filter((r) => visible.has(r.mailboxId));
}

export const getActValves = (ctx: UseCaseContext, mailboxId?: string): Promise<ValveView[]> => ownRows(ctx, mailboxId, (id) => listValves(actDb(ctx.store.kysely), id));

export async function confirmActValve(ctx: UseCaseContext, mailboxId: string, kind: string): Promise<ValveView> {
  requireAdministrator(ctx);
  if (!KINDS.includes(kind)) throw new AppError('invalid_act_kind', 'kind is appointment, contact or task.', { kind: 'invalid-input', status: 400 });
  const v = await confirmValve(actDb(ctx.store.kysely), ctx.clock, mailboxId, kind as ActKind, ctx.principal.actor.name);
  await audit(ctx, 'act.valve.confirm', 'mailbox', mailboxId, { kind, deletes: v.deletes, linked: v.linked });
  return v;
}

export const getActConflicts = (ctx: UseCaseContext, mailboxId?: string): Promise<ConflictView[]> => ownRows(ctx, mailboxId, (id) => listConflicts(actDb(ctx.store.kysely), id));

export async function resolveActConflict(ctx: UseCaseContext, linkId: string, keep: 'crm' | 'exchange'): Promise<ConflictView> {
  const db = actDb(ctx.store.kysely);
  const link = await db.selectFrom('act_links').select('mailbox_id').where('id', '=', linkId).executeTakeFirst();
  if (link === undefined) throw new AppError('not_found', `A flagged conflict ${linkId} was not found.`, { kind: 'not-found', status: 404 });
  requireMailboxAccess(ctx, await ctx.store.mailboxes.require(link.mailbox_id));
  const r = await resolveConflict(db, ctx.clock, linkId, keep);
  await audit(ctx, 'act.conflict.resolve', 'mailbox', link.mailbox_id, { linkId, keep });
  return r;
}

export async function syncActNow(ctx: UseCaseContext, mailboxId: string): Promise<void> {
  requireMailboxAccess(ctx, await ctx.store.mailboxes.require(mailboxId));
  await requestActRun(actDb(ctx.store.kysely), ctx.clock, mailboxId);
}
