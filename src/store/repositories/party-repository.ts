/** Users and queues: the owners of mailboxes. */
import { OWNER_TRACKING_RULE, trackEmailsFromRule, type Queue, type QueueInput, type User, type UserInput } from '../../domain/party.ts';
import { iso, type Executor } from '../database.ts';
import { mapConstraint, notFound, nowDate, type RepoDeps } from './repo-deps.ts';

export type UserRepository = ReturnType<typeof userRepository>;
export type QueueRepository = ReturnType<typeof queueRepository>;

type Row = { id: string; email_address: string; track_emails: string | null; created_at: Date; updated_at: Date };

/** The column's value for an input: the tracking rule, null to follow the org, undefined to leave it. */
const ruleOf = (input: { trackEmails?: UserInput['trackEmails'] }) =>
  input.trackEmails === undefined ? {} : { track_emails: input.trackEmails === null ? null : OWNER_TRACKING_RULE[input.trackEmails] };

export function userRepository(db: Executor, deps: RepoDeps) {
  const toUser = (r: Row & { full_name: string }): User => ({
    id: r.id,
    fullName: r.full_name,
    emailAddress: r.email_address,
    trackEmails: trackEmailsFromRule(r.track_emails),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  });
  return {
    async create(input: UserInput): Promise<User> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await mapConstraint('user', () =>
        db.insertInto('users').values({ id, full_name: input.fullName, email_address: input.emailAddress, ...ruleOf(input), created_at: now, updated_at: now }).execute(),
      );
      return (await this.get(id))!;
    },
    async update(id: string, input: UserInput): Promise<User> {
      const r = await mapConstraint('user', () =>
        db.updateTable('users').set({ full_name: input.fullName, email_address: input.emailAddress, ...ruleOf(input), updated_at: nowDate(deps) }).where('id', '=', id).executeTakeFirst(),
      );
      if (r.numUpdatedRows === 0n) throw notFound('user', id);
      return (await this.get(id))!;
    },
    async get(id: string): Promise<User | undefined> {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toUser(r);
    },
    async require(id: string): Promise<User> {
      const u = await this.get(id);
      if (u === undefined) throw notFound('user', id);
      return u;
    },
    async findByEmail(address: string): Promise<User | undefined> {
      const r = await db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email_address']), '=', address.toLowerCase())).executeTakeFirst();
      return r === undefined ? undefined : toUser(r);
    },
    async list(): Promise<User[]> {
      return (await db.selectFrom('users').selectAll().orderBy('full_name').execute()).map(toUser);
    },
    async delete(id: string): Promise<boolean> {
      const r = await mapConstraint('user', () => db.deleteFrom('users').where('id', '=', id).executeTakeFirst());
      return r.numDeletedRows > 0n;
    },
  };
}

export function queueRepository(db: Executor, deps: RepoDeps) {
  const toQueue = (r: Row & { name: string }): Queue => ({
    id: r.id,
    name: r.name,
    emailAddress: r.email_address,
    trackEmails: trackEmailsFromRule(r.track_emails),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  });
  return {
    async create(input: QueueInput): Promise<Queue> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await mapConstraint('queue', () =>
        db.insertInto('queues').values({ id, name: input.name, email_address: input.emailAddress, ...ruleOf(input), created_at: now, updated_at: now }).execute(),
      );
      return (await this.get(id))!;
    },
    async update(id: string, input: QueueInput): Promise<Queue> {
      const r = await mapConstraint('queue', () =>
        db.updateTable('queues').set({ name: input.name, email_address: input.emailAddress, ...ruleOf(input), updated_at: nowDate(deps) }).where('id', '=', id).executeTakeFirst(),
      );
      if (r.numUpdatedRows === 0n) throw notFound('queue', id);
      return (await this.get(id))!;
    },
    async get(id: string): Promise<Queue | undefined> {
      const r = await db.selectFrom('queues').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toQueue(r);
    },
    async require(id: string): Promise<Queue> {
      const q = await this.get(id);
      if (q === undefined) throw notFound('queue', id);
      return q;
    },
    async findByEmail(address: string): Promise<Queue | undefined> {
      const r = await db.selectFrom('queues').selectAll().where((eb) => eb(eb.fn('lower', ['email_address']), '=', address.toLowerCase())).executeTakeFirst();
      return r === undefined ? undefined : toQueue(r);
    },
    async list(): Promise<Queue[]> {
      return (await db.selectFrom('queues').selectAll().orderBy('name').execute()).map(toQueue);
    },
    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('queues').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
