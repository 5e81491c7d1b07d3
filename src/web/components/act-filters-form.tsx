/**
 * A user's ACT sync filters (GET/PATCH /api/users/{id}/act-filters): per kind, whether it syncs,
 * which records (owned, or for appointments also those the user attends), which statuses, and
 * which activity types go to Exchange as tasks. The user and administrators change them.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, patch } from '../api-client.ts';
import { KIND_LABEL, KINDS } from '../act-labels.ts';
import type { ActFilter, ActFilters, ActKind, TaskActivityType } from '../types.ts';
import { ErrorNotice, Loading, Notice } from './ui.tsx';

/** The CRM statuses a filter can narrow to (contacts have none). */
export const STATUSES: Partial<Record<ActKind, ReadonlyArray<[string, string]>>> = {
  appointment: [['scheduled', 'Scheduled'], ['completed', 'Completed'], ['canceled', 'Canceled']],
  task: [['not-started', 'Not started'], ['in-progress', 'In progress'], ['waiting', 'Waiting'], ['completed', 'Completed'], ['deferred', 'Deferred']],
};
export const ACTIVITY_TYPES: ReadonlyArray<[TaskActivityType, string]> = [['task', 'Tasks'], ['phonecall', 'Phone calls'], ['letter', 'Letters'], ['fax', 'Faxes']];

/** Every value checked means no narrowing (null); otherwise the values checked. */
function toggled<T extends string>(current: T[] | null, all: ReadonlyArray<T>, value: T, on: boolean): T[] | null {
  const base = current ?? [...all];
  const next = all.filter((v) => (v === value ? on : base.includes(v)));
  return next.length === all.length ? null : next;
}

export function ActFiltersForm({ userId, canChange }: { userId: string; canChange: boolean }) {
  const [filters, setFilters] = useState<ActFilters | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<ActFilters>(`/api/users/${userId}/act-filters`).then(setFilters, setError);
  }, [userId]);
  if (filters === undefined) return error ? <ErrorNotice error={error} /> : <Loading />;
  const set = (kind: ActKind, change: Partial<ActFilter>) => {
    setSaved(false);
    setFilters({ ...filters, [kind]: { ...filters[kind], ...change } });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      setFilters(await patch<ActFilters>(`/api/users/${userId}/act-filters`, filters));
      setSaved(true);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form onSubmit={save} noValidate aria-labelledby="filters-title" class="act-filters">
      <h3 id="filters-title">Sync filters</h3>
      <p class="help">Which CRM records go to this user's mailbox. Items the user tracks in Outlook (the “Tracked to Dovetail” category) come to the CRM whatever the filters say. A record that stops matching is unlinked: the Exchange item stays.</p>
      <fieldset class="plain" disabled={!canChange}>
        <div class="filters-grid">
          {KINDS.map((kind) => {
            const f = filters[kind];
            const statuses = STATUSES[kind];
            const id = `af-${kind}`;
            return (
              <fieldset key={kind} class="act-filter" data-kind={kind}>
                <legend>{KIND_LABEL[kind].many}</legend>
                <div class="check">
                  <input id={`${id}-enabled`} type="checkbox" checked={f.enabled} onChange={(e) => set(kind, { enabled: e.currentTarget.checked })} />
                  <label for={`${id}-enabled`}>Synchronize {KIND_LABEL[kind].many.toLowerCase()}</label>
                </div>
                {kind === 'appointment' && (
                  <div class="field">
                    <label for={`${id}-scope`}>Which appointments</label>
                    <select id={`${id}-scope`} value={f.scope} disabled={!f.enabled} onChange={(e) => set(kind, { scope: e.currentTarget.value as ActFilter['scope'] })}>
                      <option value="me">Those the user owns</option>
                      <option value="me-or-party">Those the user owns or attends</option>
                    </select>
                  </div>
                )}
                {statuses && (
                  <fieldset class="plain checks" disabled={!f.enabled}>
                    <legend class="label">Statuses</legend>
                    {statuses.map(([value, label]) => (
                      <div class="check" key={value}>
                        <input id={`${id}-status-${value}`} type="checkbox" checked={f.statuses === null || f.statuses.includes(value)}
                          onChange={(e) => set(kind, { statuses: toggled(f.statuses, statuses.map(([v]) => v), value, e.currentTarget.checked) })} />
                        <label for={`${id}-status-${value}`}>{label}</label>
                      </div>
                    ))}
                    <p class="help">{f.statuses === null ? 'Any status.' : f.statuses.length === 0 ? 'No status checked: no record matches.' : `Only: ${statuses.filter(([v]) => f.statuses!.includes(v)).map(([, l]) => l.toLowerCase()).join(', ')}.`}</p>
                  </fieldset>
                )}
                {kind === 'task' && (
                  <fieldset class="plain checks" disabled={!f.enabled}>
                    <legend class="label">Go to Exchange as tasks</legend>
                    {ACTIVITY_TYPES.map(([value, label]) => (
                      <div class="check" key={value}>
                        <input id={`${id}-type-${value}`} type="checkbox" checked={f.activityTypes === null || f.activityTypes.includes(value)}
                          onChange={(e) => set(kind, { activityTypes: toggled(f.activityTypes, ACTIVITY_TYPES.map(([v]) => v), value, e.currentTarget.checked) })} />
                        <label for={`${id}-type-${value}`}>{label}</label>
                      </div>
                    ))}
                  </fieldset>
                )}
                {kind === 'contact' && <p class="help">Contacts the user owns.</p>}
              </fieldset>
            );
          })}
        </div>
      </fieldset>
      {saved && <Notice tone="ok">Sync filters saved.</Notice>}
      <ErrorNotice error={error} />
      {canChange && <div class="actions"><button type="submit">Save sync filters</button></div>}
    </form>
  );
}
