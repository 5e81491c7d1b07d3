/**
 * spawnWorkers: starts worker processes (test/sync/worker-child.ts in poll mode) and resolves
 * once each has started polling; stop() ends them with SIGTERM and waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../support/env.ts';

export type Workers = { children: ChildProcess[]; stop(): Promise<void>; kill(): void };

export async function spawnWorkers(ids: ReadonlyArray<string>, env: Record<string, string>): Promise<Workers> {
  const children: ChildProcess[] = [];
  const kill = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  try {
    await Promise.all(
      ids.map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/sync/worker-child.ts')], {
              cwd: projectRoot,
              env: { ...process.env, ...env, CHILD_WORKER_ID: id, CHILD_MODE: 'poll' },
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            children.push(child);
            child.stdout!.on('data', (c: Buffer) => (c.toString().includes('ready') ? resolve() : undefined));
            child.once('exit', (code) => reject(new Error(`worker ${id} exited early (${code})`)));
          }),
      ),
    );
  } catch (error) {
    kill();
    throw error;
  }
  return {
    children,
    kill,
    stop: () =>
      Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              c.removeAllListeners('exit');
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.on('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      ).then(() => undefined),
  };
}
