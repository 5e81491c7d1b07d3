/**
 * What the sync engine is built from: the store, the clock and randomness, a way to open the
 * MailboxDriver of a profile, the worker's name, a logger, its options, and an optional hook the
 * crash tests use to stop the process at a persisted step.
 */
import type { Clock, Random } from '../clock.ts';
import type { EmailServerProfile } from '../domain/profile.ts';
import type { MailboxDriver } from '../exchange/driver.ts';
import type { Store } from '../store/store.ts';

export type EngineLog = {
  /** Detail for operators who ask for it (DOVETAIL_LOG_LEVEL=debug), e.g. when a worker goes idle. */
  debug?(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
};

export type EngineOptions = {
  /** How long a lease lasts without a heartbeat. */
  leaseTtlMs: number;
  /**
   * How often an idle worker looks for due mailboxes. New Pending Send email does not wait for it
   * on PostgreSQL (a notification wakes the worker); on PGlite it is picked up within this interval.
   */
  pollIntervalMs: number;
  /** Mailboxes one worker processes at the same time. */
  concurrency: number;
  /** Changes asked per folder sync call, and pages per run before yielding the lease. */
  pageSize: number;
  maxPagesPerRun: number;
  /** Emails sent per outgoing run. */
  outboxBatch: number;
  /** The domain part of the Message-IDs Dovetail stamps on outgoing email. */
  messageIdDomain: string;
  /** Per-item failures are kept at least this long. */
  failureRetentionDays: number;
  /** Test & Enable: how long to wait for the test message to arrive, and how often to look. */
  testArrivalTimeoutMs: number;
  testArrivalPollMs: number;
};

export const defaultEngineOptions: EngineOptions = {
  leaseTtlMs: 60_000,
  pollIntervalMs: 1_000,
  concurrency: 4,
  pageSize: 50,
  maxPagesPerRun: 10,
  outboxBatch: 20,
  messageIdDomain: 'dovetail.invalid',
  failureRetentionDays: 30,
  testArrivalTimeoutMs: 30_000,
  testArrivalPollMs: 1_000,
};

export type EngineDeps = {
  store: Store;
  clock: Clock;
  random: Random;
  openDriver(profile: EmailServerProfile): MailboxDriver | Promise<MailboxDriver>;
  workerId: string;
  log: EngineLog;
  options: EngineOptions;
  /** Called at each persisted step ("incoming:after-commit", …); crash tests end the process there. */
  reached?: (step: string) => void;
  /** Waits between polls, ending early when the signal aborts (a wake-up or stop); tests replace it. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export const silentLog: EngineLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
