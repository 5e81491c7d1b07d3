/** Test Connection of an email server profile, step by step (src/diagnostics/test-connection). */
import { Type } from 'typebox';
import { testProfileConnection } from '../../diagnostics/test-connection/test-profile-connection.ts';
import { TEST_STEPS } from '../../diagnostics/test-connection/steps.ts';
import { ADMINISTRATOR } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['profiles', 'diagnostics'];

export const TestConnectionRequest = Type.Object(
  { mailbox: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: "Sample mailbox (primary SMTP address); default: the profile's first mailbox" })) },
  { additionalProperties: false },
);

export const TestConnectionStep = Type.Object(
  {
    step: Type.Union(TEST_STEPS.map((s) => Type.Literal(s)), { description: 'Stable step name; steps always come in this order' }),
    ok: Type.Boolean({ description: 'False when the step failed, or was skipped because an earlier step failed' }),
    skipped: Type.Boolean({ description: 'The step did not run: not applicable to this profile (ok) or blocked by an earlier failure (not ok)' }),
    detail: Type.String({ description: 'What was found (redacted)' }),
    remedy: Type.Optional(Type.String({ description: 'What the administrator should do when the step failed' })),
    trace: Type.Optional(Type.String({ description: 'Redacted trace: the last request and response of the step (method, URL, status, headers, bodies cut short; credentials never shown), Autodiscover attempts, the TLS handshake, certificate checks, access token claims, error details' })),
    durationMs: Type.Integer({ minimum: 0 }),
  },
  { $id: 'TestConnectionStep' },
);

export const TestConnectionResponse = Type.Object(
  {
    ok: Type.Boolean({ description: 'True when every step passed or did not apply' }),
    profileId: Type.String(),
    mailbox: Type.Union([Type.String(), Type.Null()], { description: 'The mailbox tested with; null when there was none' }),
    steps: Type.Array(Type.Ref('TestConnectionStep')),
  },
  { $id: 'TestConnectionResult' },
);

export const profileTestRoutes: RoutePlugin = async (app) => {
  app.addSchema(TestConnectionStep);
  app.addSchema(TestConnectionResponse);
  app.post('/api/profiles/:id/test-connection', {
    config: { access: ADMINISTRATOR },
    schema: {
      tags,
      summary: 'Test Connection: check every step of reaching a sample mailbox with this profile',
      params: IdParams,
      body: TestConnectionRequest,
      response: { 200: Type.Ref('TestConnectionResult'), ...errorResponses },
    },
    // The body is optional: a POST without one tests with the profile's first mailbox.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) => testProfileConnection(request.useCases(), request.params.id, request.body.mailbox === undefined ? {} : { mailbox: request.body.mailbox }));
};
