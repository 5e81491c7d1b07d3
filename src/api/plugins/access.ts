/**
 * Route access, declared on every route as `config: { access: … }` (a list of roles, or
 * 'public'). buildApi refuses to start if a route forgets it, so no route is ever open by accident.
 */
import type { TokenRole } from '../../domain/api-token.ts';
import type { Principal, UseCaseContext } from '../../use-cases/context.ts';

export type Access = 'public' | ReadonlyArray<TokenRole>;

export const ANY_TOKEN: Access = ['administrator', 'mailbox-owner', 'read-only'];
export const ADMINISTRATOR: Access = ['administrator'];
/** Administrators, and mailbox owners for their own mailbox (the use case checks ownership). */
export const MAILBOX_OWNER: Access = ['administrator', 'mailbox-owner'];
export const AUDITORS: Access = ['administrator', 'read-only'];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The use-case context of this request; throws on public routes. */
    useCases(): UseCaseContext;
  }
}
