import type { FolderRef, RemoteFolderId, WellKnownFolder } from '../../driver.ts';
import type { GraphClient } from '../client.ts';
import { expandProperties, mailboxOrgProperty, propertyValue } from './extensions.ts';
import { arr, seg, str, type Json } from './graph-json.ts';
import { odataString } from './messages.ts';

/**
 * Mail folders: https://learn.microsoft.com/graph/api/resources/mailfolder — well-known names
 * (inbox, sentitems, drafts, deleteditems, msgfolderroot) work wherever a folder id does.
 */
export async function getMailFolder(client: GraphClient, mailbox: string, key: string, wellKnown?: WellKnownFolder): Promise<FolderRef> {
  const response = await client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/mailFolders/${seg(key)}`, query: { $select: 'id,displayName' } });
  return folderRef(response.body as Json, wellKnown);
}

/** Finds a child of the root folder by display name, creating it when missing; a concurrent creation (409) is read back. */
export async function ensureChildFolder(client: GraphClient, mailbox: string, displayName: string): Promise<FolderRef> {
  const find = async (): Promise<FolderRef | undefined> => {
    const response = await client.request({
      method: 'GET',
      mailbox,
      path: `/users/${seg(mailbox)}/mailFolders/msgfolderroot/childFolders`,
      query: { $filter: `displayName eq ${odataString(displayName)}`, $select: 'id,displayName' },
    });
    const first = arr((response.body as Json | undefined)?.['value'])[0];
    return first === undefined ? undefined : folderRef(first);
  };
  const existing = await find();
  if (existing !== undefined) return existing;
  try {
    const created = await client.request({ method: 'POST', mailbox, path: `/users/${seg(mailbox)}/mailFolders/msgfolderroot/childFolders`, body: { displayName } });
    return folderRef(created.body as Json);
  } catch (error) {
    if ((error as { kind?: string }).kind !== 'conflict') throw error;
    const raced = await find();
    if (raced === undefined) throw error;
    return raced;
  }
}

/**
 * The org stamp lives in a single-value extended property of the mailbox's root folder: Mail.ReadWrite
 * (which Dovetail needs anyway) allows it under app-only permissions, and an application access policy
 * scopes it with the mailbox. An open extension on the user would need User.ReadWrite.All, a
 * tenant-wide directory write permission the policy does not scope. See docs/exchange-online.md.
 */
export async function readMailboxOrg(client: GraphClient, mailbox: string): Promise<string | null> {
  const response = await client.request({
    method: 'GET',
    mailbox,
    path: `/users/${seg(mailbox)}/mailFolders/msgfolderroot`,
    query: { $select: 'id', $expand: expandProperties([mailboxOrgProperty]) },
  });
  return propertyValue(response.body as Json, mailboxOrgProperty) ?? null;
}

export async function writeMailboxOrg(client: GraphClient, mailbox: string, orgId: string): Promise<void> {
  await client.request({
    method: 'PATCH',
    mailbox,
    path: `/users/${seg(mailbox)}/mailFolders/msgfolderroot`,
    body: { singleValueExtendedProperties: [{ id: mailboxOrgProperty, value: orgId }] },
  });
}

function folderRef(resource: Json, wellKnown?: WellKnownFolder): FolderRef {
  return {
    id: String(resource['id']) as RemoteFolderId,
    displayName: str(resource['displayName']) ?? '',
    ...(wellKnown === undefined ? {} : { wellKnown }),
  };
}
