/**
 * "Who am I" for the caller of the API: the token's name and role, and for a mailbox-owner
 * token the user it belongs to and that user's mailboxes, so a client can show the role and
 * offer only what the role may do.
 */
import type { TokenRole } from '../domain/api-token.ts';
import { listMailboxes } from './mailboxes.ts';
import type { UseCaseContext } from './context.ts';

export type Me = {
  /** The API token's id, or null when the caller is not a token (the command line). */
  tokenId: string | null;
  name: string;
  role: TokenRole;
  user: { id: string; fullName: string; emailAddress: string } | null;
  /** The mailboxes this caller may act on as their owner (empty for administrators and read-only tokens, who see all). */
  mailboxes: Array<{ id: string; emailAddress: string }>;
};

export async function whoAmI(ctx: UseCaseContext): Promise<Me> {
  const p = ctx.principal;
  const user = p.userId === null ? undefined : await ctx.store.users.get(p.userId);
  const mailboxes = p.role === 'mailbox-owner' ? await listMailboxes(ctx) : [];
  return {
    tokenId: p.actor.type === 'token' ? p.actor.id : null,
    name: p.actor.name,
    role: p.role,
    user: user === undefined ? null : { id: user.id, fullName: user.fullName, emailAddress: user.emailAddress },
    mailboxes: mailboxes.map((m) => ({ id: m.id, emailAddress: m.emailAddress })),
  };
}
