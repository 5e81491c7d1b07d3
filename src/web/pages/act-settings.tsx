/**
 * The org's ACT policy (GET/PATCH /api/act/policy), a page of the email settings: what happens to a
 * field changed on both sides, which contact addresses sync, the safety valve's limits, and the
 * direction of every mapped field. Administrators change it; everyone else reads it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, type Issue } from '../api-client.ts';
import { CONFLICT_LABEL, DIRECTION_LABEL, directionOf, FIELDS, KIND_LABEL, KINDS } from '../act-labels.ts';
import type { ActKind, ActPolicy, Direction } from '../types.ts';
import { ErrorNotice, Field, Loading, Notice, PageHeader, TableWrap } from '../components/ui.tsx';
import { href } from '../router.ts';
import { canAdminister, useSession } from '../session.ts';

export function ActSettingsPage() {
  const canChange = canAdminister(useSession());
  const [loaded, setLoaded] = useState<ActPolicy | undefined>();
  const [p, setP] = useState<ActPolicy | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const [issues, setIssues] = useState<ReadonlyArray<Issue>>([]);
  useEffect(() => {
    get<ActPolicy>('/api/act/policy').then((x) => { setLoaded(x); setP(x); }, setError);
  }, []);
  if (p === undefined || loaded === undefined) return error ? <ErrorNotice error={error} /> : <Loading />;
  const set = (next: ActPolicy) => {
    setSaved(false);
    setP(next);
  };
  const setDirection = (kind: ActKind, field: string, d: Direction) => set({ ...p, directions: { ...p.directions, [kind]: { ...(p.directions[kind] ?? {}), [field]: d } } });
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setIssues([]);
    setSaved(false);
    // Only the directions changed here: the API merges them into the ones it keeps.
    const directions: ActPolicy['directions'] = {};
    for (const kind of KINDS) {
      for (const [field] of FIELDS[kind]) {
        const d = directionOf(p, kind, field);
        if (d !== directionOf(loaded, kind, field)) directions[kind] = { ...(directions[kind] ?? {}), [field]: d };
      }
    }
    try {
      const next = await patch<ActPolicy>('/api/act/policy', { conflict: p.conflict, contactAddresses: p.contactAddresses, valve: p.valve, directions });
      setLoaded(next);
      setP(next);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) setIssues(err.issues);
      setError(err as Error);
    }
  };
  const addressNone = (kind: ActKind, field: string) => kind === 'contact' && p.contactAddresses === 'mailing' && (field === 'homeAddress' || field === 'otherAddress');
  return (
    <form onSubmit={save} class="stack" noValidate>
      <PageHeader title="Appointments, contacts and tasks">{canChange && <button class="primary" type="submit">Save ACT policy</button>}</PageHeader>
      <p class="lede">
        How appointments, contacts and tasks stay in step between the CRM and each user's Exchange mailbox, for the whole org. Part of the <a href={href('/settings')}>email settings</a>;
        each user's sync filters, tripped safety valves and conflicts waiting for a choice are on the user's mailbox page.
      </p>
      {saved && <Notice tone="ok">ACT policy saved.</Notice>}
      <ErrorNotice error={error} />
      <fieldset class="plain" disabled={!canChange}>
        <div class="form-grid">
          <section class="card">
            <h2>Changed on both sides</h2>
            <Field label="When a field changed in the CRM and in Exchange" name="conflict" issues={issues} help={CONFLICT_LABEL[p.conflict][1]}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={p.conflict} onChange={(e) => set({ ...p, conflict: e.currentTarget.value as ActPolicy['conflict'] })}>
                  {Object.entries(CONFLICT_LABEL).map(([v, [l]]) => <option key={v} value={v}>{l}</option>)}
                </select>
              )}
            </Field>
            <Field label="Contact addresses" name="contactAddresses" issues={issues} help="Addresses left out are never cleared on either side.">
              {(id, d) => (
                <select id={id} aria-describedby={d} value={p.contactAddresses} onChange={(e) => set({ ...p, contactAddresses: e.currentTarget.value as ActPolicy['contactAddresses'] })}>
                  <option value="mailing">The mailing (business) address only</option>
                  <option value="all">Business, home and other addresses</option>
                </select>
              )}
            </Field>
          </section>
          <section class="card">
            <h2>Safety valve</h2>
            <p class="help">A synchronization that would delete more than this share of at least this many synced items of one kind deletes nothing, stops that kind for the mailbox and raises an error alert until an administrator confirms on the mailbox's page.</p>
            <div class="inline-fields two">
              <Field label="At least this many items" name="valve.minItems" issues={issues}>
                {(id) => <input id={id} type="number" min={1} value={String(p.valve.minItems)} onInput={(e) => set({ ...p, valve: { ...p.valve, minItems: Number(e.currentTarget.value) } })} />}
              </Field>
              <Field label="More than this share (%)" name="valve.fraction" issues={issues}>
                {(id) => <input id={id} type="number" min={1} max={99} value={String(Math.round(p.valve.fraction * 100))} onInput={(e) => set({ ...p, valve: { ...p.valve, fraction: Number(e.currentTarget.value) / 100 } })} />}
              </Field>
            </div>
          </section>
        </div>
        <section class="card">
          <h2>Field directions</h2>
          <p class="help">Which way each mapped field flows. A side that no field of a kind flows into is read-only: nothing is created, changed or deleted there.</p>
          <div class="directions-grid">
            {KINDS.map((kind) => (
              <TableWrap key={kind} label={`${KIND_LABEL[kind].many} field directions`}>
                <table class="compact directions" data-kind={kind}>
                  <caption>{KIND_LABEL[kind].many}</caption>
                  <thead><tr><th scope="col">Field</th><th scope="col">Direction</th></tr></thead>
                  <tbody>
                    {FIELDS[kind].map(([field, label]) => {
                      const id = `dir-${kind}-${field}`;
                      return (
                        <tr key={field} data-field={field}>
                          <th scope="row"><label for={id}>{label}</label></th>
                          <td>
                            <select id={id} value={directionOf(p, kind, field)} onChange={(e) => setDirection(kind, field, e.currentTarget.value as Direction)}
                              aria-describedby={addressNone(kind, field) ? 'dir-address-note' : undefined}>
                              {Object.entries(DIRECTION_LABEL).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                            </select>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
            ))}
          </div>
          {p.contactAddresses === 'mailing' && <p class="help" id="dir-address-note">With the mailing address only, contacts' home and other addresses are not synchronized whatever their direction says.</p>}
        </section>
      </fieldset>
    </form>
  );
}
