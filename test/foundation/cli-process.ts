/** Runs bin/dovetail.js as a child process, for tests of the real command line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../support/env.ts';

const bin = join(projectRoot, 'bin', 'dovetail.js');

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** Environment for a child: the caller's PATH and HOME only, plus what the test sets. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', DOVETAIL_LOG_LEVEL: 'info', ...extra };
}

export function runDovetail(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: projectRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

export type RunningDovetail = { address: string; child: ChildProcess; output(): { stdout: string; stderr: string }; stop(): Promise<number | null> };

/** Starts a long-running role and resolves once it prints its ready line (by default: where it listens). */
export function startDovetailProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp = /listening on (http:\/\/[^\s]+) \(.*\n/): Promise<RunningDovetail> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: projectRoot });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      const m = ready.exec(stderr);
      if (m !== null && !settled) {
        settled = true;
        resolve({
          address: m[1] ?? '',
          child,
          output: () => ({ stdout, stderr }),
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`dovetail exited with ${code} before it was ready:\n${stderr}`));
      }
    });
  });
}

/** Runs the CLI in this process (same code as bin/dovetail.js, without a new Node), capturing output. */
export async function runCliInProcess(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliRun> {
  const { Readable, Writable } = await import('node:stream');
  const { runCli } = await import('../../src/cli/index.ts');
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runCli(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env,
    stdin: Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}
