/**
 * A user mailbox's appointments, contacts and tasks: the safety valves that stopped a kind (what
 * tripped, and Confirm for an administrator), the items changed on both sides and flagged (the
 * fields, the CRM's values, and the side to keep), and the user's sync filters.
 */
import { useState } from 'preact/hooks';
import { ApiError, get, post, query } from '../api-client.ts';
import { crmValue, DELETED_IN_CRM, DELETED_IN_EXCHANGE, fieldLabel, KIND_LABEL, KIND_PATH, recordTitle } from '../act-labels.ts';
import { canAdminister, canChangeMailbox, useSession } from '../session.ts';
import type { Conflict, Mailbox, Valve } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { ActFiltersForm } from './act-filters-form.tsx';
import { ErrorNotice, Loading, Notice, Status, TableWrap, when } from './ui.tsx';

type ConflictRow = Conflict & { record: Record<string, unknown> | null };

/** A field value as people read it. */
function show(value: unknown): string {
  if (value === undefined) return 'not shown here';
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return '(empty)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return when(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function ActMailbox({ mailbox }: { mailbox: Mailbox }) {
  const session = useSession();
  const admin = canAdminister(session);
  const mayResolve = canChangeMailbox(session, mailbox.id);
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const d = useLoad(async () => {
    const [valves, conflicts] = await Promise.all([
      get<Valve[]>(`/api/act/valves${query({ mailboxId: mailbox.id })}`),
      get<Conflict[]>(`/api/act/conflicts${query({ mailboxId: mailbox.id })}`),
    ]);
    const rows: ConflictRow[] = await Promise.all(conflicts.map(async (c) => {
      try {
        return { ...c, record: await get<Record<string, unknown>>(`${KIND_PATH[c.kind]}/${c.crmId}`) };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { ...c, record: null };
        throw e;
      }
    }));
    return { valves, conflicts: rows };
  }, [mailbox.id], 5000);
  const act = async (what: string, f: () => Promise<unknown>) => {
    setError(undefined);
    setDone(undefined);
    try {
      await f();
      setDone(what);
      d.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section class="card act" aria-labelledby="act-title">
      <div class="page-header">
        <h2 id="act-title">Appointments, contacts and tasks</h2>
        {mayResolve && mailbox.actMethod !== 'none' && (
          <button type="button" onClick={() => act('A synchronization of appointments, contacts and tasks was asked for; it runs as soon as a worker is free.', () => post(`/api/mailboxes/${mailbox.id}/act/sync`))}>Sync now</button>
        )}
      </div>
      {mailbox.actMethod === 'none' && <p class="muted">Appointments, contacts and tasks are not synchronized for this mailbox (its method is None).</p>}
      {done && <Notice tone="ok">{done}</Notice>}
      <ErrorNotice error={error ?? d.error} />
      {d.data === undefined ? <Loading /> : (
        <div class="grid-2">
          <section aria-labelledby="valves-title">
            <h3 id="valves-title">Safety valves</h3>
            {d.data.valves.length === 0 ? <p class="muted">No safety valve has tripped: nothing is held back.</p> : (
              <ul class="act-list">
                {d.data.valves.map((v) => {
                  const kinds = KIND_LABEL[v.kind].many.toLowerCase();
                  return (
                    <li key={v.kind} class="act-item">
                      <div class="act-head">
                        <strong>{KIND_LABEL[v.kind].many} stopped</strong> {v.confirmedAt === null ? <Status value="blocked" /> : <Status value="confirmed" />}
                        <time class="muted" dateTime={v.trippedAt}>{when(v.trippedAt)}</time>
                      </div>
                      <p>
                        {v.side === 'exchange' ? 'Exchange' : 'The CRM'} suddenly showed <strong>{v.deletes} of {v.linked}</strong> synced {kinds} gone.
                        {' '}Nothing was deleted and the synchronization of {kinds} is stopped for this mailbox.
                        {' '}Confirming deletes those {v.deletes} {kinds} {v.side === 'exchange' ? 'from the CRM' : 'from Exchange'} on the next synchronization.
                      </p>
                      {v.confirmedAt !== null ? (
                        <p class="muted">Confirmed by {v.confirmedBy ?? 'an administrator'} {when(v.confirmedAt)}: the deletes go through on the next synchronization.</p>
                      ) : admin ? (
                        <div class="actions">
                          <button type="button" class="primary" onClick={() => act(`Deleting the ${v.deletes} ${kinds} was confirmed; it happens on the next synchronization.`, () => post(`/api/mailboxes/${mailbox.id}/act/valves/${v.kind}/confirm`))}>
                            Confirm deleting {v.deletes} {kinds}
                          </button>
                        </div>
                      ) : (
                        <p class="muted">An administrator must confirm before the deletes are carried out. Until then nothing is deleted.</p>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <section aria-labelledby="conflicts-title">
            <h3 id="conflicts-title">Conflicts</h3>
            {d.data.conflicts.length === 0 ? <p class="muted">No item waits for a choice.</p> : (
              <ul class="act-list">
                {d.data.conflicts.map((c) => <ConflictItem key={c.linkId} c={c} mayResolve={mayResolve} onKeep={(keep) => act(
                  `${keep === 'crm' ? 'The CRM' : "Exchange's"} values will be kept for "${recordTitle(c.record, c.crmId)}" on the next synchronization.`,
                  () => post(`/api/act/conflicts/${c.linkId}/resolve`, { keep }),
                )} />)}
              </ul>
            )}
          </section>
        </div>
      )}
      {mailbox.ownerType === 'user' && <ActFiltersForm userId={mailbox.ownerId} canChange={admin || (session.role === 'mailbox-owner' && session.me.user?.id === mailbox.ownerId)} />}
    </section>
  );
}

function ConflictItem({ c, mayResolve, onKeep }: { c: ConflictRow; mayResolve: boolean; onKeep(keep: 'crm' | 'exchange'): void }) {
  const deletedInExchange = c.fields.includes(DELETED_IN_EXCHANGE);
  const deletedInCrm = c.fields.includes(DELETED_IN_CRM) || c.record === null;
  const fields = c.fields.filter((f) => f !== DELETED_IN_EXCHANGE && f !== DELETED_IN_CRM);
  const title = recordTitle(c.record, `${KIND_LABEL[c.kind].one} ${c.crmId.slice(0, 8)}`);
  const name = `${KIND_LABEL[c.kind].one.toLowerCase()} “${title}”`;
  const crmText = deletedInExchange ? 'Keep the CRM item (it comes back in Exchange)' : deletedInCrm ? 'Delete it from Exchange too' : 'Keep the CRM values';
  const exchangeText = deletedInExchange ? 'Delete it from the CRM too' : deletedInCrm ? 'Keep the Exchange item (it comes back in the CRM)' : "Keep Exchange's values";
  return (
    <li class="act-item">
      <div class="act-head">
        <strong>{KIND_LABEL[c.kind].one}: {title}</strong> {c.resolveWith === null ? <Status value="waiting" /> : <Status value="chosen" />}
      </div>
      <p>
        {deletedInExchange ? 'Deleted in Exchange and changed in the CRM. ' : deletedInCrm ? 'Deleted in the CRM and changed in Exchange. ' : 'Changed in the CRM and in Exchange. '}
        {fields.length > 0 && <>Fields changed on {deletedInExchange || deletedInCrm ? 'the side that kept it' : 'both sides'}: {fields.map((f) => fieldLabel(c.kind, f)).join(', ')}.</>}
      </p>
      {fields.length > 0 && c.record !== null && (
        <TableWrap label={`The CRM side of ${name}`}>
          <table class="compact act-sides" aria-label={`The CRM side of ${name}`}>
            <thead><tr><th scope="col">Field</th><th scope="col">In the CRM now</th></tr></thead>
            <tbody>
              {fields.map((f) => <tr key={f}><th scope="row">{fieldLabel(c.kind, f)}</th><td>{show(crmValue(c.kind, f, c.record!))}</td></tr>)}
            </tbody>
          </table>
        </TableWrap>
      )}
      <p class="muted">
        {deletedInExchange ? 'The Exchange item is gone.' : "Exchange's side is the item in the user's mailbox as it is now (see it in Outlook); it is read again when the choice is applied."}
        {' '}CRM record <code>{c.crmId}</code>{c.remoteId !== null && <>, Exchange item <code>{c.remoteId.length > 24 ? `${c.remoteId.slice(0, 24)}…` : c.remoteId}</code></>}.
      </p>
      {c.resolveWith !== null ? (
        <p class="muted">Chosen: {c.resolveWith === 'crm' ? crmText : exchangeText}. It is applied on the next synchronization.</p>
      ) : mayResolve ? (
        <div class="actions" role="group" aria-label={`Choose the side to keep for ${name}`}>
          <button type="button" onClick={() => onKeep('crm')}>{crmText}</button>
          <button type="button" onClick={() => onKeep('exchange')}>{exchangeText}</button>
        </div>
      ) : (
        <p class="muted">The mailbox's user or an administrator chooses the side to keep.</p>
      )}
    </li>
  );
}
