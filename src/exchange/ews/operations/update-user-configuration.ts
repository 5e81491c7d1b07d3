import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { writeUserConfiguration, type WireUserConfiguration } from '../schema/user-configuration.ts';

/**
 * Replaces the parts given (the whole Dictionary when one is sent).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateuserconfiguration-operation
 */
export const UpdateUserConfiguration: Operation<WireUserConfiguration, void> = {
  name: 'UpdateUserConfiguration',
  build: (a) => `<m:UpdateUserConfiguration>${writeUserConfiguration(a)}</m:UpdateUserConfiguration>`,
  parse: (env) => {
    single(env, 'UpdateUserConfiguration');
  },
};
