import type { GraphClient } from '../client.ts';
import { seg, str, type Json } from './graph-json.ts';

/** GET /users/{id | userPrincipalName} (https://learn.microsoft.com/graph/api/user-get): needs User.Read.All app-only. */
export type DirectoryUser = { id: string; displayName?: string; mail?: string; userPrincipalName?: string };

export async function getUser(client: GraphClient, mailbox: string): Promise<DirectoryUser> {
  const response = await client.request({
    method: 'GET',
    mailbox,
    path: `/users/${seg(mailbox)}`,
    query: { $select: 'id,displayName,mail,userPrincipalName' },
  });
  const body = response.body as Json;
  const displayName = str(body['displayName']);
  const mail = str(body['mail']);
  const upn = str(body['userPrincipalName']);
  return {
    id: String(body['id']),
    ...(displayName === undefined ? {} : { displayName }),
    ...(mail === undefined ? {} : { mail }),
    ...(upn === undefined ? {} : { userPrincipalName: upn }),
  };
}
