/**
 * buildApi(deps): the admin API as a Fastify instance that never listens by itself (main.ts
 * calls listen; tests call inject). TypeBox schemas validate, serialize, type and document every
 * route; /openapi.json serves the document and /docs a browsable UI.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiDeps } from './api-deps.ts';
import { installAuth, type RouteAccess } from './plugins/auth.ts';
import { installErrorHandler } from './plugins/errors.ts';
import { routePlugins } from './routes/index.ts';
import { ErrorBody } from './schemas/common.ts';
import { Mailbox } from './schemas/mailbox.ts';
import { Profile } from './schemas/profile.ts';
import { Alert, ApiToken, AuditEntry, Queue, User } from './schemas/records.ts';
import { OrgEmailSettings } from './schemas/settings.ts';
import { serveWeb } from '../web/serve-web.ts';

export type Api = FastifyInstance & { routeAccess: ReadonlyArray<RouteAccess> };

export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Ajv reports every failing field with its schema, so errors name each field and its range.
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: 'array', removeAdditional: false } },
    bodyLimit: 4 * 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RouteAccess[] = [];
  installErrorHandler(app as unknown as FastifyInstance);
  installAuth(app as unknown as FastifyInstance, deps, routes);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  for (const schema of [ErrorBody, Profile, OrgEmailSettings, Mailbox, User, Queue, Alert, AuditEntry, ApiToken]) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Dovetail admin API', version: deps.version, description: 'Server-side synchronization between a CRM and Exchange.' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'An API token (dvt_…)' } } },
      security: [{ token: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });

  app.get('/openapi.json', {
    config: { access: 'public' },
    schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } },
  }, async () => app.swagger());

  for (const plugin of routePlugins) await app.register(plugin, { deps });
  if (deps.webRoot !== undefined) await app.register(serveWeb, { root: deps.webRoot });
  await app.ready();
  return Object.assign(app, { routeAccess: routes }) as unknown as Api;
}
