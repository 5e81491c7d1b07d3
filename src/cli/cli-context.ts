/**
 * What every command gets: output that honours --json, the configuration, and a runtime over the
 * configured store whose use cases act as an administrator named after the OS user.
 */
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
import { createLogger } from '../observability/logger.ts';
import type { Runtime } from '../main.ts';
import type { UseCaseContext } from '../use-cases/context.ts';

export type CliIo = { stdout: Writable; stderr: Writable; env: NodeJS.ProcessEnv; stdin: NodeJS.ReadableStream };

export type CliContext = {
  io: CliIo;
  program: Command;
  json(): boolean;
  config(): Config;
  /** Prints a result: JSON with --json, otherwise the human text. */
  print(value: unknown, human: () => string): void;
  /** Whether stdout is a terminal (progress then draws one updating line), and its width. */
  terminal(): { tty: boolean; columns: number };
  /** The exit code runCli returns when the command itself did not fail (default 0). */
  setExitCode(code: number): void;
  exitCode(): number;
  /** Opens the store, runs fn with administrator use cases, closes the store. */
  withUseCases<T>(fn: (ctx: UseCaseContext, runtime: Runtime) => Promise<T>): Promise<T>;
};

export function createCliContext(program: Command, io: CliIo): CliContext {
  let config: Config | undefined;
  let exitCode = 0;
  const ctx: CliContext = {
    io,
    program,
    json: () => program.opts()['json'] === true,
    config: () => (config ??= loadConfig(io.env)),
    terminal() {
      const out = io.stdout as Writable & { isTTY?: boolean; columns?: number };
      return { tty: out.isTTY === true, columns: typeof out.columns === 'number' && out.columns > 0 ? out.columns : 80 };
    },
    setExitCode: (code) => void (exitCode = code),
    exitCode: () => exitCode,
    print(value, human) {
      io.stdout.write(ctx.json() ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    async withUseCases(fn) {
      // One-shot commands keep stdout for their output; only warnings reach stderr. The runtime
      // (database engines, HTTP server code) loads only for commands that need it.
      const { openRuntime } = await import('../main.ts');
      const runtime = await openRuntime(ctx.config(), { logger: createLogger({ level: 'warn', destination: io.stderr as unknown as NodeJS.WritableStream & { write(s: string): boolean } }) });
      try {
        const useCases: UseCaseContext = {
          store: runtime.store,
          clock: runtime.clock,
          random: runtime.random,
          principal: { role: 'administrator', userId: null, actor: { type: 'cli', id: null, name: safeUserName() } },
        };
        return await fn(useCases, runtime);
      } finally {
        await runtime.close();
      }
    },
  };
  return ctx;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}
