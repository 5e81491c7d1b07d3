/**
 * Composition root: configuration -> concrete objects -> roles. The only module that creates
 * the clock, randomness, logger, keyring, store and servers; everything else receives them.
 *
 *   openRuntime(config)        store (migrated), sealer, logger, metrics
 *   startServer(runtime)       the admin API listening on config.host:port
 *   startWorker(deps)          the worker loop (sync/worker-loop.ts) around an injected engine factory
 *   startDovetail(config, role)  what `dovetail serve|worker|start` run
 */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { buildApi, type Api } from './api/build-api.ts';
import type { Readiness } from './api/api-deps.ts';
import { systemClock, systemRandom, type Clock, type Random } from './clock.ts';
import type { Config } from './config/config.ts';
import { VERSION } from './config/version.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import type { ExchangeRequestObserver } from './observability/exchange-requests.ts';
import { startExchangeTelemetry } from './observability/exchange-telemetry.ts';
import { AppError } from './errors.ts';
import { loadKeyring, type KeyringSource } from './store/keyring-source.ts';
import { missingKeyIds } from './store/reseal.ts';
import { createSealer, type Sealer } from './store/sealing.ts';
import { openStore, type Store } from './store/store.ts';
import { ensureFirstAdministratorToken } from './use-cases/tokens.ts';
import { syncEngineFactory } from './sync/engine-factory.ts';
import { startWorkerLoop, type WakeSource } from './sync/worker-loop.ts';
import { defaultWebRoot } from './web/serve-web.ts';

export { VERSION };

export type Runtime = {
  config: Config;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  keyringSource: KeyringSource;
  sealer: Sealer;
  store: Store;
  close(): Promise<void>;
};

export function keyringSourceOf(config: Config): KeyringSource {
  return config.secretKey !== undefined ? { kind: 'env', value: config.secretKey } : { kind: 'file', path: config.secretKeyFile };
}

/** Opens the configured store (running migrations) with its sealer. */
export async function openRuntime(config: Config, options: { logger?: Logger } = {}): Promise<Runtime> {
  const clock = systemClock;
  const random = systemRandom;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const keyringSource = keyringSourceOf(config);
  const keyFileExisted = keyringSource.kind === 'file' && existsSync(keyringSource.path);
  const sealer = createSealer(loadKeyring(keyringSource, random, clock), random);
  const target = config.databaseUrl !== undefined
    ? { engine: 'postgres' as const, url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { engine: 'pglite' as const, dataDir: config.dataDir };
  const store = await openStore({ target, clock, random, sealer });
  // A process without the installation's key (a second machine started without
  // DOVETAIL_SECRET_KEY, a lost key file) stops here, before it seals anything the others
  // cannot read; a key file it created a moment ago goes away again.
  const missing = await missingKeyIds(store.kysely, sealer).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  if (missing.length > 0) {
    await store.close();
    const created = keyringSource.kind === 'file' && !keyFileExisted;
    if (created) rmSync(keyringSource.path, { force: true });
    const holder = keyringSource.kind === 'env' ? 'DOVETAIL_SECRET_KEY' : `the key file ${keyringSource.path}${created ? ' (created just now, and removed again)' : ''}`;
    throw new AppError(
      'secret_key_missing',
      `The database holds secrets sealed with key ${missing.join(', ')}, which ${holder} does not hold. Give this process the key the rest of the installation uses (DOVETAIL_SECRET_KEY, or DOVETAIL_SECRET_KEY_FILE pointing at a copy of its key file); nothing was changed.`,
      { kind: 'permanent', details: { keyIds: missing } },
    );
  }
  return { config, clock, random, logger, metrics: createMetrics(), keyringSource, sealer, store, close: () => store.close() };
}

/**
 * The first start of an installation creates an administrator token. Its value goes to a 0600
 * file (never to the logs); `dovetail token reveal-first` prints it once and deletes the file.
 * Returns the file path when a token was created.
 */
export async function ensureFirstToken(runtime: Runtime): Promise<string | undefined> {
  const created = await ensureFirstAdministratorToken(runtime.store, runtime.random);
  if (created === undefined) return undefined;
  const path = runtime.config.firstTokenFile;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${created.token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** One pass of the sync engine: lease due mailboxes, run their pipelines, release. */
export type SyncEngine = {
  /** Claims and processes what is due; returns how many mailboxes it claimed (0: idle). */
  runOnce(): Promise<{ claimed: number }>;
  /** Lets go of leases and in-flight work on shutdown. */
  stop(): Promise<void>;
  /** What ends the loop's wait early (new outgoing email on PostgreSQL, a finished run); polling only without it. */
  wakeSource?: WakeSource;
};

export type EngineFactoryDeps = {
  store: Store;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  workerId: string;
  leaseSeconds: number;
  concurrency: number;
  /** Told of every Exchange request the engine's drivers send. */
  exchangeRequests?: ExchangeRequestObserver;
};
export type EngineFactory = (deps: EngineFactoryDeps) => SyncEngine;

/** The engine used until a real one is injected: it claims no mailbox. */
export const idleEngineFactory: EngineFactory = () => ({
  runOnce: async () => ({ claimed: 0 }),
  stop: async () => undefined,
});

export type WorkerDeps = EngineFactoryDeps & { pollMs: number; engineFactory: EngineFactory };

export type WorkerHandle = {
  readonly workerId: string;
  /** Completed engine passes, for readiness and tests. */
  passes(): number;
  readiness(): Readiness['checks'];
  stop(): Promise<void>;
};

/**
 * The worker: the engine's own loop (sync/worker-loop.ts, the one worker.start() runs) around its
 * passes: back to back while a pass claims work, otherwise a wait of pollMs that the engine's
 * wake-ups end early. stop() ends the wait, lets the pass in flight finish, then stops the engine.
 */
export function startWorker(deps: WorkerDeps): WorkerHandle {
  const log = deps.logger.child({ role: 'worker', workerId: deps.workerId });
  // Exchange request latency and throttling: Prometheus metrics, and hourly totals in the database for the dashboard.
  const telemetry = startExchangeTelemetry({
    metrics: deps.metrics, clock: deps.clock, db: deps.store.kysely,
    onFlushError: (error) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'Exchange request statistics not saved; kept for the next flush'),
  });
  const engine = deps.engineFactory({ ...deps, exchangeRequests: telemetry.requests });
  log.info('worker started');
  const loop = startWorkerLoop({
    pass: async () => (await engine.runOnce()).claimed,
    pollMs: deps.pollMs,
    ...(engine.wakeSource === undefined ? {} : { wakeSource: engine.wakeSource }),
    log: { debug: (f, m) => log.debug(f, m), warn: (f, m) => log.warn(f, m), error: (f, m) => log.error(f, m) },
  });
  return {
    workerId: deps.workerId,
    passes: () => loop.passes(),
    readiness: () => {
      const failed = loop.lastError();
      return { worker: failed === undefined ? { ok: true } : { ok: false, message: `last sync pass failed: ${failed.message}` } };
    },
    stop: async () => {
      await loop.stop();
      await engine.stop();
      await telemetry.stop();
      log.info('worker stopped');
    },
  };
}

export type ServerHandle = { api: Api; address: string; close(): Promise<void> };

export async function startServer(runtime: Runtime, readiness?: () => Promise<Readiness['checks']>): Promise<ServerHandle> {
  const api = await buildApi({
    store: runtime.store, clock: runtime.clock, random: runtime.random, logger: runtime.logger, metrics: runtime.metrics, version: VERSION,
    ...(readiness === undefined ? {} : { readiness }), webRoot: defaultWebRoot,
  });
  const address = await api.listen({ host: runtime.config.host, port: runtime.config.port });
  return { api, address, close: () => api.close() };
}

export type Role = 'serve' | 'worker' | 'all';

export type Running = { runtime: Runtime; address?: string; firstTokenFile?: string; worker?: WorkerHandle; close(): Promise<void> };

/** Starts the roles of one process over one runtime. */
export async function startDovetail(config: Config, role: Role, options: { engineFactory?: EngineFactory; logger?: Logger } = {}): Promise<Running> {
  const runtime = await openRuntime(config, options.logger === undefined ? {} : { logger: options.logger });
  try {
    const firstTokenFile = await ensureFirstToken(runtime);
    const worker = role === 'serve' ? undefined : startWorker({
      store: runtime.store, clock: runtime.clock, random: runtime.random, logger: runtime.logger, metrics: runtime.metrics,
      workerId: config.workerId, leaseSeconds: config.leaseSeconds, concurrency: config.workerConcurrency, pollMs: config.workerPollMs,
      engineFactory: options.engineFactory ?? syncEngineFactory,
    });
    let server: ServerHandle | undefined;
    try {
      server = role === 'worker' ? undefined : await startServer(runtime, async () => worker?.readiness() ?? {});
    } catch (error) {
      await worker?.stop();
      throw error;
    }
    return {
      runtime,
      ...(server === undefined ? {} : { address: server.address }),
      ...(firstTokenFile === undefined ? {} : { firstTokenFile }),
      ...(worker === undefined ? {} : { worker }),
      close: async () => {
        await server?.close();
        await worker?.stop();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
