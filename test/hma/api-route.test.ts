import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../src/api/api-deps.ts';
import { ErrorBody } from '../../src/api/schemas/common.ts';
import { hmaRoutes } from '../../src/api/routes/hma.ts';
import { fixedClock } from '../../src/clock.ts';
import { edit, readyOrg } from './fixtures.ts';

/**
 * The route on its own Fastify instance (the route list, auth and error plugins belong to buildApi):
 * what is checked here is the body schema, the analyzer call and the response serialization.
 */
describe('POST /api/hma/check', () => {
  let app: FastifyInstance;
  before(async () => {
    const fastify = Fastify({ ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } } }).withTypeProvider<TypeBoxTypeProvider>();
    fastify.addSchema(ErrorBody);
    const deps = { clock: fixedClock(Date.parse('2026-11-22T00:00:00Z')) } as unknown as ApiDeps;
    await fastify.register(hmaRoutes, { deps });
    await fastify.ready();
    app = fastify as unknown as FastifyInstance;
  });
  after(async () => {
    await app.close();
  });

  it('returns the report, and the text and script when asked', async () => {
    const inputs = edit(readyOrg(), 'organization.txt', 'OAuth2ClientProfileEnabled : True', 'OAuth2ClientProfileEnabled : False');
    const res = await app.inject({ method: 'POST', url: '/api/hma/check', payload: { inputs, include: ['text', 'script'] } });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { report: { ready: boolean; generatedAt: string; findings: { code: string; evidence: { file: string; line: number }[] }[] }; text: string; script: string };
    assert.equal(body.report.ready, false);
    assert.equal(body.report.generatedAt, '2026-11-22T00:00:00.000Z');
    const f = body.report.findings.find((x) => x.code === 'hma.org.oauth2-client-profile-disabled')!;
    assert.equal(f.evidence[0]!.file, 'organization.txt');
    assert.match(body.text, /NOT READY/);
    assert.match(body.script, /Set-OrganizationConfig -OAuth2ClientProfileEnabled \$true/);
  });

  it('leaves text and script out unless asked', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/hma/check', payload: { inputs: readyOrg() } });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['report']);
    assert.equal((body['report'] as { ready: boolean }).ready, true);
  });

  it('rejects a body without inputs or with unknown fields', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/api/hma/check', payload: { inputs: [] } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/api/hma/check', payload: { inputs: readyOrg(), now: '2020-01-01' } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/api/hma/check', payload: { inputs: readyOrg(), owaEcp: 'sometimes' } })).statusCode, 400);
  });
});
