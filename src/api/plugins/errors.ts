/**
 * Every error leaves the API as JSON {code, message, details}: AppErrors with their own code and
 * status, schema validation failures as validation_failed naming each field and rule (the same
 * shape the domain validators produce), anything else as a bare internal_error.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ValidationError } from '../../errors.ts';

type AjvError = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown>; parentSchema?: Record<string, unknown> };

const KIND_STATUS: Record<string, number> = { 'invalid-input': 400, 'not-found': 404, conflict: 409, auth: 401 };

function fieldOf(e: AjvError): string {
  const path = e.instancePath.replace(/^\//, '').split('/').filter((p) => p !== '').join('.');
  const extra = (e.params['missingProperty'] ?? e.params['additionalProperty']) as string | undefined;
  return extra === undefined ? path || 'body' : path === '' ? extra : `${path}.${extra}`;
}

/** Ajv's errors in our words: field, rule, message ("must be between 0 and 1440"). */
export function issuesFromAjv(errors: ReadonlyArray<AjvError>): Array<{ field: string; rule: string; message: string }> {
  const seen = new Set<string>();
  const out: Array<{ field: string; rule: string; message: string }> = [];
  for (const e of errors) {
    // The null branch of a Nullable field failing says nothing useful ("must be null"); the
    // other branch's error, which Ajv lists next for the same field, says what is wrong.
    if (e.keyword === 'type' && e.parentSchema?.['type'] === 'null') continue;
    const field = fieldOf(e);
    let rule = e.keyword;
    let message = e.message ?? 'is invalid';
    const s = e.parentSchema ?? {};
    if ((e.keyword === 'minimum' || e.keyword === 'maximum') && typeof s['minimum'] === 'number' && typeof s['maximum'] === 'number') {
      rule = 'range';
      message = `must be between ${s['minimum']} and ${s['maximum']}`;
    } else if (e.keyword === 'required') {
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      rule = 'unknown-field';
      message = 'is not a known field';
    } else if (e.keyword === 'anyOf' || e.keyword === 'const') {
      rule = 'one-of';
      message = 'is not one of the allowed values';
    }
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, rule, message });
  }
  return out;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { validation?: AjvError[] }, request, reply) => {
    if (error.validation !== undefined) {
      const v = new ValidationError(issuesFromAjv(error.validation));
      return reply.status(400).send({ code: v.code, message: v.message, details: v.details });
    }
    if (error instanceof AppError) {
      const status = error.status ?? KIND_STATUS[error.kind] ?? 500;
      if (status >= 500) request.log.error({ err: { code: error.code, message: error.message } }, 'request failed');
      return reply.status(status).send({ code: error.code, message: error.message, details: error.details });
    }
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: error.code ?? 'bad_request', message: error.message, details: {} });
    }
    request.log.error({ err: { name: error.name, message: error.message, stack: error.stack } }, 'unexpected error');
    return reply.status(500).send({ code: 'internal_error', message: 'internal error', details: {} });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: {} });
  });
}
