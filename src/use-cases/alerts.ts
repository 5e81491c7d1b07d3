/** Alert walls: administrators and read-only tokens see all; a mailbox owner sees its own. */
import type { Alert } from '../domain/alert.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import type { AlertFilter } from '../store/repositories/alert-repository.ts';
import { audited, requireMailboxAccess, type UseCaseContext } from './context.ts';

export async function listAlerts(ctx: UseCaseContext, filter: AlertFilter = {}): Promise<Alert[]> {
  if (ctx.principal.role !== 'mailbox-owner') return ctx.store.alerts.list(filter);
  const userId = ctx.principal.userId;
  if (userId === null) return [];
  const own = await ctx.store.mailboxes.findByOwner('user', userId);
  const [mailboxAlerts, ownerAlerts] = await Promise.all([
    own === undefined ? Promise.resolve([]) : ctx.store.alerts.list({ ...filter, targetType: 'mailbox', targetId: own.id }),
    ctx.store.alerts.list({ ...filter, ownerUserId: userId }),
  ]);
  const seen = new Set<string>();
  return [...mailboxAlerts, ...ownerAlerts]
    .filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)))
    .filter((a) => filter.targetId === undefined || a.targetId === filter.targetId)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function dismissAlert(ctx: UseCaseContext, id: string): Promise<Alert> {
  return audited(ctx, { action: 'alert.dismiss', entityType: 'alert', entityId: () => id }, async (tx) => {
    const alert = await tx.alerts.get(id);
    if (alert === undefined) throw notFound('alert', id);
    if (ctx.principal.role !== 'administrator') {
      const mailbox = alert.targetType === 'mailbox' ? await tx.mailboxes.get(alert.targetId) : undefined;
      const ownsWall = alert.ownerUserId !== null && alert.ownerUserId === ctx.principal.userId;
      if (!ownsWall) requireMailboxAccess(ctx, mailbox ?? { ownerType: 'none', ownerId: '' });
    }
    await tx.alerts.dismiss(id);
    return (await tx.alerts.get(id))!;
  });
}
