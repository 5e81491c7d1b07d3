/**
 * Every error Dovetail throws on purpose is an AppError with a stable string `code`
 * (what callers branch on, what the API returns, what tests assert) and a human message.
 * `kind` says how the sync engine should treat it (see sync/policy.ts); `details` carries
 * structured, already-redacted facts (never secrets).
 */
export type ErrorKind =
  | 'transient'
  | 'throttled'
  | 'auth'
  | 'not-found'
  | 'cursor-invalid'
  | 'conflict'
  | 'permanent'
  | 'invalid-input';

export type AppErrorOptions = {
  kind?: ErrorKind;
  details?: Record<string, unknown>;
  /** For throttled errors: how long the server asked us to wait. */
  retryAfterMs?: number;
  /** The provider's own code and message (EWS ResponseCode, Graph error code, AADSTS…), kept verbatim. */
  providerCode?: string;
  providerMessage?: string;
  /** HTTP status to use when this error reaches the REST API. */
  status?: number;
  cause?: unknown;
};

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown>;
  readonly retryAfterMs: number | undefined;
  readonly providerCode: string | undefined;
  readonly providerMessage: string | undefined;
  readonly status: number | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = options.kind ?? 'permanent';
    this.details = options.details ?? {};
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
    this.providerMessage = options.providerMessage;
    this.status = options.status;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.providerCode === undefined ? {} : { providerCode: this.providerCode }),
      ...(this.providerMessage === undefined ? {} : { providerMessage: this.providerMessage }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
    };
  }
}

/** Field-level validation failure: names the field and the rule that failed. */
export class ValidationError extends AppError {
  readonly issues: ReadonlyArray<{ field: string; rule: string; message: string }>;
  constructor(issues: ReadonlyArray<{ field: string; rule: string; message: string }>) {
    super('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
      kind: 'invalid-input',
      status: 400,
      details: { issues },
    });
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** Turns any thrown value into an Error, so `catch (e)` code never handles strings or undefined. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

export function isAppError(value: unknown, code?: string): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}
