/** CRM users (each may own one mailbox). */
import { Type } from 'typebox';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../use-cases/parties.ts';
import { ADMINISTRATOR, ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { UserCreate, UserCreated, UserPatch } from '../schemas/records.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['users'];

export const userRoutes: RoutePlugin = async (app) => {
  app.get('/api/users', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List users', response: { 200: Type.Array(Type.Ref('User')), ...errorResponses } },
  }, async (request) => listUsers(request.useCases()));

  app.post('/api/users', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Create a user (and its mailbox, with the org default email settings)', body: UserCreate, response: { 201: UserCreated, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createUser(request.useCases(), request.body)));

  app.get('/api/users/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a user', params: IdParams, response: { 200: Type.Ref('User'), ...errorResponses } },
  }, async (request) => getUser(request.useCases(), request.params.id));

  app.patch('/api/users/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Change a user', params: IdParams, body: UserPatch, response: { 200: Type.Ref('User'), ...errorResponses } },
  }, async (request) => updateUser(request.useCases(), request.params.id, request.body));

  app.delete('/api/users/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Delete a user and its mailbox', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteUser(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });
};
