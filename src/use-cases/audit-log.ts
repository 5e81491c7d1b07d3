/** Reading the audit log (administrators and read-only auditors). */
import type { AuditEntry } from '../domain/audit.ts';
import type { AuditFilter } from '../store/repositories/audit-repository.ts';
import { forbidden, type UseCaseContext } from './context.ts';

export async function listAuditEntries(ctx: UseCaseContext, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  if (ctx.principal.role === 'mailbox-owner') throw forbidden('the audit log is for administrators and auditors');
  return ctx.store.audit.list(filter);
}
