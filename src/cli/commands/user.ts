/** dovetail user create|list|show|update|delete (create also makes the user's mailbox); update --track-emails. */
import type { Command } from 'commander';
import { OWNER_TRACK_EMAIL_OPTIONS, type User, type UserInput } from '../../domain/party.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../use-cases/parties.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';

/** --track-emails of user and queue update: which incoming email the mailbox tracks; 'org' goes back to the org's setting. */
export const trackEmailsFlag = {
  flags: '--track-emails <option>',
  description: `which incoming email the mailbox tracks: ${OWNER_TRACK_EMAIL_OPTIONS.join(', ')}, or 'org' to follow the org's email settings`,
  field: 'trackEmails',
  parse: (v: string) => (v === 'org' ? null : v),
};

export function register(program: Command, cli: CliContext): void {
  registerCrud<User>(program, cli, {
    noun: 'user',
    description: 'CRM users (each owns at most one mailbox)',
    list: listUsers,
    show: getUser,
    create: (ctx, input) => createUser(ctx, input as UserInput & { createMailbox?: boolean }),
    update: (ctx, id, patch) => updateUser(ctx, id, patch as Partial<UserInput>),
    remove: deleteUser,
    line: (u) => `${u.id}  ${u.fullName}  <${u.emailAddress}>  tracks ${u.trackEmails ?? 'as the org'}`,
    updateFlags: [trackEmailsFlag],
  });
}
