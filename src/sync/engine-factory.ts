/**
 * The sync engine as src/main.ts runs it: the worker of worker.ts behind the SyncEngine seam
 * (runOnce / stop, and the wake-ups its loop waits for), with drivers from the provider registry
 * (exchange/index.ts). src/main.ts runs worker-loop.ts around it, the loop worker.start() runs.
 */
import type { AuthLog } from '../auth/entra/auth-log.ts';
import type { Clock, Random } from '../clock.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import type { Store } from '../store/store.ts';
import type { MailboxDriver } from '../exchange/driver.ts';
import type { ExchangeRequestObserver } from '../observability/exchange-requests.ts';
import { openDriver as registryOpenDriver } from '../exchange/index.ts';
import { defaultEngineOptions, type EngineOptions } from './engine-deps.ts';
import { createWorker } from './worker.ts';
import type { WakeSource } from './worker-loop.ts';

/** The engine seam of src/main.ts (startWorker), restated here so sync/ does not import the composition root. */
export type SyncEngine = { runOnce(): Promise<{ claimed: number }>; stop(): Promise<void>; wakeSource?: WakeSource };
type LogFn = (fields: Record<string, unknown>, message: string) => void;
export type EngineFactoryDeps = {
  store: Store;
  clock: Clock;
  random: Random;
  logger: { debug?: LogFn; info: LogFn; warn: LogFn; error: LogFn };
  workerId: string;
  leaseSeconds: number;
  concurrency: number;
  /** Told of every Exchange request the drivers send (src/observability/exchange-telemetry.ts). */
  exchangeRequests?: ExchangeRequestObserver;
};
export type EngineFactory = (deps: EngineFactoryDeps) => SyncEngine;

export type SyncEngineOptions = Partial<EngineOptions> & {
  openDriver?: (profile: EmailServerProfile, deps: EngineFactoryDeps) => MailboxDriver | Promise<MailboxDriver>;
};

export function createSyncEngineFactory(options: SyncEngineOptions = {}): EngineFactory {
  return (deps: EngineFactoryDeps): SyncEngine => {
    const { openDriver, ...engineOptions } = options;
    const worker = createWorker({
      store: deps.store,
      clock: deps.clock,
      random: deps.random,
      workerId: deps.workerId,
      log: {
        debug: (f, m) => deps.logger.debug?.(f, m),
        info: (f, m) => deps.logger.info(f, m),
        warn: (f, m) => deps.logger.warn(f, m),
        error: (f, m) => deps.logger.error(f, m),
      },
      options: { ...defaultEngineOptions, leaseTtlMs: deps.leaseSeconds * 1000, concurrency: deps.concurrency, ...engineOptions },
      openDriver: openDriver !== undefined
        ? (profile) => openDriver(profile, deps)
        : async (profile) => {
            const settings = await deps.store.settings.get();
            return registryOpenDriver(profile, await deps.store.profiles.getSecrets(profile.id), {
              clock: deps.clock,
              random: deps.random,
              defaultTenantId: settings.defaultExchangeOnlineTenantId,
              authLog: authLogOf(deps),
              ...(deps.exchangeRequests === undefined ? {} : { requests: deps.exchangeRequests }),
            });
          },
    });
    return {
      runOnce: async () => ({ claimed: await worker.pass() }),
      stop: () => worker.stop(),
      wakeSource: worker.wakeSource,
    };
  };
}

export const syncEngineFactory: EngineFactory = createSyncEngineFactory();

/** Token and Key Vault events (certificate rotation, a certificate near its end) go to the worker's log. */
export function authLogOf(deps: Pick<EngineFactoryDeps, 'logger'>): AuthLog {
  return {
    debug: (f, m) => deps.logger.debug?.({ component: 'auth', ...f }, m),
    info: (f, m) => deps.logger.info({ component: 'auth', ...f }, m),
    warn: (f, m) => deps.logger.warn({ component: 'auth', ...f }, m),
  };
}
