/**
 * A store with one user mailbox ready for appointments, contacts and tasks sync against a given
 * MailboxDriver, and helpers to edit the CRM side and run ACT cycles as the worker would.
 */
import { systemClock } from '../../src/clock.ts';
import { seededRandom } from '../../src/clock.ts';
import type { ActKind, MailboxDriver } from '../../src/exchange/driver.ts';
import { defaultEngineOptions, silentLog, type EngineDeps } from '../../src/sync/engine-deps.ts';
import { actDb, type ActDatabase } from '../../src/sync/act/act-tables.ts';
import { claimDueAct, runActLease } from '../../src/sync/act/act-runner.ts';
import type { ActRun } from '../../src/sync/act/act-pipeline.ts';
import type { Kysely } from 'kysely';
import { openTestStore, type TestStore } from '../foundation/test-store.ts';
import { createProfile } from '../sync/fixtures.ts';

export type ActHarness = TestStore & {
  db: Kysely<ActDatabase>;
  deps: EngineDeps;
  mailboxId: string;
  userId: string;
  orgId: string;
  cycle(): Promise<ActRun>;
  links(kind: ActKind): Promise<Array<{ crm_id: string; remote_id: string | null; state: string; conflict: string[] | null }>>;
  insert(kind: ActKind, values: Record<string, unknown>): Promise<string>;
  update(kind: ActKind, id: string, values: Record<string, unknown>): Promise<void>;
  row(kind: ActKind, id: string): Promise<Record<string, unknown> | undefined>;
  rows(kind: ActKind): Promise<Array<Record<string, unknown>>>;
};

const table = { appointment: 'appointments', task: 'tasks', contact: 'contacts' } as const;

export async function openActHarness(driver: MailboxDriver, address: string, options: { reached?: (step: string) => void } = {}): Promise<ActHarness> {
  const t = await openTestStore('pglite');
  // Exchange stamps edits with its own clock: keep the CRM's close to it so "newest" compares like with like.
  t.clock.set(systemClock.now());
  const store = t.store;
  const profile = await createProfile(store);
  const user = await store.users.create({ fullName: 'Alex Wilber', emailAddress: address });
  const mailbox = await store.mailboxes.create({ ownerType: 'user', ownerId: user.id, emailAddress: address, profileId: profile.id, incomingMethod: 'none', outgoingMethod: 'none', actMethod: 'server-side-sync', approval: 'approved', incomingEnabled: false, outgoingEnabled: false, actEnabled: true });
  const db = actDb(store.kysely);
  const random = seededRandom(5);
  const deps: EngineDeps = {
    store,
    clock: t.clock,
    random,
    openDriver: () => driver,
    workerId: 'act-test',
    log: silentLog,
    options: { ...defaultEngineOptions, pageSize: 20 },
    ...(options.reached === undefined ? {} : { reached: options.reached }),
  };
  const orgId = (await store.settings.get()).orgId;
  let serial = 0;
  const h: ActHarness = {
    ...t,
    db,
    deps,
    mailboxId: mailbox.id,
    userId: user.id,
    orgId,
    async cycle() {
      t.clock.set(Math.max(t.clock.now() + 1_000, systemClock.now()));
      await db.updateTable('mailboxes').set({ next_act_at: new Date(t.clock.now()), lease_expires_at: null }).where('id', '=', mailbox.id).execute();
      const [lease] = await claimDueAct(deps, 1, mailbox.id);
      if (lease === undefined) throw new Error('the mailbox was not claimed');
      const run = await runActLease(deps, lease);
      if (run === null) throw new Error('the ACT run failed');
      return run;
    },
    async links(kind) {
      return db.selectFrom('act_links').select(['crm_id', 'remote_id', 'state', 'conflict']).where('mailbox_id', '=', mailbox.id).where('kind', '=', kind).execute();
    },
    async insert(kind, values) {
      const id = random.uuid();
      const now = new Date(t.clock.now() + ++serial);
      const base: Record<string, unknown> =
        kind === 'contact'
          ? { first_name: '', last_name: '', full_name: '', email_addresses: '[]', job_title: '', phone: '' }
          : kind === 'task'
            ? { subject: '', body: '', status: 'not-started', priority: 'normal', percent_complete: 0, mailbox_id: null }
            : { subject: '', body: '', location: '', is_all_day: false, status: 'scheduled', parties: '[]', mailbox_id: null };
      await db
        .insertInto(table[kind] as 'tasks')
        .values({ id, owner_user_id: user.id, created_at: now, updated_at: now, ...base, ...values } as never)
        .execute();
      return id;
    },
    async update(kind, id, values) {
      t.clock.advance(1_000);
      await db.updateTable(table[kind] as 'tasks').set({ ...values, updated_at: new Date(Math.max(t.clock.now(), systemClock.now())) } as never).where('id', '=', id).execute();
    },
    async row(kind, id) {
      return (await db.selectFrom(table[kind] as 'tasks').selectAll().where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
    },
    async rows(kind) {
      return (await db.selectFrom(table[kind] as 'tasks').selectAll().execute()) as Array<Record<string, unknown>>;
    },
  };
  return h;
}
