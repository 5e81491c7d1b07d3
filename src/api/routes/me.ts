/** Who the caller is: token name, role, and the user and mailboxes a mailbox-owner token belongs to. */
import { Type } from 'typebox';
import { TOKEN_ROLES } from '../../domain/api-token.ts';
import { whoAmI } from '../../use-cases/me.ts';
import { ANY_TOKEN } from '../plugins/access.ts';
import { errorResponses, Nullable } from '../schemas/common.ts';
import type { RoutePlugin } from './route-plugin.ts';

const Me = Type.Object({
  tokenId: Nullable(Type.String()),
  name: Type.String({ description: "The API token's name" }),
  role: Type.Union(TOKEN_ROLES.map((r) => Type.Literal(r))),
  user: Nullable(Type.Object({ id: Type.String(), fullName: Type.String(), emailAddress: Type.String() }), {
    description: 'The user a mailbox-owner token belongs to; null for other roles',
  }),
  mailboxes: Type.Array(Type.Object({ id: Type.String(), emailAddress: Type.String() }), {
    description: "A mailbox owner's own mailboxes, the only ones it sees and acts on; empty for administrators and read-only tokens, which see every mailbox",
  }),
});

export const meRoutes: RoutePlugin = async (app) => {
  app.get('/api/me', {
    config: { access: ANY_TOKEN },
    schema: { tags: ['tokens'], summary: 'Who am I: the calling token, its role, and its user and mailboxes', response: { 200: Me, ...errorResponses } },
  }, async (request) => whoAmI(request.useCases()));
};
