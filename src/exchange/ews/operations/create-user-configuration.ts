import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { writeUserConfiguration, type WireUserConfiguration } from '../schema/user-configuration.ts';

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createuserconfiguration-operation */
export const CreateUserConfiguration: Operation<WireUserConfiguration, void> = {
  name: 'CreateUserConfiguration',
  build: (a) => `<m:CreateUserConfiguration>${writeUserConfiguration(a)}</m:CreateUserConfiguration>`,
  parse: (env) => {
    single(env, 'CreateUserConfiguration');
  },
};
