/**
 * What the ACT crash tests share: the Exchange lab (EWS) in this process, a PostgreSQL database
 * with one user mailbox ready for ACT, and worker processes (act-crash-child.ts) that SIGKILL
 * themselves at a named step.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { systemClock, systemRandom } from '../../src/clock.ts';
import type { ActKind } from '../../src/exchange/driver.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { createSealer, keyringOf, secretKey } from '../../src/store/sealing.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { actDb, type ActDatabase } from '../../src/sync/act/act-tables.ts';
import { projectRoot } from '../support/env.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { createProfile } from '../sync/fixtures.ts';

export const ALEX = 'alex.wilber@contoso.lab';
const table = { appointment: 'appointments', task: 'tasks', contact: 'contacts' } as const;

export type ActCrash = {
  lab: LabHandle;
  withDb<T>(fn: (db: Kysely<ActDatabase>, store: Store) => Promise<T>): Promise<T>;
  child(killAt?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Kill at `step`, then let a fresh process repair. */
  crashThenRepair(step: string): Promise<void>;
  insert(kind: 'task' | 'contact', values: Record<string, unknown>): Promise<string>;
  /** Every link ended linked, and Exchange, the CRM and the links count the same items. */
  assertNoDuplicates(kind: 'task' | 'contact'): Promise<void>;
  close(): Promise<void>;
};

export async function openActCrash(): Promise<ActCrash> {
  const lab = await startLab({ authSchemes: ['NTLM'] });
  const pg = await createTestDatabase('dovetail_act_crash');
  const key = randomBytes(32);
  const sealer = createSealer(keyringOf(secretKey(key)), systemRandom);
  const withDb = async <T>(fn: (db: Kysely<ActDatabase>, store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ target: { engine: 'postgres', url: pg.url, poolSize: 2 }, clock: systemClock, random: systemRandom, sealer });
    try {
      return await fn(actDb(store.kysely), store);
    } finally {
      await store.close();
    }
  };
  const { mailboxId, userId } = await withDb(async (_db, store) => {
    const profile = await createProfile(store);
    const user = await store.users.create({ fullName: 'Alex Wilber', emailAddress: ALEX });
    const m = await store.mailboxes.create({ ownerType: 'user', ownerId: user.id, emailAddress: ALEX, profileId: profile.id, incomingMethod: 'none', outgoingMethod: 'none', actMethod: 'server-side-sync', approval: 'approved', incomingEnabled: false, outgoingEnabled: false, actEnabled: true });
    return { mailboxId: m.id, userId: user.id };
  });
  const child: ActCrash['child'] = (killAt) =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/act/act-crash-child.ts')], {
        cwd: projectRoot,
        env: { ...process.env, CHILD_DB: pg.url, CHILD_SECRET_KEY: key.toString('hex'), CHILD_EWS_URL: lab.ewsUrl, CHILD_CA_PEM: lab.caCertPem, CHILD_MAILBOX_ID: mailboxId, ...(killAt === undefined ? {} : { DOVETAIL_TEST_KILL_AT: killAt }) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('error', reject);
      p.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr });
      });
    });
  return {
    lab,
    withDb,
    child,
    async crashThenRepair(step) {
      const killed = await child(step);
      assert.equal(killed.signal, 'SIGKILL', `the worker reached ${step}: ${killed.stderr}`);
      const repaired = await child();
      assert.equal(repaired.code, 0, repaired.stderr);
    },
    insert: (kind, values) =>
      withDb(async (db) => {
        const id = systemRandom.uuid();
        const now = new Date(systemClock.now());
        const base: Record<string, unknown> = kind === 'task' ? { subject: '', body: '', status: 'not-started', priority: 'normal', percent_complete: 0 } : { first_name: '', last_name: '', full_name: '', email_addresses: '[]', job_title: '', phone: '' };
        await db
          .insertInto(table[kind] as 'tasks')
          .values({ id, owner_user_id: userId, created_at: now, updated_at: now, ...base, ...values } as never)
          .execute();
        return id;
      }),
    async assertNoDuplicates(kind: ActKind & ('task' | 'contact')) {
      const items = lab.api.items(ALEX, kind === 'task' ? 'tasks' : 'contacts');
      await withDb(async (db) => {
        const links = await db.selectFrom('act_links').selectAll().where('mailbox_id', '=', mailboxId).where('kind', '=', kind).execute();
        for (const l of links) assert.equal(l.state, 'linked', `${kind} ${l.crm_id} ended linked`);
        assert.equal(new Set(links.map((l) => l.remote_id)).size, links.length);
        assert.equal(items.length, links.length, `${kind}s in Exchange: ${items.length}, links: ${links.length}`);
        const rows = await db.selectFrom(table[kind] as 'tasks').select('id').execute();
        assert.equal(rows.length, links.length, `${kind}s in the CRM: ${rows.length}, links: ${links.length}`);
      });
    },
    async close() {
      await lab.close();
      await pg.drop();
    },
  };
}
