/**
 * What every use case receives: the store, time and ids, and who is acting. The REST API builds
 * the principal from the API token; the CLI acts as an administrator named after the OS user.
 * Role rules live here, once, so the API and the CLI enforce the same ones.
 */
import type { Clock, Random } from '../clock.ts';
import type { Actor } from '../domain/audit.ts';
import type { TokenRole } from '../domain/api-token.ts';
import { AppError } from '../errors.ts';
import type { Repositories, Store } from '../store/store.ts';

export type Principal = { role: TokenRole; userId: string | null; actor: Actor };
export type UseCaseContext = { store: Store; clock: Clock; random: Random; principal: Principal };

export function forbidden(message: string): AppError {
  return new AppError('forbidden', message, { kind: 'permanent', status: 403 });
}

export function requireAdministrator(ctx: UseCaseContext): void {
  if (ctx.principal.role !== 'administrator') throw forbidden('this action needs an administrator token');
}

/** Administrators change any mailbox; a mailbox owner only the mailbox of its own user. */
export function requireMailboxAccess(ctx: UseCaseContext, mailbox: { ownerType: string; ownerId: string }): void {
  const p = ctx.principal;
  if (p.role === 'administrator') return;
  if (p.role === 'mailbox-owner' && mailbox.ownerType === 'user' && p.userId !== null && mailbox.ownerId === p.userId) return;
  throw forbidden(p.role === 'read-only' ? 'a read-only token cannot change anything' : 'this mailbox belongs to another user');
}

/**
 * Administrators and read-only tokens see every mailbox; a mailbox owner only the mailbox of its
 * own user, so what an owner lists, reads or acts on is never another user's.
 */
export function canSeeMailbox(ctx: UseCaseContext, mailbox: { ownerType: string; ownerId: string }): boolean {
  const p = ctx.principal;
  if (p.role !== 'mailbox-owner') return true;
  return mailbox.ownerType === 'user' && p.userId !== null && mailbox.ownerId === p.userId;
}

export function requireMailboxRead(ctx: UseCaseContext, mailbox: { ownerType: string; ownerId: string }): void {
  if (!canSeeMailbox(ctx, mailbox)) throw forbidden('this mailbox belongs to another user');
}

/** Runs a change and its audit entry in one transaction, so a change is never left unaudited. */
export async function audited<T>(
  ctx: UseCaseContext,
  what: { action: string; entityType: string; entityId?: (result: T) => string | null; changes?: (result: T) => Record<string, unknown> },
  change: (tx: Repositories) => Promise<T>,
): Promise<T> {
  return ctx.store.transaction(async (tx) => {
    const result = await change(tx);
    await tx.audit.record({
      actor: ctx.principal.actor,
      action: what.action,
      entityType: what.entityType,
      entityId: what.entityId ? what.entityId(result) : null,
      changes: what.changes ? what.changes(result) : {},
    });
    return result;
  });
}

export const CLI_PRINCIPAL_ROLE: TokenRole = 'administrator';
