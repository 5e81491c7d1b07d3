/** The audit log: every change made through the API or CLI, newest first. */
import { useState } from 'preact/hooks';
import { get, query } from '../api-client.ts';
import { ErrorNotice, Loading, PageHeader, TableWrap, when } from '../components/ui.tsx';
import type { AuditEntry } from '../types.ts';
import { useLoad } from '../use-load.ts';

export function AuditPage() {
  const [entityType, setEntityType] = useState('');
  const log = useLoad(() => get<AuditEntry[]>(`/api/audit${query({ entityType, limit: 200 })}`), [entityType]);
  return (
    <>
      <PageHeader title="Audit log" />
      <div class="toolbar">
        <label class="filter"><span>Record type</span>
          <select value={entityType} onChange={(e) => setEntityType(e.currentTarget.value)}>
            <option value="">All</option>
            {['profile', 'mailbox', 'settings', 'user', 'queue', 'token', 'alert'].map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
      </div>
      <ErrorNotice error={log.error} />
      {log.data === undefined ? <Loading /> : (
        <TableWrap label="Audit log">
          <table>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Record</th><th scope="col">Changes</th></tr></thead>
            <tbody>
              {log.data.length === 0 && <tr><td colSpan={5} class="empty">Nothing changed yet.</td></tr>}
              {log.data.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.at)}</td><td>{e.actor.name} <span class="muted">({e.actor.type})</span></td><td>{e.action}</td>
                  <td>{e.entityType} <span class="muted">{e.entityId?.slice(0, 8)}</span></td>
                  <td class="truncate" title={JSON.stringify(e.changes)}><code>{Object.keys(e.changes).join(', ') || '—'}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
