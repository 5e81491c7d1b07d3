/** Liveness, readiness and Prometheus metrics: public, for load balancers and scrapers. */
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { RoutePlugin } from './route-plugin.ts';

export const healthRoutes: RoutePlugin = async (app, { deps }) => {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) } },
  }, async () => ({ status: 'ok' as const, version: deps.version }));

  const Ready = Type.Object({
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), message: Type.Optional(Type.String()) })),
  });
  app.get('/readyz', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'The store answers and every component is ready', response: { 200: Ready, 503: Ready } },
  }, async (_request, reply) => {
    const checks: Record<string, { ok: boolean; message?: string }> = {};
    try {
      await sql`select 1`.execute(deps.store.kysely);
      checks['store'] = { ok: true };
    } catch {
      checks['store'] = { ok: false, message: 'the database does not answer' };
    }
    Object.assign(checks, deps.readiness ? await deps.readiness() : {});
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });

  app.get('/metrics', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'Prometheus metrics', hide: true },
  }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
};
