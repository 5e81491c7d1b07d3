/**
 * Mailboxes: configuration by administrators (and by owners for their own mailbox), the bulk
 * actions of the Dynamics mailbox list (edit several, apply default email settings, approve,
 * reject, test & enable), each returning one result per mailbox in input order.
 */
import { AppError, toError } from '../errors.ts';
import {
  applyDefaultEmailSettings as defaultSettingsPatch,
  newMailboxConfig,
  validateMailboxConfig,
  type Mailbox,
  type MailboxInput,
  type MailboxPatch,
} from '../domain/mailbox.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import type { MailboxFilter } from '../store/repositories/mailbox-repository.ts';
import type { Repositories } from '../store/store.ts';
import { audited, requireAdministrator, requireMailboxAccess, requireMailboxRead, type UseCaseContext } from './context.ts';

export type MailboxResult = { id: string; ok: true; mailbox: Mailbox } | { id: string; ok: false; error: { code: string; message: string } };

/** Every mailbox matching the filter; a mailbox owner gets only its own (one at most). */
export async function listMailboxes(ctx: UseCaseContext, filter: MailboxFilter = {}): Promise<Mailbox[]> {
  const p = ctx.principal;
  if (p.role !== 'mailbox-owner') return ctx.store.mailboxes.list(filter);
  if (p.userId === null) return [];
  if ((filter.ownerType !== undefined && filter.ownerType !== 'user') || (filter.ownerId !== undefined && filter.ownerId !== p.userId)) return [];
  return ctx.store.mailboxes.list({ ...filter, ownerType: 'user', ownerId: p.userId });
}

/** One mailbox; a mailbox owner may read only its own (403 for another user's). */
export async function getMailbox(ctx: UseCaseContext, id: string): Promise<Mailbox> {
  const m = await ctx.store.mailboxes.require(id);
  requireMailboxRead(ctx, m);
  return m;
}

/**
 * The mailboxes the caller may see: 'all', or the ids of a mailbox owner's own. For routes
 * whose records belong to mailboxes (failures, jobs, emails) to keep to what the caller sees.
 */
export async function visibleMailboxIds(ctx: UseCaseContext): Promise<'all' | ReadonlySet<string>> {
  if (ctx.principal.role !== 'mailbox-owner') return 'all';
  return new Set((await listMailboxes(ctx)).map((m) => m.id));
}

async function checkReferences(tx: Repositories, m: { ownerType: string; ownerId: string; profileId: string | null }): Promise<void> {
  const owner = m.ownerType === 'user' ? await tx.users.get(m.ownerId) : await tx.queues.get(m.ownerId);
  if (owner === undefined) throw notFound(m.ownerType, m.ownerId);
  if (m.profileId !== null && (await tx.profiles.get(m.profileId)) === undefined) throw notFound('email server profile', m.profileId);
}

export async function createMailbox(ctx: UseCaseContext, input: MailboxInput): Promise<Mailbox> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'mailbox.create', entityType: 'mailbox', entityId: (m) => m.id, changes: () => ({ ...input }) }, async (tx) => {
    const config = newMailboxConfig(input, await tx.settings.get());
    const err = validateMailboxConfig(config);
    if (err !== undefined) throw err;
    await checkReferences(tx, config);
    return tx.mailboxes.create(config);
  });
}

/** Applies a patch to one mailbox inside tx: access, validation, references. */
async function patchOne(ctx: UseCaseContext, tx: Repositories, id: string, patch: MailboxPatch): Promise<Mailbox> {
  const current = await tx.mailboxes.get(id);
  if (current === undefined) throw notFound('mailbox', id);
  requireMailboxAccess(ctx, current);
  if (patch.approval !== undefined && patch.approval !== current.approval) requireAdministrator(ctx);
  const next = { ...current, ...patch };
  const err = validateMailboxConfig(next);
  if (err !== undefined) throw err;
  await checkReferences(tx, next);
  return tx.mailboxes.update(id, patch);
}

export async function updateMailbox(ctx: UseCaseContext, id: string, patch: MailboxPatch): Promise<Mailbox> {
  return audited(ctx, { action: 'mailbox.update', entityType: 'mailbox', entityId: () => id, changes: () => ({ ...patch }) }, (tx) => patchOne(ctx, tx, id, patch));
}

export async function deleteMailbox(ctx: UseCaseContext, id: string): Promise<void> {
  requireAdministrator(ctx);
  await audited(ctx, { action: 'mailbox.delete', entityType: 'mailbox', entityId: () => id }, async (tx) => {
    if (!(await tx.mailboxes.delete(id))) throw notFound('mailbox', id);
  });
}

/** Runs one audited change per mailbox; a failing mailbox is reported and the others still change. */
async function eachMailbox(
  ctx: UseCaseContext,
  ids: ReadonlyArray<string>,
  action: string,
  change: (tx: Repositories, id: string) => Promise<{ mailbox: Mailbox; changes: Record<string, unknown> }>,
): Promise<MailboxResult[]> {
  const results: MailboxResult[] = [];
  for (const id of ids) {
    try {
      let changes: Record<string, unknown> = {};
      const mailbox = await audited(ctx, { action, entityType: 'mailbox', entityId: () => id, changes: () => changes }, async (tx) => {
        const r = await change(tx, id);
        changes = r.changes;
        return r.mailbox;
      });
      results.push({ id, ok: true, mailbox });
    } catch (e) {
      const error = toError(e);
      results.push({ id, ok: false, error: { code: error instanceof AppError ? error.code : 'internal_error', message: error instanceof AppError ? error.message : 'unexpected error' } });
    }
  }
  return results;
}

/** "Edit" on several selected mailboxes (Dynamics "Change Multiple Records"). */
export async function bulkUpdateMailboxes(ctx: UseCaseContext, ids: ReadonlyArray<string>, patch: MailboxPatch): Promise<MailboxResult[]> {
  return eachMailbox(ctx, ids, 'mailbox.bulk-update', async (tx, id) => ({ mailbox: await patchOne(ctx, tx, id, patch), changes: { ...patch } }));
}

/**
 * "Apply Default Email Settings": the org's default profile and delivery methods replace the
 * mailbox's; by default the mailbox is then queued for test & enable, as Dynamics does on OK.
 */
export async function applyDefaultEmailSettings(ctx: UseCaseContext, ids: ReadonlyArray<string>, options: { testAndEnable?: boolean } = {}): Promise<MailboxResult[]> {
  requireAdministrator(ctx);
  const test = options.testAndEnable ?? true;
  return eachMailbox(ctx, ids, 'mailbox.apply-default-settings', async (tx, id) => {
    const patch = defaultSettingsPatch(await tx.settings.get());
    const mailbox = await patchOne(ctx, tx, id, patch);
    if (test) await tx.mailboxes.saveSyncState(id, { nextTestAt: new Date(ctx.clock.now()).toISOString() });
    return { mailbox: test ? await tx.mailboxes.require(id) : mailbox, changes: { ...patch, testAndEnable: test } };
  });
}

export async function setMailboxApproval(ctx: UseCaseContext, ids: ReadonlyArray<string>, approval: 'approved' | 'rejected' | 'pending'): Promise<MailboxResult[]> {
  requireAdministrator(ctx);
  return eachMailbox(ctx, ids, `mailbox.${approval === 'approved' ? 'approve' : approval === 'rejected' ? 'reject' : 'request-approval'}`, async (tx, id) => ({
    mailbox: await patchOne(ctx, tx, id, { approval }),
    changes: { approval },
  }));
}

/** Queues "Test & Enable Mailboxes": the sync engine's test pipeline picks them up when due. */
export async function requestTestAndEnable(ctx: UseCaseContext, ids: ReadonlyArray<string>): Promise<MailboxResult[]> {
  return eachMailbox(ctx, ids, 'mailbox.test-and-enable', async (tx, id) => {
    const current = await tx.mailboxes.get(id);
    if (current === undefined) throw notFound('mailbox', id);
    requireMailboxAccess(ctx, current);
    await tx.mailboxes.saveSyncState(id, { nextTestAt: new Date(ctx.clock.now()).toISOString() });
    return { mailbox: await tx.mailboxes.require(id), changes: { nextTestAt: 'now' } };
  });
}
