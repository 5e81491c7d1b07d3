/**
 * Is sync healthy? Mailboxes by state, and per hour what the workers recorded: email tracked and
 * sent, failed runs and items, and the Exchange requests they measured (throttling answers and
 * latency), from GET /api/stats/timeseries. Nothing here is estimated in the browser.
 */
import { useState } from 'preact/hooks';
import { get, query } from '../api-client.ts';
import { Bars, Columns } from '../components/charts.tsx';
import { ErrorNotice, Loading, PageHeader } from '../components/ui.tsx';
import { href } from '../router.ts';
import type { Failure, Mailbox } from '../types.ts';
import type { StatsTimeseries } from '../../observability/stats-timeseries.ts';
import { useLoad } from '../use-load.ts';
import { overallState } from './mailboxes.tsx';

const WINDOWS = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
] as const;

function hourLabel(iso: string, hours: number): string {
  const d = new Date(iso);
  return hours <= 24
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit' });
}

const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

export function DashboardPage() {
  const [hours, setHours] = useState<number>(24);
  const d = useLoad(async () => {
    const [mailboxes, failures, stats] = await Promise.all([
      get<Mailbox[]>('/api/mailboxes'),
      get<Failure[]>('/api/sync/failures'),
      get<StatsTimeseries>(`/api/stats/timeseries${query({ hours })}`),
    ]);
    return { mailboxes, failures, stats };
  }, [hours], 30_000);
  if (d.data === undefined) return d.error ? <ErrorNotice error={d.error} /> : <Loading />;
  const { mailboxes, failures, stats } = d.data;
  const windowLabel = WINDOWS.find((w) => w.hours === stats.buckets.length)?.label.toLowerCase() ?? `last ${stats.buckets.length} hours`;
  const labels = stats.buckets.map((b) => hourLabel(b.start, stats.buckets.length));
  const series = <K extends keyof StatsTimeseries['buckets'][number]>(key: K) => stats.buckets.map((b) => b[key] as number | null);
  const states = { success: 0, failure: 0, 'not-run': 0 } as Record<string, number>;
  for (const m of mailboxes) states[overallState(m)] = (states[overallState(m)] ?? 0) + 1;
  const pending = mailboxes.filter((m) => m.approval === 'pending' || m.approval === 'empty').length;
  const openFailures = failures.filter((f) => f.status === 'failed').length;
  const healthy = (states['failure'] ?? 0) === 0 && openFailures === 0;
  const notRecorded = stats.exchangeRecorded
    ? undefined
    : stats.scope === 'own-mailboxes'
      ? 'Exchange requests are counted for the whole organization; an administrator or auditor sees them here.'
      : 'No Exchange request statistics are recorded on this installation yet.';
  return (
    <>
      <PageHeader title="Dashboard">
        <label class="filter"><span>Period</span>
          <select value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {WINDOWS.map((w) => <option key={w.hours} value={String(w.hours)}>{w.label}</option>)}
          </select>
        </label>
      </PageHeader>
      <section class={`health card ${healthy ? 'health-ok' : 'health-bad'}`} aria-live="polite">
        <strong>{healthy ? 'Sync is healthy.' : 'Sync needs attention.'}</strong>{' '}
        {(states['failure'] ?? 0) > 0 && <a href={href('/mailboxes')}>{states['failure']} mailbox{states['failure'] === 1 ? '' : 'es'} failing</a>}
        {(states['failure'] ?? 0) > 0 && openFailures > 0 && ' · '}
        {openFailures > 0 && <span>{openFailures} email{openFailures === 1 ? '' : 's'} could not be processed</span>}
        {healthy && <span class="muted">{states['success']} of {mailboxes.length} mailboxes enabled, no failed item.</span>}
      </section>
      <div class="kpis">
        <div class="kpi"><span class="kpi-value">{mailboxes.length}</span><span class="kpi-label">Mailboxes</span></div>
        <div class="kpi"><span class="kpi-value">{pending}</span><span class="kpi-label">Awaiting approval</span></div>
        <div class="kpi"><span class="kpi-value">{sum(series('emailsTracked'))}</span><span class="kpi-label">Tracked, {windowLabel}</span></div>
        <div class="kpi"><span class="kpi-value">{sum(series('emailsSent'))}</span><span class="kpi-label">Sent, {windowLabel}</span></div>
      </div>
      <div class="grid-2">
        <section class="card">
          <Bars title="Mailboxes by state" bars={[
            { label: 'Enabled', value: states['success'] ?? 0, tone: 'ok' },
            { label: 'Failing', value: states['failure'] ?? 0, tone: 'bad' },
            { label: 'Not tested', value: states['not-run'] ?? 0, tone: 'muted' },
            { label: 'Awaiting approval', value: pending, tone: 'warn' },
          ]} />
        </section>
        <section class="card">
          <Columns title="Email per hour" buckets={labels} series={[
            { name: 'Tracked', tone: 'info', values: series('emailsTracked') },
            { name: 'Sent', tone: 'ok', values: series('emailsSent') },
          ]} />
        </section>
        <section class="card">
          <Columns title="Failures per hour" buckets={labels} series={[
            { name: 'Failed runs', tone: 'bad', values: series('failedRuns') },
            { name: 'Failed items', tone: 'warn', values: series('failedItems') },
          ]} />
        </section>
        <section class="card">
          <Columns title="Throttling by Exchange per hour" buckets={labels} {...(notRecorded === undefined ? {} : { note: notRecorded })} series={[
            { name: 'Throttling answers', tone: 'warn', values: series('throttledRequests') },
          ]} />
          {notRecorded === undefined && <p class="muted">{sum(series('exchangeRequests'))} requests to Exchange, {sum(series('exchangeErrors'))} failed otherwise.</p>}
        </section>
        <section class="card">
          <Columns title="Exchange request latency per hour (ms)" unit=" ms" summary="max" buckets={labels} {...(notRecorded === undefined ? {} : { note: notRecorded })} series={[
            { name: 'Mean', tone: 'info', values: series('latencyMeanMs') },
            { name: '95th percentile', tone: 'warn', values: series('latencyP95Ms') },
          ]} />
          {notRecorded === undefined && <p class="muted">Time to the response head. The 95th percentile is the upper bound of its latency bucket ({stats.latencyBoundsMs[0]} ms to {(stats.latencyBoundsMs[stats.latencyBoundsMs.length - 1] ?? 0) / 1000} s).</p>}
        </section>
      </div>
    </>
  );
}
