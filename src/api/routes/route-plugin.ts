/** The type every route file exports: a TypeBox-typed Fastify plugin receiving the API deps. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../api-deps.ts';

export type RoutePlugin = FastifyPluginAsyncTypebox<{ deps: ApiDeps }>;
