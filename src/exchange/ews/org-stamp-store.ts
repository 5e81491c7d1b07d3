import { isAppError } from '../../errors.ts';
import type { EwsClient } from './client.ts';
import { CreateUserConfiguration } from './operations/create-user-configuration.ts';
import { GetUserConfiguration } from './operations/get-user-configuration.ts';
import { UpdateUserConfiguration } from './operations/update-user-configuration.ts';
import type { FolderTarget } from './schema/folder-id.ts';

/**
 * The CRM org that owns a mailbox, kept in a user configuration object (a hidden FAI item) on the
 * mailbox root, where users and mail clients never see or move it. Two orgs syncing one mailbox
 * is then detected by whichever comes second.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/user-configuration-objects-and-ews-in-exchange
 */
export const ORG_STAMP_NAME = 'Dovetail.OrgStamp';
const folder: FolderTarget = { distinguished: 'root' };
const KEY = 'OrgId';

export class OrgStampStore {
  readonly #client: EwsClient;
  constructor(client: EwsClient) {
    this.#client = client;
  }

  async get(mailbox: string): Promise<string | null> {
    try {
      const c = await this.#client.call(GetUserConfiguration, { name: ORG_STAMP_NAME, folder, properties: 'Dictionary' }, { mailbox });
      return c.dictionary?.[KEY]?.Value ?? null;
    } catch (e) {
      if (isAppError(e) && e.kind === 'not-found') return null;
      throw e;
    }
  }

  async set(mailbox: string, orgId: string): Promise<void> {
    const config = { name: ORG_STAMP_NAME, folder, dictionary: { [KEY]: { Type: 'String' as const, Value: orgId } } };
    try {
      await this.#client.call(UpdateUserConfiguration, config, { mailbox });
    } catch (e) {
      if (!(isAppError(e) && e.kind === 'not-found')) throw e;
      await this.#client.call(CreateUserConfiguration, config, { mailbox });
    }
  }
}
