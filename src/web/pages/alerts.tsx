/** The alerts wall: errors, warnings and information, for every mailbox and profile or filtered. */
import { useState } from 'preact/hooks';
import { get } from '../api-client.ts';
import { AlertWall, type AlertFilter } from '../components/alert-wall.tsx';
import { Notice, PageHeader } from '../components/ui.tsx';
import { href } from '../router.ts';
import type { AlertLevel, Mailbox, Profile, Settings } from '../types.ts';
import { useLoad } from '../use-load.ts';

export function AlertsPage() {
  const [level, setLevel] = useState('');
  const [target, setTarget] = useState('');
  const names = useLoad(async () => {
    const [m, p, s] = await Promise.all([get<Mailbox[]>('/api/mailboxes'), get<Profile[]>('/api/profiles'), get<Settings>('/api/settings/email')]);
    return {
      mailboxes: m, profiles: p, alertLevels: s.alertLevels,
      byId: Object.fromEntries([...m.map((x) => [x.id, x.emailAddress]), ...p.map((x) => [x.id, x.name])]) as Record<string, string>,
    };
  }, []);
  const LEVEL_NAMES: Record<AlertLevel, string> = { error: 'Error', warning: 'Warning', information: 'Information' };
  const off = names.data === undefined ? [] : (Object.keys(LEVEL_NAMES) as AlertLevel[]).filter((l) => !names.data!.alertLevels.includes(l));
  const [type, id] = target.split(':') as ['mailbox' | 'profile' | '', string | undefined];
  const filter: AlertFilter = { ...(level ? { level } : {}), ...(type ? { targetType: type } : {}), ...(id ? { targetId: id } : {}) };
  return (
    <>
      <PageHeader title="Alerts" />
      {off.length > 0 && (
        <Notice tone="info">
          {off.map((l) => LEVEL_NAMES[l]).join(', ').replace(/, ([^,]*)$/, ' and $1')} alerts are not recorded: the <a href={href('/settings')}>email settings</a> turned {off.length === 1 ? 'that level' : 'those levels'} off.
        </Notice>
      )}
      <div class="toolbar">
        <label class="filter"><span>Level</span>
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="">All</option><option value="error">Errors</option><option value="warning">Warnings</option><option value="information">Information</option>
          </select>
        </label>
        <label class="filter grow"><span>Wall of</span>
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">Every mailbox and profile</option>
            <optgroup label="Profiles">{(names.data?.profiles ?? []).map((p) => <option key={p.id} value={`profile:${p.id}`}>{p.name}</option>)}</optgroup>
            <optgroup label="Mailboxes">{(names.data?.mailboxes ?? []).map((m) => <option key={m.id} value={`mailbox:${m.id}`}>{m.emailAddress}</option>)}</optgroup>
          </select>
        </label>
      </div>
      <AlertWall filter={filter} names={names.data?.byId ?? {}} />
    </>
  );
}
