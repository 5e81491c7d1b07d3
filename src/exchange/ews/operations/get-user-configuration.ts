import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import type { FolderTarget } from '../schema/folder-id.ts';
import { readUserConfiguration, writeUserConfigurationName, type WireUserConfiguration } from '../schema/user-configuration.ts';
import { child } from '../xml/xml-reader.ts';

export type GetUserConfigurationArgs = { name: string; folder: FolderTarget; properties: 'Id' | 'Dictionary' | 'XmlData' | 'BinaryData' | 'All' };

/**
 * A missing object fails with ErrorItemNotFound (kind 'not-found'), which callers read as "no stamp yet".
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuserconfiguration-operation
 */
export const GetUserConfiguration: Operation<GetUserConfigurationArgs, WireUserConfiguration> = {
  name: 'GetUserConfiguration',
  build: (a) =>
    `<m:GetUserConfiguration>${writeUserConfigurationName('m:UserConfigurationName', a.name, a.folder)}<m:UserConfigurationProperties>${a.properties}</m:UserConfigurationProperties></m:GetUserConfiguration>`,
  parse: (env, a) => {
    const m = single(env, 'GetUserConfiguration');
    const n = child(m.node, 'UserConfiguration');
    return n ? readUserConfiguration(n, a.folder) : { name: a.name, folder: a.folder };
  },
};
