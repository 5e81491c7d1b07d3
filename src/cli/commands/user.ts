/** dovetail user create|list|show|update|delete (create also makes the user's mailbox). */
import type { Command } from 'commander';
import type { User, UserInput } from '../../domain/party.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../use-cases/parties.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';

export function register(program: Command, cli: CliContext): void {
  registerCrud<User>(program, cli, {
    noun: 'user',
    description: 'CRM users (each owns at most one mailbox)',
    list: listUsers,
    show: getUser,
    create: (ctx, input) => createUser(ctx, input as UserInput & { createMailbox?: boolean }),
    update: (ctx, id, patch) => updateUser(ctx, id, patch as Partial<UserInput>),
    remove: deleteUser,
    line: (u) => `${u.id}  ${u.fullName}  <${u.emailAddress}>`,
  });
}
