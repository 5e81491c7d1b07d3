/**
 * Sync health over time for the admin center's dashboard: per UTC hour, email tracked and sent,
 * failed runs and items, and the Exchange requests the workers measured (throttling, latency).
 */
import { Type } from 'typebox';
import { defaultWindowHours, maxWindowHours, statsTimeseries, type StatsQuery } from '../../observability/stats-timeseries.ts';
import { ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses, Nullable, Timestamp } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const TimeseriesQuery = Type.Object(
  {
    hours: Type.Optional(Type.Integer({ minimum: 1, maximum: maxWindowHours, default: defaultWindowHours, description: 'Whole UTC hours, ending with the current one' })),
    provider: Type.Optional(Type.Union([Type.Literal('ews'), Type.Literal('graph')], { description: 'Exchange requests of one provider only' })),
  },
  { additionalProperties: false },
);

const ms = (description: string) => Nullable(Type.Number(), { description });
const Bucket = Type.Object({
  start: Timestamp,
  emailsTracked: Type.Integer({ description: 'Incoming email activities created (tracked) in the hour' }),
  emailsSent: Type.Integer({ description: 'Outgoing email sent through Exchange in the hour' }),
  failedRuns: Type.Integer({ description: 'Pipeline runs that ended in an error (or disabled the pipeline)' }),
  failedItems: Type.Integer({ description: 'Items that runs in the hour failed to process' }),
  exchangeRequests: Nullable(Type.Integer(), { description: 'Requests sent to Exchange (each retry counts); null when not recorded' }),
  throttledRequests: Nullable(Type.Integer(), { description: 'Throttling answers: EWS ErrorServerBusy and kin, 503, 401 after an NTLM handshake; Graph 429 and 503, each throttled $batch part' }),
  exchangeErrors: Nullable(Type.Integer(), { description: 'Requests that failed otherwise (network, HTTP errors, SOAP faults)' }),
  latencyMeanMs: ms('Mean time to the response head (exact); null without requests'),
  latencyP50Ms: ms('Median: upper bound of the latency bucket holding it, capped by the maximum'),
  latencyP95Ms: ms('95th percentile: upper bound of the latency bucket holding it, capped by the maximum'),
  latencyMaxMs: ms('Slowest request (exact)'),
});
const Timeseries = Type.Object(
  {
    from: Timestamp,
    to: Timestamp,
    bucketSeconds: Type.Integer(),
    scope: Type.Union([Type.Literal('organization'), Type.Literal('own-mailboxes')], { description: 'A mailbox owner sees its own mailbox’s email and runs, and no Exchange request totals' }),
    exchangeRecorded: Type.Boolean({ description: 'Whether Exchange request totals are available to this caller' }),
    latencyBoundsMs: Type.Array(Type.Number(), { description: 'Bounds of the latency buckets the percentiles come from' }),
    buckets: Type.Array(Bucket),
  },
  { $id: 'StatsTimeseries' },
);

export const statsRoutes: RoutePlugin = async (app) => {
  app.addSchema(Timeseries);
  app.get('/api/stats/timeseries', {
    config: { access: ANY_TOKEN },
    schema: {
      tags: ['stats'],
      summary: 'Sync health per hour: email tracked and sent, failures, Exchange requests, throttling and latency',
      querystring: TimeseriesQuery,
      response: { 200: Type.Ref('StatsTimeseries'), ...errorResponses },
    },
  }, async (request) => statsTimeseries(request.useCases(), request.query as StatsQuery));
};
