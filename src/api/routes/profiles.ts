/** Email server profiles. Secret fields are accepted on write and never returned. */
import { Type } from 'typebox';
import type { ProfileInput, ProfilePatch } from '../../domain/profile.ts';
import { createProfile, deleteProfile, getProfile, listProfiles, updateProfile } from '../../use-cases/profiles.ts';
import { ADMINISTRATOR, ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { ProfileCreate, ProfileUpdate } from '../schemas/profile.ts';
import type { RoutePlugin } from './route-plugin.ts';

const tags = ['profiles'];
const ProfileRef = Type.Ref('Profile');

export const profileRoutes: RoutePlugin = async (app) => {
  app.get('/api/profiles', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List email server profiles', response: { 200: Type.Array(ProfileRef), ...errorResponses } },
  }, async (request) => listProfiles(request.useCases()));

  app.post('/api/profiles', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Create an email server profile', body: ProfileCreate, response: { 201: ProfileRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createProfile(request.useCases(), request.body as unknown as ProfileInput)));

  app.get('/api/profiles/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show an email server profile', params: IdParams, response: { 200: ProfileRef, ...errorResponses } },
  }, async (request) => getProfile(request.useCases(), request.params.id));

  app.patch('/api/profiles/:id', {
    config: { access: ADMINISTRATOR },
    schema: {
      tags, summary: 'Change an email server profile (fields left out keep their value; secrets left out are kept)',
      params: IdParams, body: ProfileUpdate, response: { 200: ProfileRef, ...errorResponses },
    },
  }, async (request) => updateProfile(request.useCases(), request.params.id, request.body as unknown as ProfilePatch));

  app.delete('/api/profiles/:id', {
    config: { access: ADMINISTRATOR },
    schema: { tags, summary: 'Delete an email server profile', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteProfile(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });
};
