/** Alert walls of mailboxes and profile owners. */
import type { Selectable } from 'kysely';
import type { Alert, AlertInput, AlertLevel, AlertTargetType } from '../../domain/alert.ts';
import { iso, isoOrNull, type AlertsTable, type Executor } from '../database.ts';
import { nowDate, type RepoDeps } from './repo-deps.ts';

export type AlertRepository = ReturnType<typeof alertRepository>;
export type AlertFilter = { targetType?: AlertTargetType; targetId?: string; targetIds?: string[]; ownerUserId?: string; level?: AlertLevel; includeDismissed?: boolean; limit?: number };

const toAlert = (r: Selectable<AlertsTable>): Alert => ({
  id: r.id, level: r.level as AlertLevel, targetType: r.target_type as AlertTargetType, targetId: r.target_id, ownerUserId: r.owner_user_id,
  code: r.code, message: r.message, details: r.details, createdAt: iso(r.created_at), dismissedAt: isoOrNull(r.dismissed_at),
});

export function alertRepository(db: Executor, deps: RepoDeps) {
  return {
    async create(input: AlertInput): Promise<Alert> {
      const id = deps.random.uuid();
      await db
        .insertInto('alerts')
        .values({
          id, level: input.level, target_type: input.targetType, target_id: input.targetId, owner_user_id: input.ownerUserId, code: input.code,
          message: input.message, details: JSON.stringify(input.details ?? {}), created_at: nowDate(deps),
        })
        .execute();
      return (await this.get(id))!;
    },
    async get(id: string): Promise<Alert | undefined> {
      const r = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toAlert(r);
    },
    async list(filter: AlertFilter = {}): Promise<Alert[]> {
      let q = db.selectFrom('alerts').selectAll();
      if (filter.targetType !== undefined) q = q.where('target_type', '=', filter.targetType);
      if (filter.targetId !== undefined) q = q.where('target_id', '=', filter.targetId);
      if (filter.targetIds !== undefined) {
        if (filter.targetIds.length === 0) return [];
        q = q.where('target_id', 'in', filter.targetIds);
      }
      if (filter.ownerUserId !== undefined) q = q.where('owner_user_id', '=', filter.ownerUserId);
      if (filter.level !== undefined) q = q.where('level', '=', filter.level);
      if (filter.includeDismissed !== true) q = q.where('dismissed_at', 'is', null);
      return (await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit ?? 200).execute()).map(toAlert);
    },
    async dismiss(id: string): Promise<boolean> {
      const r = await db.updateTable('alerts').set({ dismissed_at: nowDate(deps) }).where('id', '=', id).where('dismissed_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
  };
}
