/**
 * The sync engine's side of the API: background jobs with progress (Test & Enable, Approve Email,
 * Apply Default Email Settings) for selected mailboxes or every mailbox of a profile; each
 * mailbox's schedule (next run per pipeline, lease holder, back-off reason, recent runs);
 * per-item failures and their retry; webhooks (signed, retried) for tracked, sent and failed email.
 */
import { Type } from 'typebox';
import { jobKinds } from '../../sync/jobs.ts';
import { webhookEvents } from '../../sync/webhook-events.ts';
import {
  addTrackedFolder, createWebhook, deleteWebhook, listDeliveries, listTrackedFolders, listWebhooks, recentJobs, removeTrackedFolder, retryFailure, showFailures, showJob,
  showSchedule, startJob, type JobRequest,
} from '../../sync/sync-admin.ts';
import { forbidden, type UseCaseContext } from '../../use-cases/context.ts';
import { getMailbox, visibleMailboxIds } from '../../use-cases/mailboxes.ts';
import { ADMINISTRATOR, ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams, Nullable, Timestamp } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const literalUnion = <T extends string>(values: ReadonlyArray<T>) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));
const Json = Type.Record(Type.String(), Type.Unknown());

const jobFields = {
  id: Type.String(), kind: literalUnion(jobKinds), status: Type.String(), total: Type.Integer(), done: Type.Integer(), failed: Type.Integer(),
  progress: Type.Integer({ minimum: 0, maximum: 100 }), params: Json, createdBy: Nullable(Type.String()), createdAt: Timestamp, startedAt: Nullable(Timestamp), finishedAt: Nullable(Timestamp),
};
const JobSummary = Type.Object(jobFields);
const Job = Type.Object({
  ...jobFields,
  items: Type.Array(Type.Object({ mailboxId: Type.String(), status: Type.String(), result: Json, finishedAt: Nullable(Timestamp) })),
});
const JobCreate = Type.Object(
  {
    kind: literalUnion(jobKinds),
    mailboxIds: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 5000 })),
    profileId: Type.Optional(Type.String({ description: 'Every mailbox of this profile instead of mailboxIds' })),
    testAndEnable: Type.Optional(Type.Boolean({ description: 'apply-default-settings: then test & enable (default true)' })),
  },
  { additionalProperties: false },
);

const PipelineSchedule = Type.Object({
  pipeline: Type.String(), enabled: Nullable(Type.Boolean()), status: Nullable(Type.String()), nextRunAt: Nullable(Timestamp), reason: Nullable(Type.String()),
  detail: Nullable(Type.String()), idleStreak: Type.Integer(), consecutiveFailures: Type.Integer(), lastRunAt: Nullable(Timestamp),
  lastErrorCode: Nullable(Type.String()), lastErrorMessage: Nullable(Type.String()), lastErrorAt: Nullable(Timestamp),
});
const Schedule = Type.Object({
  mailboxId: Type.String(), emailAddress: Type.String(),
  lease: Nullable(Type.Object({ holder: Type.String(), epoch: Type.Integer(), expiresAt: Timestamp })),
  pipelines: Type.Array(PipelineSchedule),
  lastCycle: Type.Object({ processed: Type.Integer(), failed: Type.Integer(), at: Nullable(Timestamp) }),
  recentRuns: Type.Array(Type.Object({
    pipeline: Type.String(), worker: Type.String(), startedAt: Timestamp, finishedAt: Timestamp, outcome: Type.String(),
    itemsProcessed: Type.Integer(), itemsFailed: Type.Integer(), errorCode: Nullable(Type.String()),
  })),
  openFailures: Type.Integer(),
});

const Failure = Type.Object({
  id: Type.String(), mailboxId: Type.String(), pipeline: Type.String(), exchangeItemId: Nullable(Type.String()), emailId: Nullable(Type.String()),
  messageId: Nullable(Type.String()), subject: Type.String(), errorCode: Type.String(), errorMessage: Type.String(), providerCode: Nullable(Type.String()),
  attempts: Type.Integer(), status: Type.String(), firstFailedAt: Timestamp, lastFailedAt: Timestamp, resolvedAt: Nullable(Timestamp), keepUntil: Timestamp,
});
const FailureQuery = Type.Object({ mailboxId: Type.Optional(Type.String()), status: Type.Optional(literalUnion(['failed', 'retry-requested', 'resolved'])) });

const Webhook = Type.Object({ id: Type.String(), url: Type.String(), events: Type.Array(literalUnion(webhookEvents)), active: Type.Boolean(), createdAt: Timestamp });
const WebhookCreate = Type.Object(
  { url: Type.String(), events: Type.Array(literalUnion(webhookEvents), { minItems: 1 }), secret: Type.String({ description: 'HMAC-SHA256 key for the Dovetail-Signature header; write-only' }) },
  { additionalProperties: false },
);
const Delivery = Type.Object({
  id: Type.String(), event: Type.String(), status: Type.String(), attempts: Type.Integer(), nextAttemptAt: Timestamp,
  lastStatusCode: Nullable(Type.Integer()), lastError: Nullable(Type.String()), deliveredAt: Nullable(Timestamp),
});

const TrackedFolder = Type.Object({
  id: Type.String(), mailboxId: Type.String(), displayName: Type.String(), folderId: Nullable(Type.String()),
  regarding: Nullable(Type.Object({ type: Type.String(), id: Type.String() })), createdAt: Timestamp,
});
const TrackedFolderCreate = Type.Object(
  {
    displayName: Type.String({ description: 'A folder under the mailbox root; created on the next run if missing' }),
    regarding: Type.Optional(Nullable(Type.Object({ type: literalUnion(['contact', 'account', 'lead']), id: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

/**
 * A job as the caller may see it: whole for administrators and read-only tokens; for a mailbox
 * owner only its own mailboxes' items, and no job that touched none of them.
 */
function visibleJob<J extends { items: Array<{ mailboxId: string }> }>(visible: 'all' | ReadonlySet<string>, job: J): J | undefined {
  if (visible === 'all') return job;
  const items = job.items.filter((i) => visible.has(i.mailboxId));
  return items.length === 0 ? undefined : { ...job, items };
}

export const syncAdminRoutes: RoutePlugin = async (app) => {
  const tags = ['sync'];

  app.post('/api/sync/jobs', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Start a background job for selected mailboxes or every mailbox of a profile', body: JobCreate, response: { 202: Job, ...errorResponses } },
  }, async (request, reply) => reply.status(202).send(await startJob(request.useCases(), request.body as JobRequest)));

  app.get('/api/sync/jobs', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Recent jobs with their progress', response: { 200: Type.Array(JobSummary), ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    const visible = await visibleMailboxIds(ctx);
    const jobs = await recentJobs(ctx);
    if (visible === 'all') return jobs;
    // Summaries do not carry their mailboxes: an owner's list keeps the jobs with an item of its own.
    const mine = await Promise.all(jobs.map(async (j) => (visibleJob(visible, await showJob(ctx, j.id)) === undefined ? undefined : j)));
    return mine.filter((j) => j !== undefined);
  });

  app.get('/api/sync/jobs/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'A job with its progress and per-mailbox results', params: IdParams, response: { 200: Job, ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    const job = visibleJob(await visibleMailboxIds(ctx), await showJob(ctx, request.params.id));
    if (job === undefined) throw forbidden("this job is about other users' mailboxes");
    return job;
  });

  app.get('/api/mailboxes/:id/schedule', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: "A mailbox's schedule: next run per pipeline, lease holder, back-off reason, recent runs", params: IdParams, response: { 200: Schedule, ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    await getMailbox(ctx, request.params.id);
    return showSchedule(ctx, request.params.id);
  });

  app.get('/api/sync/failures', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Emails that could not be tracked or sent (kept at least 30 days)', querystring: FailureQuery, response: { 200: Type.Array(Failure), ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    if (request.query.mailboxId !== undefined) await getMailbox(ctx, request.query.mailboxId);
    const visible = await visibleMailboxIds(ctx);
    const failures = await showFailures(ctx, request.query);
    return visible === 'all' ? failures : failures.filter((f) => visible.has(f.mailboxId));
  });

  app.post('/api/sync/failures/:id/retry', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Retry a failed item in the next run of its mailbox', params: IdParams, response: { 200: Failure, ...errorResponses } },
  }, async (request) => retryFailure(request.useCases(), request.params.id));

  app.get('/api/mailboxes/:id/tracked-folders', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: "A mailbox's tracked folders (every email in them is tracked)", params: IdParams, response: { 200: Type.Array(TrackedFolder), ...errorResponses } },
  }, async (request) => {
    const ctx = request.useCases();
    await getMailbox(ctx, request.params.id);
    return listTrackedFolders(ctx, request.params.id);
  });

  app.post('/api/mailboxes/:id/tracked-folders', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Track every email in a folder, optionally regarding a record', params: IdParams, body: TrackedFolderCreate, response: { 201: TrackedFolder, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await addTrackedFolder(request.useCases(), request.params.id, request.body)));

  app.delete('/api/tracked-folders/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Stop tracking a folder', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await removeTrackedFolder(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });

  app.get('/api/webhooks', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'List webhooks', response: { 200: Type.Array(Webhook), ...errorResponses } },
  }, async (request) => listWebhooks(request.useCases()));

  app.post('/api/webhooks', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Subscribe a URL to email.tracked, email.sent and email.failed events', body: WebhookCreate, response: { 201: Webhook, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createWebhook(request.useCases(), request.body)));

  app.delete('/api/webhooks/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Delete a webhook', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteWebhook(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });

  app.get('/api/webhooks/:id/deliveries', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: "A webhook's recent deliveries and their attempts", params: IdParams, response: { 200: Type.Array(Delivery), ...errorResponses } },
  }, async (request) => listDeliveries(request.useCases(), request.params.id));
};
