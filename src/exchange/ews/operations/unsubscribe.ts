import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { textElement } from '../xml/xml-text.ts';

export type UnsubscribeArgs = { subscriptionId: string };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation */
export const Unsubscribe: Operation<UnsubscribeArgs, void> = {
  name: 'Unsubscribe',
  affinity: true,
  build: (a) => `<m:Unsubscribe>${textElement('m:SubscriptionId', a.subscriptionId)}</m:Unsubscribe>`,
  parse: (env) => {
    single(env, 'Unsubscribe');
  },
};
