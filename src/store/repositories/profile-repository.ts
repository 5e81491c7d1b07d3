/** Email server profiles. Secrets are sealed on the way in and never leave except through getSecrets. */
import type { Selectable } from 'kysely';
import type { ProfileAuth, ProfileSecretField, ProfileSecrets } from '../../domain/profile-auth.ts';
import type { EmailServerProfile, ProfileFields, ServerType } from '../../domain/profile.ts';
import { iso, isoOrNull, type Executor, type ProfilesTable } from '../database.ts';
import { mapConstraint, notFound, nowDate, type RepoDeps } from './repo-deps.ts';

const SECRET_COLUMNS: Record<ProfileSecretField, 'password_sealed' | 'key_vault_client_secret_sealed' | 'certificate_sealed' | 'certificate_password_sealed'> = {
  password: 'password_sealed',
  keyVaultClientSecret: 'key_vault_client_secret_sealed',
  certificate: 'certificate_sealed',
  certificatePassword: 'certificate_password_sealed',
};

export type ProfileRepository = ReturnType<typeof profileRepository>;

export function profileRepository(db: Executor, deps: RepoDeps) {
  const toColumns = (f: ProfileFields) => ({
    name: f.name,
    description: f.description,
    owner_user_id: f.ownerUserId,
    server_type: f.serverType,
    is_default_for_new_mailboxes: f.isDefaultForNewMailboxes,
    auth_type: f.auth.type,
    auth: JSON.stringify(f.auth),
    autodiscover: f.autodiscover,
    autodiscover_allowed_redirect_domains: JSON.stringify(f.autodiscoverAllowedRedirectDomains),
    incoming_server_url: f.incomingServerUrl,
    outgoing_server_url: f.outgoingServerUrl,
    incoming_port: f.incomingPort,
    outgoing_port: f.outgoingPort,
    trusted_ca_bundle: f.trustedCaBundle,
    process_email_from: f.processEmailFrom,
    minimum_polling_interval_minutes: f.minimumPollingIntervalMinutes,
    maximum_concurrent_connections: f.maximumConcurrentConnections,
    connection_timeout_seconds: f.connectionTimeoutSeconds,
    move_failed_to_undeliverable: f.moveFailedToUndeliverable,
    alert_owner_on_major_events: f.alertOwnerOnMajorEvents,
  });
  const sealedColumns = (secrets: ProfileSecrets) => {
    const out: Partial<Record<(typeof SECRET_COLUMNS)[ProfileSecretField], string | null>> = {};
    for (const [field, column] of Object.entries(SECRET_COLUMNS) as Array<[ProfileSecretField, (typeof SECRET_COLUMNS)[ProfileSecretField]]>) {
      const v = secrets[field];
      if (v !== undefined) out[column] = deps.sealer.seal(v);
    }
    return out;
  };

  return {
    async create(fields: ProfileFields, secrets: ProfileSecrets): Promise<EmailServerProfile> {
      const now = nowDate(deps);
      const id = deps.random.uuid();
      await mapConstraint('email server profile', () =>
        db.insertInto('email_server_profiles').values({ id, ...toColumns(fields), ...sealedColumns(secrets), created_at: now, updated_at: now }).execute(),
      );
      return (await this.get(id))!;
    },

    /** Replaces the settings; secrets given are resealed, those in `clear` are removed, others kept. */
    async update(id: string, fields: ProfileFields, secrets: ProfileSecrets, clear: ReadonlyArray<ProfileSecretField> = []): Promise<EmailServerProfile> {
      const cleared = Object.fromEntries(clear.map((f) => [SECRET_COLUMNS[f], null]));
      const r = await mapConstraint('email server profile', () =>
        db
          .updateTable('email_server_profiles')
          .set({ ...toColumns(fields), ...cleared, ...sealedColumns(secrets), updated_at: nowDate(deps) })
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      if (r.numUpdatedRows === 0n) throw notFound('email server profile', id);
      return (await this.get(id))!;
    },

    async get(id: string): Promise<EmailServerProfile | undefined> {
      const row = await db.selectFrom('email_server_profiles').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toProfile(row);
    },

    async require(id: string): Promise<EmailServerProfile> {
      const p = await this.get(id);
      if (p === undefined) throw notFound('email server profile', id);
      return p;
    },

    async list(): Promise<EmailServerProfile[]> {
      const rows = await db.selectFrom('email_server_profiles').selectAll().orderBy('name').execute();
      return rows.map(toProfile);
    },

    async findDefault(): Promise<EmailServerProfile | undefined> {
      const row = await db.selectFrom('email_server_profiles').selectAll().where('is_default_for_new_mailboxes', '=', true).executeTakeFirst();
      return row === undefined ? undefined : toProfile(row);
    },

    /** Only one profile is the default for new mailboxes; setting one unsets the others. */
    async clearDefaultExcept(id: string | null): Promise<void> {
      let q = db.updateTable('email_server_profiles').set({ is_default_for_new_mailboxes: false }).where('is_default_for_new_mailboxes', '=', true);
      if (id !== null) q = q.where('id', '!=', id);
      await q.execute();
    },

    /** Makes `id` the one default for new mailboxes (null: none). */
    async setDefault(id: string | null): Promise<void> {
      await this.clearDefaultExcept(id);
      if (id !== null) await db.updateTable('email_server_profiles').set({ is_default_for_new_mailboxes: true }).where('id', '=', id).execute();
    },

    async delete(id: string): Promise<boolean> {
      const r = await mapConstraint('email server profile', () => db.deleteFrom('email_server_profiles').where('id', '=', id).executeTakeFirst());
      return r.numDeletedRows > 0n;
    },

    /** The unsealed secrets, for the code that connects to Exchange. Never for API responses. */
    async getSecrets(id: string): Promise<ProfileSecrets> {
      const row = await db
        .selectFrom('email_server_profiles')
        .select(['password_sealed', 'key_vault_client_secret_sealed', 'certificate_sealed', 'certificate_password_sealed'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) throw notFound('email server profile', id);
      const out: ProfileSecrets = {};
      for (const [field, column] of Object.entries(SECRET_COLUMNS) as Array<[ProfileSecretField, (typeof SECRET_COLUMNS)[ProfileSecretField]]>) {
        const v = row[column];
        if (v !== null) out[field] = deps.sealer.open(v);
      }
      return out;
    },
  };
}

function toProfile(r: Selectable<ProfilesTable>): EmailServerProfile {
  const secretsSet = (Object.entries(SECRET_COLUMNS) as Array<[ProfileSecretField, keyof ProfilesTable]>)
    .filter(([, column]) => r[column] !== null)
    .map(([field]) => field);
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    ownerUserId: r.owner_user_id,
    serverType: r.server_type as ServerType,
    isDefaultForNewMailboxes: r.is_default_for_new_mailboxes,
    auth: r.auth as unknown as ProfileAuth,
    secretsSet,
    autodiscover: r.autodiscover,
    autodiscoverAllowedRedirectDomains: r.autodiscover_allowed_redirect_domains,
    incomingServerUrl: r.incoming_server_url,
    outgoingServerUrl: r.outgoing_server_url,
    incomingPort: r.incoming_port,
    outgoingPort: r.outgoing_port,
    trustedCaBundle: r.trusted_ca_bundle,
    processEmailFrom: isoOrNull(r.process_email_from),
    minimumPollingIntervalMinutes: r.minimum_polling_interval_minutes,
    maximumConcurrentConnections: r.maximum_concurrent_connections,
    connectionTimeoutSeconds: r.connection_timeout_seconds,
    moveFailedToUndeliverable: r.move_failed_to_undeliverable,
    alertOwnerOnMajorEvents: r.alert_owner_on_major_events,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}
