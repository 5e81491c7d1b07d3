/** The append-only audit log of changes made through the API or CLI. */
import type { AuditEntry, AuditInput, ActorType } from '../../domain/audit.ts';
import { iso, type Executor } from '../database.ts';
import { nowDate, type RepoDeps } from './repo-deps.ts';

export type AuditRepository = ReturnType<typeof auditRepository>;
export type AuditFilter = { entityType?: string; entityId?: string; limit?: number; before?: string };

export function auditRepository(db: Executor, deps: RepoDeps) {
  return {
    async record(input: AuditInput): Promise<AuditEntry> {
      const id = deps.random.uuid();
      const at = nowDate(deps);
      await db
        .insertInto('audit_log')
        .values({
          id, at, actor_type: input.actor.type, actor_id: input.actor.id, actor_name: input.actor.name, action: input.action,
          entity_type: input.entityType, entity_id: input.entityId, changes: JSON.stringify(input.changes),
        })
        .execute();
      return { id, at: at.toISOString(), ...input };
    },
    async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
      let q = db.selectFrom('audit_log').selectAll();
      if (filter.entityType !== undefined) q = q.where('entity_type', '=', filter.entityType);
      if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
      if (filter.before !== undefined) q = q.where('at', '<', new Date(filter.before));
      const rows = await q.orderBy('at', 'desc').orderBy('id').limit(filter.limit ?? 200).execute();
      return rows.map((r) => ({
        id: r.id, at: iso(r.at), actor: { type: r.actor_type as ActorType, id: r.actor_id, name: r.actor_name }, action: r.action,
        entityType: r.entity_type, entityId: r.entity_id, changes: r.changes,
      }));
    },
  };
}
