/**
 * wireJson: JSON that keeps Dates, Buffers and AppErrors, for the fake Exchange served to worker
 * processes (crash and scale-out tests).
 */
import { AppError, type ErrorKind } from '../../src/errors.ts';

export const wireJson = {
  stringify(value: unknown): string {
    return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = this[key];
      if (raw instanceof Date) return { $date: raw.getTime() };
      if (Buffer.isBuffer(raw)) return { $buf: raw.toString('base64') };
      if (raw instanceof AppError) {
        return { $error: { code: raw.code, kind: raw.kind, message: raw.message, providerCode: raw.providerCode, retryAfterMs: raw.retryAfterMs } };
      }
      return v;
    });
  },
  parse(text: string): unknown {
    return JSON.parse(text, (_key, v: unknown) => {
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o['$date'] === 'number') return new Date(o['$date']);
        if (typeof o['$buf'] === 'string') return Buffer.from(o['$buf'], 'base64');
        if (o['$error'] !== undefined) {
          const e = o['$error'] as { code: string; kind: ErrorKind; message: string; providerCode?: string; retryAfterMs?: number };
          return new AppError(e.code, e.message, {
            kind: e.kind,
            ...(e.providerCode === undefined ? {} : { providerCode: e.providerCode }),
            ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
          });
        }
      }
      return v;
    });
  },
};
