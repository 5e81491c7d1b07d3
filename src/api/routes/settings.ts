/** Org email settings. */
import { Type } from 'typebox';
import type { OrgEmailSettingsPatch } from '../../domain/settings.ts';
import { getOrgEmailSettings, updateOrgEmailSettings } from '../../use-cases/settings.ts';
import { ADMINISTRATOR, ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses } from '../schemas/common.ts';
import { OrgEmailSettingsPatch as PatchSchema } from '../schemas/settings.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['settings'];

export const settingsRoutes: RoutePlugin = async (app) => {
  app.get('/api/settings/email', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show the org email settings', response: { 200: Type.Ref('OrgEmailSettings'), ...errorResponses } },
  }, async (request) => getOrgEmailSettings(request.useCases()));

  app.patch('/api/settings/email', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Change the org email settings', body: PatchSchema, response: { 200: Type.Ref('OrgEmailSettings'), ...errorResponses } },
  }, async (request) => updateOrgEmailSettings(request.useCases(), request.body as OrgEmailSettingsPatch));
};
