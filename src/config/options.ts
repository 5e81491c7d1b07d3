/**
 * Every configuration option, declared once: its environment variable, its key in the optional
 * JSON config file (DOVETAIL_CONFIG), its type, default and meaning. loadConfig reads them and
 * docs/configuration.md documents the same list (a test keeps the two in step).
 */
export type OptionType = 'string' | 'integer' | 'boolean';

export type OptionSpec = {
  env: string;
  /** Key in the config file; absent for options that only come from the environment (secrets). */
  fileKey?: string;
  type: OptionType;
  /** Default value; a function of already-resolved options when it depends on them. */
  default?: string | number | boolean | ((c: Record<string, unknown>) => string | number | boolean);
  min?: number;
  max?: number;
  description: string;
};

export const OPTIONS = {
  dataDir: { env: 'DOVETAIL_DATA_DIR', fileKey: 'dataDir', type: 'string', default: './data', description: 'Directory of the embedded database (PGlite), the key file and the first-start token file.' },
  databaseUrl: { env: 'DATABASE_URL', fileKey: 'databaseUrl', type: 'string', description: 'PostgreSQL connection string. When set, PostgreSQL is used instead of the embedded database; every process pointed at it shares the work.' },
  databasePoolSize: { env: 'DOVETAIL_DATABASE_POOL_SIZE', fileKey: 'databasePoolSize', type: 'integer', default: 10, min: 1, max: 200, description: 'PostgreSQL connections per process.' },
  secretKey: { env: 'DOVETAIL_SECRET_KEY', type: 'string', description: 'Sealing keys for stored secrets: 32-byte keys as 64 hex digits or base64, comma-separated, current key first. Environment only. When unset, the key file is used.' },
  secretKeyFile: { env: 'DOVETAIL_SECRET_KEY_FILE', fileKey: 'secretKeyFile', type: 'string', default: (c) => `${String(c['dataDir'])}/secret-key.json`, description: 'Key file used when DOVETAIL_SECRET_KEY is unset; created on first run with mode 0600. Keep it out of database backups.' },
  host: { env: 'DOVETAIL_HOST', fileKey: 'host', type: 'string', default: '127.0.0.1', description: 'Address the API listens on.' },
  port: { env: 'DOVETAIL_PORT', fileKey: 'port', type: 'integer', default: 8080, min: 0, max: 65535, description: 'Port the API listens on (0: any free port).' },
  logLevel: { env: 'DOVETAIL_LOG_LEVEL', fileKey: 'logLevel', type: 'string', default: 'info', description: 'Log level: fatal, error, warn, info, debug, trace, silent. Logs are JSON lines on stdout.' },
  workerId: { env: 'DOVETAIL_WORKER_ID', fileKey: 'workerId', type: 'string', description: 'Name this worker writes as lease owner. Default: host name and process id.' },
  workerPollMs: { env: 'DOVETAIL_WORKER_POLL_MS', fileKey: 'workerPollMs', type: 'integer', default: 2000, min: 50, max: 600000, description: 'How often an idle worker looks for due mailboxes, in milliseconds.' },
  workerConcurrency: { env: 'DOVETAIL_WORKER_CONCURRENCY', fileKey: 'workerConcurrency', type: 'integer', default: 4, min: 1, max: 256, description: 'Mailboxes one worker process syncs at the same time.' },
  leaseSeconds: { env: 'DOVETAIL_LEASE_SECONDS', fileKey: 'leaseSeconds', type: 'integer', default: 120, min: 5, max: 3600, description: 'How long a worker holds a mailbox lease before another worker may take it over.' },
  firstTokenFile: { env: 'DOVETAIL_FIRST_TOKEN_FILE', fileKey: 'firstTokenFile', type: 'string', default: (c) => `${String(c['dataDir'])}/first-admin-token`, description: 'Where the first start leaves the administrator token (mode 0600) until `dovetail token reveal-first` shows it once and deletes it.' },
  configFile: { env: 'DOVETAIL_CONFIG', type: 'string', description: 'Optional JSON file with any of the keys above (environment variables win).' },
} as const satisfies Record<string, OptionSpec>;
