import { LabHttpError, type LabRoute } from './lab-route.ts';

/**
 * GET /users/{id | userPrincipalName}: a directory read, so it needs a directory permission, not a
 * mail one, and the directory refuses with its own code (Authorization_RequestDenied).
 */
const directoryRoles = ['User.Read.All', 'User.ReadBasic.All', 'Directory.Read.All'];

export function userRoutes(): LabRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/users\/([^/]+)$/i,
      roles: [],
      mailbox: false,
      handle: (ctx, req, _user, [key]) => {
        if (!directoryRoles.some((role) => req.roles.includes(role))) {
          throw new LabHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
        }
        const name = decodeURIComponent(key!);
        const user = ctx.state.user(name);
        if (user === undefined) {
          throw new LabHttpError(404, 'Request_ResourceNotFound', `Resource '${name}' does not exist or one of its queried reference-property objects are not present.`);
        }
        return {
          status: 200,
          body: {
            '@odata.context': `${ctx.baseUrl()}/v1.0/$metadata#users/$entity`,
            id: user.id,
            displayName: user.displayName,
            mail: user.mail,
            userPrincipalName: user.mail,
          },
        };
      },
    },
  ];
}
