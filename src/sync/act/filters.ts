/**
 * Per-user sync filters: which CRM records go to the user's mailbox. The default is Dynamics': the
 * appointments, tasks and contacts the user owns. A user may widen appointments to those they take
 * part in, narrow by status or by activity type (tasks, phone calls, letters, faxes), or turn a kind off.
 */
import type { ActKind } from '../../exchange/driver.ts';
import { AppError } from '../../errors.ts';

export const TASK_ACTIVITY_TYPES = ['task', 'phonecall', 'letter', 'fax'] as const;
export type TaskActivityType = (typeof TASK_ACTIVITY_TYPES)[number];

export type ActFilter = {
  enabled: boolean;
  /** 'me': records the user owns; 'me-or-party': also appointments the user attends. */
  scope: 'me' | 'me-or-party';
  /** Only records in these statuses; null = any. */
  statuses: string[] | null;
  /** Tasks only: which activity types are synced as Exchange tasks; null = all. */
  activityTypes: TaskActivityType[] | null;
};

export type ActFilters = { [K in ActKind]: ActFilter };

export function defaultActFilters(): ActFilters {
  const owned: ActFilter = { enabled: true, scope: 'me', statuses: null, activityTypes: null };
  return { appointment: { ...owned }, contact: { ...owned }, task: { ...owned } };
}

/** What a filter looks at in a CRM record. */
export type FilterFacts = { ownerId: string | null; partyAddresses: string[]; status: string | null; activityType: string | null };

export function matchesFilter(kind: ActKind, filter: ActFilter, facts: FilterFacts, user: { id: string; emailAddress: string }): boolean {
  if (!filter.enabled) return false;
  const owned = facts.ownerId === user.id;
  const party = kind === 'appointment' && filter.scope === 'me-or-party' && facts.partyAddresses.includes(user.emailAddress.toLowerCase());
  if (!owned && !party) return false;
  if (filter.statuses !== null && (facts.status === null || !filter.statuses.includes(facts.status))) return false;
  if (kind === 'task' && filter.activityTypes !== null && !filter.activityTypes.includes((facts.activityType ?? 'task') as TaskActivityType)) return false;
  return true;
}

/** Checks a filter patch from the API or CLI and returns the merged filters. */
export function mergeFilters(current: ActFilters, patch: unknown): ActFilters {
  if (typeof patch !== 'object' || patch === null) throw new AppError('invalid_act_filter', 'Filters must be an object keyed by appointment, contact or task.', { kind: 'invalid-input', status: 400 });
  const out: ActFilters = { appointment: { ...current.appointment }, contact: { ...current.contact }, task: { ...current.task } };
  for (const [kind, value] of Object.entries(patch as Record<string, unknown>)) {
    if (kind !== 'appointment' && kind !== 'contact' && kind !== 'task') throw new AppError('invalid_act_filter', `Unknown kind "${kind}".`, { kind: 'invalid-input', status: 400 });
    const v = value as Partial<ActFilter>;
    const f = out[kind];
    if (v.enabled !== undefined) f.enabled = v.enabled === true;
    if (v.scope !== undefined) {
      if (v.scope !== 'me' && v.scope !== 'me-or-party') throw new AppError('invalid_act_filter', 'scope is "me" or "me-or-party".', { kind: 'invalid-input', status: 400 });
      f.scope = v.scope;
    }
    if (v.statuses !== undefined) f.statuses = v.statuses === null ? null : [...v.statuses].map(String);
    if (v.activityTypes !== undefined) {
      if (v.activityTypes !== null && !v.activityTypes.every((t) => (TASK_ACTIVITY_TYPES as readonly string[]).includes(t))) {
        throw new AppError('invalid_act_filter', `activityTypes are among ${TASK_ACTIVITY_TYPES.join(', ')}.`, { kind: 'invalid-input', status: 400 });
      }
      f.activityTypes = v.activityTypes === null ? null : [...v.activityTypes];
    }
  }
  return out;
}
