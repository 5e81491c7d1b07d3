/** The single row of org email settings, created with Dynamics' defaults on first read. */
import { defaultOrgEmailSettings, type OrgEmailSettings } from '../../domain/settings.ts';
import { iso, type Executor } from '../database.ts';
import { mapConstraint, nowDate, type RepoDeps } from './repo-deps.ts';

export type SettingsRepository = ReturnType<typeof settingsRepository>;

export function settingsRepository(db: Executor, deps: RepoDeps) {
  return {
    async get(): Promise<OrgEmailSettings> {
      const row = await db.selectFrom('org_email_settings').selectAll().where('id', '=', 1).executeTakeFirst();
      if (row !== undefined) {
        // Settings saved before a field existed take that field's default.
        return { ...defaultOrgEmailSettings('', ''), ...(row.settings as unknown as OrgEmailSettings), defaultProfileId: row.default_profile_id, updatedAt: iso(row.updated_at) };
      }
      const now = nowDate(deps);
      const fresh = defaultOrgEmailSettings(deps.random.uuid(), now.toISOString());
      // Two processes may create the row at once; the loser reads the winner's.
      await db
        .insertInto('org_email_settings')
        .values({ id: 1, default_profile_id: null, settings: JSON.stringify(fresh), updated_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return this.get();
    },
    async save(settings: OrgEmailSettings): Promise<OrgEmailSettings> {
      await this.get();
      const now = nowDate(deps);
      const { defaultProfileId, updatedAt: _ignored, ...rest } = settings;
      await mapConstraint('org email settings', () =>
        db
          .updateTable('org_email_settings')
          .set({ default_profile_id: defaultProfileId, settings: JSON.stringify(rest), updated_at: now })
          .where('id', '=', 1)
          .execute(),
      );
      return this.get();
    },
  };
}
