/**
 * Every route plugin of the admin API, registered in this order by buildApi.
 *
 * Conventions for a route file (one per resource):
 * - export a Fastify plugin `(app, { deps }) => …` typed with RoutePlugin;
 * - every route declares `config: { access }` with a role list from plugins/access.ts (or
 *   'public'); buildApi refuses a route without one, and the role-matrix test covers each;
 * - request and response schemas are TypeBox (schemas/), with `tags` for the OpenAPI document;
 *   responses declare only returnable fields, so secrets cannot be serialized;
 * - handlers call use cases (src/use-cases/) with `request.useCases()`, never the store, so the
 *   CLI gets the same rules, audit and errors; throw AppError, the error plugin shapes the reply.
 * To add a resource: write routes/<resource>.ts, import it here, append it to `routePlugins`.
 */
import type { RoutePlugin } from './route-plugin.ts';
import { alertRoutes } from './alerts.ts';
import { auditRoutes } from './audit.ts';
import { healthRoutes } from './health.ts';
import { mailboxRoutes } from './mailboxes.ts';
import { profileRoutes } from './profiles.ts';
import { profileTestRoutes } from './profile-test.ts';
import { queueRoutes } from './queues.ts';
import { settingsRoutes } from './settings.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';
import { crmActivityRoutes } from './crm-activities.ts';
import { crmEmailRoutes } from './crm-emails.ts';
import { crmRecordRoutes } from './crm-records.ts';
import { syncAdminRoutes } from './sync-admin.ts';
import { actSyncRoutes } from './act-sync.ts';
import { hmaRoutes } from './hma.ts';
import { statsRoutes } from './stats.ts';
import { meRoutes } from './me.ts';

export const routePlugins: ReadonlyArray<RoutePlugin> = [
  healthRoutes,
  profileRoutes,
  profileTestRoutes,
  settingsRoutes,
  userRoutes,
  queueRoutes,
  mailboxRoutes,
  alertRoutes,
  auditRoutes,
  tokenRoutes,
  crmRecordRoutes, crmEmailRoutes, crmActivityRoutes, syncAdminRoutes, actSyncRoutes,
  hmaRoutes,
  meRoutes,
  statsRoutes,
];
