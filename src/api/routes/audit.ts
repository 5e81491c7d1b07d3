/** The audit log of every change made through the API or CLI. */
import { Type } from 'typebox';
import { listAuditEntries } from '../../use-cases/audit-log.ts';
import type { AuditFilter } from '../../store/repositories/audit-repository.ts';
import { AUDITORS } from '../plugins/access.ts';
import { errorResponses } from '../schemas/common.ts';
import { AuditQuery } from '../schemas/records.ts';
import type { RoutePlugin } from './route-plugin.ts';

export const auditRoutes: RoutePlugin = async (app) => {
  app.get('/api/audit', {
    config: { access: AUDITORS },
    schema: { tags: ['audit'], summary: 'List audit entries, newest first', querystring: AuditQuery, response: { 200: Type.Array(Type.Ref('AuditEntry')), ...errorResponses } },
  }, async (request) => listAuditEntries(request.useCases(), request.query as AuditFilter));
};
