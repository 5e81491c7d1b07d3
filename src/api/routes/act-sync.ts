/** Appointments, contacts and tasks sync: the org policy, users' filters, safety valves, conflicts, sync now. */
import { Type } from 'typebox';
import { confirmActValve, getActConflicts, getActFilters, getActPolicy, getActValves, resolveActConflict, syncActNow, updateActFilters, updateActPolicy } from '../../sync/act/act-use-cases.ts';
import { ADMINISTRATOR, ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams, Nullable } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['act'];
const Direction = Type.Union([Type.Literal('two-way'), Type.Literal('crm-to-exchange'), Type.Literal('exchange-to-crm'), Type.Literal('none')]);
const Policy = Type.Object({
  conflict: Type.Union([Type.Literal('newest'), Type.Literal('crm-wins'), Type.Literal('exchange-wins'), Type.Literal('flag')]),
  directions: Type.Record(Type.String(), Type.Record(Type.String(), Direction)),
  contactAddresses: Type.Union([Type.Literal('mailing'), Type.Literal('all')]),
  valve: Type.Object({ minItems: Type.Integer({ minimum: 1 }), fraction: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }) }),
});
const PolicyPatch = Type.Partial(Type.Object({ conflict: Policy.properties.conflict, directions: Policy.properties.directions, contactAddresses: Policy.properties.contactAddresses, valve: Type.Partial(Policy.properties.valve) }), { additionalProperties: false });
const Filter = Type.Object({
  enabled: Type.Boolean(),
  scope: Type.Union([Type.Literal('me'), Type.Literal('me-or-party')]),
  // Null first (see Nullable): tried second, null would be coerced into [""] and match no record.
  statuses: Nullable(Type.Array(Type.String())),
  activityTypes: Nullable(Type.Array(Type.Union([Type.Literal('task'), Type.Literal('phonecall'), Type.Literal('letter'), Type.Literal('fax')]))),
});
const Filters = Type.Object({ appointment: Filter, contact: Filter, task: Filter });
const FiltersPatch = Type.Partial(Type.Object({ appointment: Type.Partial(Filter), contact: Type.Partial(Filter), task: Type.Partial(Filter) }), { additionalProperties: false });
const Valve = Type.Object({ mailboxId: Type.String(), kind: Type.String(), side: Type.String(), deletes: Type.Integer(), linked: Type.Integer(), trippedAt: Type.String(), confirmedAt: Type.Union([Type.String(), Type.Null()]), confirmedBy: Type.Union([Type.String(), Type.Null()]) });
const Conflict = Type.Object({ linkId: Type.String(), mailboxId: Type.String(), kind: Type.String(), crmId: Type.String(), remoteId: Type.Union([Type.String(), Type.Null()]), fields: Type.Array(Type.String()), resolveWith: Type.Union([Type.String(), Type.Null()]) });
const MailboxQuery = Type.Object({ mailboxId: Type.Optional(Type.String({ format: 'uuid' })) });

export const actSyncRoutes: RoutePlugin = async (app) => {
  app.get('/api/act/policy', { config: { access: ANY_TOKEN }, schema: { tags, summary: "The org's ACT policy: conflict policy, field directions, contact addresses, safety valve", response: { 200: Policy, ...errorResponses } } }, async (request) => getActPolicy(request.useCases()));
  app.patch('/api/act/policy', { config: { access: ADMINISTRATOR }, schema: { tags, summary: "Change the org's ACT policy", body: PolicyPatch, response: { 200: Policy, ...errorResponses } } }, async (request) => updateActPolicy(request.useCases(), request.body as Record<string, unknown>));

  app.get('/api/users/:id/act-filters', { config: { access: ANY_TOKEN }, schema: { tags, summary: "A user's sync filters (which CRM records go to the user's mailbox)", params: IdParams, response: { 200: Filters, ...errorResponses } } }, async (request) => getActFilters(request.useCases(), request.params.id));
  app.patch('/api/users/:id/act-filters', { config: { access: MAILBOX_OWNER }, schema: { tags, summary: "Change a user's sync filters", params: IdParams, body: FiltersPatch, response: { 200: Filters, ...errorResponses } } }, async (request) => updateActFilters(request.useCases(), request.params.id, request.body));

  app.get('/api/act/valves', { config: { access: ANY_TOKEN }, schema: { tags, summary: 'Tripped safety valves (mass deletes held back)', querystring: MailboxQuery, response: { 200: Type.Array(Valve), ...errorResponses } } }, async (request) => getActValves(request.useCases(), request.query.mailboxId));
  app.post('/api/mailboxes/:id/act/valves/:kind/confirm', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Confirm the deletes a safety valve held back; they go through on the next cycle', params: Type.Object({ id: Type.String({ format: 'uuid' }), kind: Type.Union([Type.Literal('appointment'), Type.Literal('contact'), Type.Literal('task')]) }), response: { 200: Valve, ...errorResponses } },
  }, async (request) => confirmActValve(request.useCases(), request.params.id, request.params.kind));

  app.get('/api/act/conflicts', { config: { access: ANY_TOKEN }, schema: { tags, summary: 'Items changed on both sides and flagged for the user', querystring: MailboxQuery, response: { 200: Type.Array(Conflict), ...errorResponses } } }, async (request) => getActConflicts(request.useCases(), request.query.mailboxId));
  app.post('/api/act/conflicts/:id/resolve', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Keep the CRM or the Exchange values of a flagged item', params: IdParams, body: Type.Object({ keep: Type.Union([Type.Literal('crm'), Type.Literal('exchange')]) }), response: { 200: Conflict, ...errorResponses } },
  }, async (request) => resolveActConflict(request.useCases(), request.params.id, request.body.keep));

  app.post('/api/mailboxes/:id/act/sync', { config: { access: MAILBOX_OWNER }, schema: { tags, summary: "Run the mailbox's appointments, contacts and tasks sync as soon as a worker is free", params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await syncActNow(request.useCases(), request.params.id);
    return reply.code(204).send(null);
  });
};
