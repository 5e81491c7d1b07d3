/** API tokens: only the SHA-256 of a token is stored; lookups hash what the caller presents. */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ApiToken, TokenRole } from '../../domain/api-token.ts';
import { iso, isoOrNull, type ApiTokensTable, type Executor } from '../database.ts';
import { mapConstraint, nowDate, type RepoDeps } from './repo-deps.ts';

export type TokenRepository = ReturnType<typeof tokenRepository>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const toToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id, name: r.name, role: r.role as TokenRole, userId: r.user_id, prefix: r.prefix, createdAt: iso(r.created_at),
  lastUsedAt: isoOrNull(r.last_used_at), revokedAt: isoOrNull(r.revoked_at),
});

export function tokenRepository(db: Executor, deps: RepoDeps) {
  return {
    async create(input: { name: string; role: TokenRole; userId: string | null; token: string }): Promise<ApiToken> {
      const id = deps.random.uuid();
      await mapConstraint('API token', () =>
        db
          .insertInto('api_tokens')
          .values({ id, name: input.name, role: input.role, user_id: input.userId, prefix: input.token.slice(0, 10), token_hash: hashToken(input.token), created_at: nowDate(deps) })
          .execute(),
      );
      return (await this.get(id))!;
    },
    async get(id: string): Promise<ApiToken | undefined> {
      const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toToken(r);
    },
    /** The live (not revoked) token with this value, marking it used. */
    async authenticate(token: string): Promise<ApiToken | undefined> {
      const r = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).where('revoked_at', 'is', null).executeTakeFirst();
      if (r === undefined) return undefined;
      await db.updateTable('api_tokens').set({ last_used_at: nowDate(deps) }).where('id', '=', r.id).execute();
      return toToken(r);
    },
    async list(): Promise<ApiToken[]> {
      return (await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(toToken);
    },
    async countLive(role?: TokenRole): Promise<number> {
      let q = db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<string>().as('n')).where('revoked_at', 'is', null);
      if (role !== undefined) q = q.where('role', '=', role);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },
    async revoke(id: string): Promise<boolean> {
      const r = await db.updateTable('api_tokens').set({ revoked_at: nowDate(deps) }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
  };
}
