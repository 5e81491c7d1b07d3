/**
 * Users and queues: the CRM identities that own mailboxes. Deleting one deletes its mailbox.
 * Each may choose which incoming email its mailbox tracks (trackEmails); null follows the org.
 */
import { validateQueue, validateUser, type Queue, type QueueInput, type User, type UserInput } from '../domain/party.ts';
import type { Mailbox } from '../domain/mailbox.ts';
import { newMailboxConfig, validateMailboxConfig } from '../domain/mailbox.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import type { Repositories } from '../store/store.ts';
import { audited, requireAdministrator, type UseCaseContext } from './context.ts';

export async function listUsers(ctx: UseCaseContext): Promise<User[]> {
  return ctx.store.users.list();
}
export async function getUser(ctx: UseCaseContext, id: string): Promise<User> {
  return ctx.store.users.require(id);
}

/** Creates a user and, unless told not to, its mailbox with the org's default email settings. */
export async function createUser(ctx: UseCaseContext, input: UserInput & { createMailbox?: boolean }): Promise<User & { mailboxId: string | null }> {
  requireAdministrator(ctx);
  const { createMailbox = true, ...fields } = input;
  const err = validateUser(fields);
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'user.create', entityType: 'user', entityId: (u) => u.id, changes: () => ({ ...input }) }, async (tx) => {
    const user = await tx.users.create(fields);
    const mailbox = createMailbox ? await createOwnerMailbox(tx, 'user', user.id, user.emailAddress) : null;
    return { ...user, mailboxId: mailbox?.id ?? null };
  });
}

export async function createOwnerMailbox(tx: Repositories, ownerType: 'user' | 'queue', ownerId: string, emailAddress: string): Promise<Mailbox> {
  const config = newMailboxConfig({ ownerType, ownerId, emailAddress }, await tx.settings.get());
  const err = validateMailboxConfig(config);
  if (err !== undefined) throw err;
  return tx.mailboxes.create(config);
}

export async function updateUser(ctx: UseCaseContext, id: string, patch: Partial<UserInput>): Promise<User> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'user.update', entityType: 'user', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    const current = await tx.users.get(id);
    if (current === undefined) throw notFound('user', id);
    // trackEmails: absent keeps it, null goes back to following the org's email settings.
    const next = { fullName: patch.fullName ?? current.fullName, emailAddress: patch.emailAddress ?? current.emailAddress, trackEmails: patch.trackEmails === undefined ? current.trackEmails : patch.trackEmails };
    const err = validateUser(next);
    if (err !== undefined) throw err;
    return tx.users.update(id, next);
  });
}

export async function deleteUser(ctx: UseCaseContext, id: string): Promise<void> {
  requireAdministrator(ctx);
  await audited(ctx, { action: 'user.delete', entityType: 'user', entityId: () => id }, async (tx) => {
    const mailbox = await tx.mailboxes.findByOwner('user', id);
    if (mailbox !== undefined) await tx.mailboxes.delete(mailbox.id);
    if (!(await tx.users.delete(id))) throw notFound('user', id);
  });
}

export async function listQueues(ctx: UseCaseContext): Promise<Queue[]> {
  return ctx.store.queues.list();
}
export async function getQueue(ctx: UseCaseContext, id: string): Promise<Queue> {
  return ctx.store.queues.require(id);
}

export async function createQueue(ctx: UseCaseContext, input: QueueInput & { createMailbox?: boolean }): Promise<Queue & { mailboxId: string | null }> {
  requireAdministrator(ctx);
  const { createMailbox = true, ...fields } = input;
  const err = validateQueue(fields);
  if (err !== undefined) throw err;
  return audited(ctx, { action: 'queue.create', entityType: 'queue', entityId: (q) => q.id, changes: () => ({ ...input }) }, async (tx) => {
    const queue = await tx.queues.create(fields);
    const mailbox = createMailbox ? await createOwnerMailbox(tx, 'queue', queue.id, queue.emailAddress) : null;
    return { ...queue, mailboxId: mailbox?.id ?? null };
  });
}

export async function updateQueue(ctx: UseCaseContext, id: string, patch: Partial<QueueInput>): Promise<Queue> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'queue.update', entityType: 'queue', entityId: () => id, changes: () => ({ ...patch }) }, async (tx) => {
    const current = await tx.queues.get(id);
    if (current === undefined) throw notFound('queue', id);
    const next = { name: patch.name ?? current.name, emailAddress: patch.emailAddress ?? current.emailAddress, trackEmails: patch.trackEmails === undefined ? current.trackEmails : patch.trackEmails };
    const err = validateQueue(next);
    if (err !== undefined) throw err;
    return tx.queues.update(id, next);
  });
}

export async function deleteQueue(ctx: UseCaseContext, id: string): Promise<void> {
  requireAdministrator(ctx);
  await audited(ctx, { action: 'queue.delete', entityType: 'queue', entityId: () => id }, async (tx) => {
    const mailbox = await tx.mailboxes.findByOwner('queue', id);
    if (mailbox !== undefined) await tx.mailboxes.delete(mailbox.id);
    if (!(await tx.queues.delete(id))) throw notFound('queue', id);
  });
}
