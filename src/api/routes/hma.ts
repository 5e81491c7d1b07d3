/**
 * The HMA readiness check over HTTP: the same pure analyzer as `dovetail hma check`, fed with the
 * pasted cmdlet output in the request body. Nothing is stored, so no use case sits in between.
 */
import { Type } from 'typebox';
import { analyzeHmaReadiness } from '../../diagnostics/hma/analyze-hma-readiness.ts';
import { renderHmaScript } from '../../diagnostics/hma/render-script.ts';
import { renderHmaText } from '../../diagnostics/hma/render-text.ts';
import type { HmaOptions } from '../../diagnostics/hma/types.ts';
import { ADMINISTRATOR } from '../plugins/access.ts';
import { errorResponses } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['diagnostics'];

const Severity = Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]);
const SourceRef = Type.Object({ file: Type.String(), line: Type.Integer(), text: Type.String() });

export const HmaCheckRequest = Type.Object(
  {
    inputs: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 200, description: 'A name for this paste (shown in evidence as name:line)' }),
          text: Type.String({ maxLength: 2_000_000, description: 'Format-List, Format-Table or ConvertTo-Json output of the cmdlets in docs/hma-readiness.md' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    owaEcp: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('required'), Type.Literal('skip')], { description: 'HMA for OWA/ECP: analyze when given (auto), require, or skip' })),
    include: Type.Optional(Type.Array(Type.Union([Type.Literal('text'), Type.Literal('script')]), { maxItems: 2, description: 'Also return the text report and/or the remediation script' })),
  },
  { additionalProperties: false },
);

const Finding = Type.Object({
  code: Type.String(),
  severity: Severity,
  title: Type.String(),
  server: Type.Optional(Type.String()),
  tenant: Type.Optional(Type.String()),
  evidence: Type.Array(SourceRef),
  why: Type.String(),
  fix: Type.String(),
  remediation: Type.Optional(Type.Object({ step: Type.String(), shell: Type.Union([Type.Literal('exchange'), Type.Literal('graph'), Type.Literal('manual')]), script: Type.String() })),
});

export const HmaReportSchema = Type.Object(
  {
    generatedAt: Type.String(),
    ready: Type.Boolean(),
    unreadableInput: Type.Boolean(),
    summary: Type.Object({ errors: Type.Integer(), warnings: Type.Integer(), infos: Type.Integer() }),
    inputs: Type.Array(Type.Object({ name: Type.String(), records: Type.Array(Type.Object({ kind: Type.String(), line: Type.Integer(), format: Type.String() })) })),
    inputIssues: Type.Array(Type.Object({ code: Type.String(), severity: Severity, file: Type.String(), line: Type.Integer(), message: Type.String(), expected: Type.String() })),
    servers: Type.Array(Type.Object({ name: Type.String(), version: Type.Optional(Type.String()), product: Type.Optional(Type.String()), build: Type.Optional(Type.String()), virtualDirectories: Type.Array(Type.String()) })),
    tenants: Type.Array(Type.String()),
    findings: Type.Array(Finding),
  },
  { $id: 'HmaReport' },
);

const HmaCheckResponse = Type.Object({
  report: HmaReportSchema,
  text: Type.Optional(Type.String()),
  script: Type.Optional(Type.String()),
});

export const hmaRoutes: RoutePlugin = async (app, { deps }) => {
  app.post('/api/hma/check', {
    config: { access: ADMINISTRATOR },
    schema: {
      tags,
      summary: 'Hybrid Modern Authentication readiness from pasted Exchange and Graph cmdlet output',
      body: HmaCheckRequest,
      response: { 200: HmaCheckResponse, ...errorResponses },
    },
  }, async (request) => {
    const body = request.body;
    const options: HmaOptions = { now: new Date(deps.clock.now()), ...(body.owaEcp ? { owaEcp: body.owaEcp } : {}) };
    const report = analyzeHmaReadiness(body.inputs, options);
    const include = new Set(body.include ?? []);
    return {
      report,
      ...(include.has('text') ? { text: renderHmaText(report) } : {}),
      ...(include.has('script') ? { script: renderHmaScript(report) } : {}),
    };
  });
};
