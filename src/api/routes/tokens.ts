/** API tokens. The token value appears once, in the create response. */
import { Type } from 'typebox';
import { createToken, listTokens, revokeToken } from '../../use-cases/tokens.ts';
import { ADMINISTRATOR } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { TokenCreate, TokenCreated } from '../schemas/records.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['tokens'];

export const tokenRoutes: RoutePlugin = async (app) => {
  app.get('/api/tokens', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'List API tokens (never their values)', response: { 200: Type.Array(Type.Ref('ApiToken')), ...errorResponses } },
  }, async (request) => listTokens(request.useCases()));

  app.post('/api/tokens', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Create an API token', body: TokenCreate, response: { 201: TokenCreated, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    return reply.status(201).send(await createToken(request.useCases(), { name: b.name, role: b.role as 'administrator', userId: b.userId ?? null }));
  });

  app.post('/api/tokens/:id/revoke', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Revoke an API token', params: IdParams, response: { 200: Type.Ref('ApiToken'), ...errorResponses } },
  }, async (request) => revokeToken(request.useCases(), request.params.id));
};
