/** dovetail profile create|list|show|update|delete: email server profiles (JSON as in the API). */
import type { Command } from 'commander';
import type { EmailServerProfile, ProfileInput, ProfilePatch } from '../../domain/profile.ts';
import { createProfile, deleteProfile, getProfile, listProfiles, updateProfile } from '../../use-cases/profiles.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';

export function register(program: Command, cli: CliContext): void {
  registerCrud<EmailServerProfile>(program, cli, {
    noun: 'profile',
    description: 'email server profiles: how to reach an Exchange organization',
    list: listProfiles,
    show: getProfile,
    create: (ctx, input) => createProfile(ctx, input as unknown as ProfileInput),
    update: (ctx, id, patch) => updateProfile(ctx, id, patch as unknown as ProfilePatch),
    remove: deleteProfile,
    line: (p) => `${p.id}  ${p.name}  ${p.serverType}  ${p.auth.type}${p.isDefaultForNewMailboxes ? '  (default)' : ''}`,
  });
}
