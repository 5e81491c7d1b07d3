import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { readNotification, type WireNotification } from '../schema/notification.ts';
import { textElement } from '../xml/xml-text.ts';
import { child } from '../xml/xml-reader.ts';

export type GetEventsArgs = { subscriptionId: string; watermark: string };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents-operation */
export const GetEvents: Operation<GetEventsArgs, WireNotification> = {
  name: 'GetEvents',
  affinity: true,
  build: (a) => `<m:GetEvents>${textElement('m:SubscriptionId', a.subscriptionId)}${textElement('m:Watermark', a.watermark)}</m:GetEvents>`,
  parse: (env) => {
    const m = single(env, 'GetEvents');
    const n = child(m.node, 'Notification');
    return n ? readNotification(n) : { SubscriptionId: '', events: [] };
  },
};
