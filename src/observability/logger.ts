/**
 * Structured JSON logs (pino). Secret-bearing keys are redacted wherever they appear up to three
 * levels deep, and request logs carry no Authorization header; no code should log a secret in
 * the first place, this is the net under that rule.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const SECRET_KEYS = [
  'password',
  'keyVaultClientSecret',
  'clientSecret',
  'certificate',
  'certificatePassword',
  'privateKey',
  'token',
  'accessToken',
  'refreshToken',
  'assertion',
  'authorization',
  'secretKey',
] as const;

const redactPaths = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export type LoggerOptions = { level?: string; destination?: DestinationStream; name?: string };

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'dovetail',
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
