/**
 * API tokens: created by administrators (or by the first start), shown once, stored as a hash.
 */
import { sql } from 'kysely';
import { TOKEN_PREFIX, TOKEN_ROLES, type ApiToken, type TokenRole } from '../domain/api-token.ts';
import { checkOneOf, checkText, checkUuid, issue, toValidationError } from '../domain/rules.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import type { Store } from '../store/store.ts';
import type { Random } from '../clock.ts';
import { audited, requireAdministrator, type UseCaseContext } from './context.ts';

export type CreatedToken = { token: string; record: ApiToken };

function newTokenValue(random: Random): string {
  return `${TOKEN_PREFIX}${random.bytes(32).toString('base64url')}`;
}

export async function createToken(ctx: UseCaseContext, input: { name: string; role: TokenRole; userId?: string | null }): Promise<CreatedToken> {
  requireAdministrator(ctx);
  const userId = input.userId ?? null;
  const err = toValidationError([
    ...checkText('name', input.name, { required: true, max: 100 }),
    ...checkOneOf('role', input.role, TOKEN_ROLES),
    ...checkUuid('userId', userId, input.role === 'mailbox-owner'),
    ...(input.role !== 'mailbox-owner' && userId !== null ? [issue('userId', 'mailbox-owner-only', 'is only used with the mailbox-owner role')] : []),
  ]);
  if (err !== undefined) throw err;
  const token = newTokenValue(ctx.random);
  const record = await audited<ApiToken>(ctx, { action: 'token.create', entityType: 'token', entityId: (t) => t.id, changes: () => ({ name: input.name, role: input.role, userId }) }, async (tx) => {
    if (userId !== null && (await tx.users.get(userId)) === undefined) throw notFound('user', userId);
    return tx.tokens.create({ name: input.name, role: input.role, userId, token });
  });
  return { token, record };
}

export async function listTokens(ctx: UseCaseContext): Promise<ApiToken[]> {
  requireAdministrator(ctx);
  return ctx.store.tokens.list();
}

export async function revokeToken(ctx: UseCaseContext, id: string): Promise<ApiToken> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'token.revoke', entityType: 'token', entityId: () => id }, async (tx) => {
    const t = await tx.tokens.get(id);
    if (t === undefined) throw notFound('API token', id);
    await tx.tokens.revoke(id);
    return (await tx.tokens.get(id))!;
  });
}

/**
 * First start: when no administrator token exists, creates one and returns its value so the
 * caller can show it once. Runs under a transaction-scoped advisory lock so two processes
 * starting together create one token, not two.
 */
export async function ensureFirstAdministratorToken(store: Store, random: Random): Promise<CreatedToken | undefined> {
  return store.transaction(async (tx) => {
    await sql`select pg_advisory_xact_lock(4242001)`.execute(tx.db);
    if ((await tx.tokens.countLive('administrator')) > 0) return undefined;
    const token = newTokenValue(random);
    const record = await tx.tokens.create({ name: 'first administrator', role: 'administrator', userId: null, token });
    await tx.audit.record({ actor: { type: 'system', id: null, name: 'first start' }, action: 'token.create', entityType: 'token', entityId: record.id, changes: { role: 'administrator' } });
    return { token, record };
  });
}
