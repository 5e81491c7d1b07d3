/**
 * Small pure checks shared by the domain validators. Each returns an issue naming the field and
 * the rule, in the shape ValidationError (src/errors.ts) carries, or nothing when the value passes.
 */
import { ValidationError } from '../errors.ts';

export type Issue = { field: string; rule: string; message: string };

export function issue(field: string, rule: string, message: string): Issue {
  return { field, rule, message };
}

/** The ValidationError for a list of issues, or undefined when there are none. */
export function toValidationError(issues: ReadonlyArray<Issue>): ValidationError | undefined {
  return issues.length === 0 ? undefined : new ValidationError(issues);
}

export function checkText(field: string, value: unknown, opts: { required: boolean; max: number }): Issue[] {
  if (value === undefined || value === null || value === '') {
    return opts.required ? [issue(field, 'required', 'is required')] : [];
  }
  if (typeof value !== 'string') return [issue(field, 'type', 'must be a string')];
  if (opts.required && value.trim() === '') return [issue(field, 'required', 'is required')];
  if (value.length > opts.max) return [issue(field, 'max-length', `must be at most ${opts.max} characters`)];
  return [];
}

export function checkIntRange(field: string, value: unknown, min: number, max: number): Issue[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return [issue(field, 'range', `must be between ${min} and ${max}`)];
  }
  return [];
}

export function checkOneOf(field: string, value: unknown, allowed: ReadonlyArray<string>, required = true): Issue[] {
  if (value === undefined || value === null) return required ? [issue(field, 'required', 'is required')] : [];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return [issue(field, 'one-of', `must be one of ${allowed.join(', ')}`)];
  }
  return [];
}

export function checkBoolean(field: string, value: unknown): Issue[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return [issue(field, 'type', 'must be true or false')];
}

/** An absolute https URL (TLS always, DESIGN.md section 6). */
export function checkHttpsUrl(field: string, value: unknown, required: boolean): Issue[] {
  if (value === undefined || value === null || value === '') {
    return required ? [issue(field, 'required', 'is required')] : [];
  }
  if (typeof value !== 'string') return [issue(field, 'type', 'must be a string')];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [issue(field, 'url', 'must be an absolute URL')];
  }
  if (url.protocol !== 'https:') return [issue(field, 'https', 'must be an https URL')];
  if (url.username !== '' || url.password !== '') return [issue(field, 'no-credentials', 'must not contain credentials')];
  return [];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkGuid(field: string, value: unknown, required: boolean): Issue[] {
  if (value === undefined || value === null || value === '') {
    return required ? [issue(field, 'required', 'is required')] : [];
  }
  if (typeof value !== 'string' || !GUID.test(value)) return [issue(field, 'guid', 'must be a GUID')];
  return [];
}

/** A tenant is named by its GUID or one of its verified domains (contoso.onmicrosoft.com). */
export function checkTenant(field: string, value: unknown, required: boolean): Issue[] {
  if (value === undefined || value === null || value === '') {
    return required ? [issue(field, 'required', 'is required')] : [];
  }
  if (typeof value !== 'string') return [issue(field, 'type', 'must be a string')];
  if (GUID.test(value) || /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i.test(value)) return [];
  return [issue(field, 'tenant', 'must be a tenant GUID or domain name')];
}

const EMAIL = /^[^\s@"<>()[\],;:]+@[^\s@"<>()[\],;:]+\.[^\s@"<>()[\],;:]+$/;

export function checkEmail(field: string, value: unknown, required: boolean): Issue[] {
  if (value === undefined || value === null || value === '') {
    return required ? [issue(field, 'required', 'is required')] : [];
  }
  if (typeof value !== 'string' || value.length > 320 || !EMAIL.test(value)) {
    return [issue(field, 'email', 'must be an email address')];
  }
  return [];
}

export function checkDateTime(field: string, value: unknown): Issue[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    return [issue(field, 'date-time', 'must be an ISO 8601 date-time')];
  }
  return [];
}

export function checkUuid(field: string, value: unknown, required: boolean): Issue[] {
  return checkGuid(field, value, required).map((i) => (i.rule === 'guid' ? { ...i, rule: 'id', message: 'must be an id (UUID)' } : i));
}
