/** Email server profiles: create, change, list and delete, with validation and audit. */
import { SECRET_MARK } from '../domain/audit.ts';
import type { ProfileSecretField, ProfileSecrets } from '../domain/profile-auth.ts';
import {
  profileDefaults,
  splitAuthInput,
  validateProfile,
  type EmailServerProfile,
  type ProfileFields,
  type ProfileInput,
  type ProfilePatch,
} from '../domain/profile.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import type { Repositories } from '../store/store.ts';
import { audited, requireAdministrator, type UseCaseContext } from './context.ts';

export async function listProfiles(ctx: UseCaseContext): Promise<EmailServerProfile[]> {
  return ctx.store.profiles.list();
}

export async function getProfile(ctx: UseCaseContext, id: string): Promise<EmailServerProfile> {
  return ctx.store.profiles.require(id);
}

/** What an audit entry shows of a write: the fields sent, secrets only as "set". */
function auditChanges(input: Record<string, unknown>, secrets: ProfileSecrets): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  if (typeof input['auth'] === 'object' && input['auth'] !== null) {
    const auth: Record<string, unknown> = { ...(input['auth'] as Record<string, unknown>) };
    for (const f of Object.keys(secrets)) auth[f] = SECRET_MARK;
    out['auth'] = auth;
  }
  return out;
}

/**
 * "Set as default profile for new mailboxes" and the org email settings' server profile are one
 * setting seen from two places: new user and queue mailboxes, and Apply Default Email Settings,
 * take the org's default profile, so the profile flag moves it.
 */
async function followDefault(tx: Repositories, id: string, isDefault: boolean): Promise<void> {
  const settings = await tx.settings.get();
  if (isDefault && settings.defaultProfileId !== id) await tx.settings.save({ ...settings, defaultProfileId: id });
  if (!isDefault && settings.defaultProfileId === id) await tx.settings.save({ ...settings, defaultProfileId: null });
}

async function saveChecks(tx: Repositories, fields: ProfileFields, secrets: ProfileSecrets, alreadySet: ProfileSecretField[]): Promise<void> {
  const settings = await tx.settings.get();
  const err = validateProfile(fields, secrets, { secretsAlreadySet: new Set(alreadySet), defaultTenantIdSet: settings.defaultExchangeOnlineTenantId !== null });
  if (err !== undefined) throw err;
}

export async function createProfile(ctx: UseCaseContext, input: ProfileInput): Promise<EmailServerProfile> {
  requireAdministrator(ctx);
  const { auth, secrets } = splitAuthInput(input.auth);
  const { auth: _a, ...rest } = input;
  const fields: ProfileFields = { ...profileDefaults(auth), ...rest, auth };
  return audited(
    ctx,
    { action: 'profile.create', entityType: 'profile', entityId: (p) => p.id, changes: () => auditChanges(input, secrets) },
    async (tx) => {
      await saveChecks(tx, fields, secrets, []);
      if (fields.isDefaultForNewMailboxes) await tx.profiles.clearDefaultExcept(null);
      const created = await tx.profiles.create(fields, secrets);
      if (created.isDefaultForNewMailboxes) await followDefault(tx, created.id, true);
      return created;
    },
  );
}

/**
 * Changes a profile. Fields left out keep their value; an `auth` object replaces the auth
 * settings, and its secrets left out are kept while the auth type stays the same.
 */
export async function updateProfile(ctx: UseCaseContext, id: string, patch: ProfilePatch): Promise<EmailServerProfile> {
  requireAdministrator(ctx);
  let secrets: ProfileSecrets = {};
  return audited(
    ctx,
    { action: 'profile.update', entityType: 'profile', entityId: () => id, changes: () => auditChanges(patch, secrets) },
    async (tx) => {
      const current = await tx.profiles.get(id);
      if (current === undefined) throw notFound('email server profile', id);
      const { id: _i, secretsSet, createdAt: _c, updatedAt: _u, ...currentFields } = current;
      let fields: ProfileFields = { ...currentFields };
      let kept: ProfileSecretField[] = secretsSet;
      const { auth: authPatch, ...rest } = patch;
      fields = { ...fields, ...rest };
      if (authPatch !== undefined) {
        const split = splitAuthInput(authPatch);
        secrets = split.secrets;
        const sameShape = split.auth.type === current.auth.type &&
          (split.auth.type !== 'app-certificate' || current.auth.type !== 'app-certificate' || split.auth.certificateSource === current.auth.certificateSource);
        if (!sameShape) kept = [];
        fields = { ...fields, auth: split.auth };
      }
      await saveChecks(tx, fields, secrets, kept);
      const clear = secretsSet.filter((f) => !kept.includes(f) && secrets[f] === undefined);
      if (fields.isDefaultForNewMailboxes && !current.isDefaultForNewMailboxes) await tx.profiles.clearDefaultExcept(id);
      const updated = await tx.profiles.update(id, fields, secrets, clear);
      if (updated.isDefaultForNewMailboxes !== current.isDefaultForNewMailboxes) await followDefault(tx, id, updated.isDefaultForNewMailboxes);
      return updated;
    },
  );
}

export async function deleteProfile(ctx: UseCaseContext, id: string): Promise<void> {
  requireAdministrator(ctx);
  await audited(ctx, { action: 'profile.delete', entityType: 'profile', entityId: () => id }, async (tx) => {
    if (!(await tx.profiles.delete(id))) throw notFound('email server profile', id);
  });
}
