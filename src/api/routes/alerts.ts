/** Alert walls. */
import { Type } from 'typebox';
import { dismissAlert, listAlerts } from '../../use-cases/alerts.ts';
import type { AlertFilter } from '../../store/repositories/alert-repository.ts';
import { ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { AlertQuery } from '../schemas/records.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['alerts'];

export const alertRoutes: RoutePlugin = async (app) => {
  app.get('/api/alerts', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List alerts, newest first (mailbox owners see their own)', querystring: AlertQuery, response: { 200: Type.Array(Type.Ref('Alert')), ...errorResponses } },
  }, async (request) => listAlerts(request.useCases(), request.query as AlertFilter));

  app.post('/api/alerts/:id/dismiss', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Dismiss an alert', params: IdParams, response: { 200: Type.Ref('Alert'), ...errorResponses } },
  }, async (request) => dismissAlert(request.useCases(), request.params.id));
};
