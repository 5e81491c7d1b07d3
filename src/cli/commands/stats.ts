/** dovetail stats: sync health per UTC hour, as the admin center's dashboard shows it. */
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { defaultWindowHours, maxWindowHours, statsTimeseries, type StatsQuery } from '../../observability/stats-timeseries.ts';
import type { CliContext } from '../cli-context.ts';

const num = (v: number | null, unit = ''): string => (v === null ? '-' : `${Math.round(v)}${unit}`);

export function register(program: Command, cli: CliContext): void {
  program
    .command('stats')
    .description('sync health per hour: email tracked and sent, failures, Exchange requests, throttling, latency')
    .option('--hours <n>', `whole UTC hours ending with the current one (1-${maxWindowHours})`, String(defaultWindowHours))
    .option('--provider <provider>', 'Exchange requests of one provider only: ews or graph')
    .action(async (o: { hours: string; provider?: string }) => {
      const hours = Number(o.hours);
      if (!Number.isInteger(hours) || hours < 1 || hours > maxWindowHours) throw new AppError('cli_input_invalid', `--hours ${o.hours}: must be between 1 and ${maxWindowHours}`, { kind: 'invalid-input' });
      if (o.provider !== undefined && o.provider !== 'ews' && o.provider !== 'graph') throw new AppError('cli_input_invalid', `--provider ${o.provider}: use ews or graph`, { kind: 'invalid-input' });
      const query: StatsQuery = { hours, ...(o.provider === undefined ? {} : { provider: o.provider }) };
      const s = await cli.withUseCases((ctx) => statsTimeseries(ctx, query));
      cli.print(s, () => {
        const head = ['HOUR (UTC)', 'TRACKED', 'SENT', 'FAILED RUNS', 'FAILED ITEMS', 'REQUESTS', 'THROTTLED', 'ERRORS', 'P95'];
        const rows = s.buckets.map((b) => [
          b.start.slice(0, 13).replace('T', ' '), String(b.emailsTracked), String(b.emailsSent), String(b.failedRuns), String(b.failedItems),
          num(b.exchangeRequests), num(b.throttledRequests), num(b.exchangeErrors), num(b.latencyP95Ms, ' ms'),
        ]);
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        return [head, ...rows].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
      });
    });
}
