/** Org email settings: read by anyone with a token, changed by administrators. */
import { validateOrgEmailSettings, type OrgEmailSettings, type OrgEmailSettingsPatch } from '../domain/settings.ts';
import { notFound } from '../store/repositories/repo-deps.ts';
import { audited, requireAdministrator, type UseCaseContext } from './context.ts';

export async function getOrgEmailSettings(ctx: UseCaseContext): Promise<OrgEmailSettings> {
  return ctx.store.settings.get();
}

export async function updateOrgEmailSettings(ctx: UseCaseContext, patch: OrgEmailSettingsPatch): Promise<OrgEmailSettings> {
  requireAdministrator(ctx);
  return audited(ctx, { action: 'settings.update', entityType: 'settings', entityId: () => 'org', changes: () => ({ ...patch }) }, async (tx) => {
    const current = await tx.settings.get();
    const next: OrgEmailSettings = {
      ...current,
      ...patch,
      trackingTokenFormat: { ...current.trackingTokenFormat, ...(patch.trackingTokenFormat ?? {}) },
    };
    const err = validateOrgEmailSettings(next);
    if (err !== undefined) throw err;
    if (next.defaultProfileId !== null && (await tx.profiles.get(next.defaultProfileId)) === undefined) {
      throw notFound('email server profile', next.defaultProfileId);
    }
    // The profile marked "default for new mailboxes" follows (see use-cases/profiles.ts).
    if (next.defaultProfileId !== current.defaultProfileId) await tx.profiles.setDefault(next.defaultProfileId);
    return tx.settings.save(next);
  });
}
