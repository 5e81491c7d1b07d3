import type { StreamingOperation } from '../operation.ts';
import { readNotification, type WireNotification } from '../schema/notification.ts';
import { textElement } from '../xml/xml-text.ts';

export type GetStreamingEventsArgs = { subscriptionIds: string[]; /** minutes, 1..30 */ connectionTimeoutMinutes: number };

/**
 * The response is a stream of envelopes, one per batch of notifications, until ConnectionTimeout;
 * the client parses it as an XML fragment and hands each Notification over as it closes.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation
 */
export const GetStreamingEvents: StreamingOperation<GetStreamingEventsArgs, WireNotification> = {
  name: 'GetStreamingEvents',
  affinity: true,
  build: (a) => {
    const minutes = Math.trunc(a.connectionTimeoutMinutes);
    if (!(minutes >= 1 && minutes <= 30)) throw new RangeError(`ConnectionTimeout must be 1..30 minutes, got ${a.connectionTimeoutMinutes}`);
    return `<m:GetStreamingEvents><m:SubscriptionIds>${a.subscriptionIds.map((s) => textElement('t:SubscriptionId', s)).join('')}</m:SubscriptionIds><m:ConnectionTimeout>${minutes}</m:ConnectionTimeout></m:GetStreamingEvents>`;
  },
  readNotification,
};
