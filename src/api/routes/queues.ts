/** Queues (each may own one mailbox). */
import { Type } from 'typebox';
import { createQueue, deleteQueue, getQueue, listQueues, updateQueue } from '../../use-cases/parties.ts';
import { ADMINISTRATOR, ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { QueueCreate, QueueCreated, QueuePatch } from '../schemas/records.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['queues'];

export const queueRoutes: RoutePlugin = async (app) => {
  app.get('/api/queues', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List queues', response: { 200: Type.Array(Type.Ref('Queue')), ...errorResponses } },
  }, async (request) => listQueues(request.useCases()));

  app.post('/api/queues', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Create a queue (and its mailbox, with the org default email settings)', body: QueueCreate, response: { 201: QueueCreated, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createQueue(request.useCases(), request.body)));

  app.get('/api/queues/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a queue', params: IdParams, response: { 200: Type.Ref('Queue'), ...errorResponses } },
  }, async (request) => getQueue(request.useCases(), request.params.id));

  app.patch('/api/queues/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Change a queue', params: IdParams, body: QueuePatch, response: { 200: Type.Ref('Queue'), ...errorResponses } },
  }, async (request) => updateQueue(request.useCases(), request.params.id, request.body));

  app.delete('/api/queues/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Delete a queue and its mailbox', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteQueue(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });
};
