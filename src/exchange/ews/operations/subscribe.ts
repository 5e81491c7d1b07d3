import type { Operation } from '../operation.ts';
import { single } from '../results.ts';
import { writeFolderTargets, type FolderTarget } from '../schema/folder-id.ts';
import type { EventType } from '../schema/notification.ts';
import { textElement } from '../xml/xml-text.ts';
import { childText } from '../xml/xml-reader.ts';

type Common = { folders: FolderTarget[]; eventTypes: EventType[] };
export type SubscribeArgs =
  | (Common & { kind: 'pull'; watermark?: string; /** minutes, 1..1440 */ timeoutMinutes: number })
  | (Common & { kind: 'push'; watermark?: string; /** minutes, 1..1440 */ statusFrequency: number; url: string })
  | (Common & { kind: 'streaming' });

export type SubscribeResult = { subscriptionId: string; watermark?: string };

function common(a: Common): string {
  return `${writeFolderTargets('t:FolderIds', a.folders)}<t:EventTypes>${a.eventTypes.map((e) => `<t:EventType>${e}</t:EventType>`).join('')}</t:EventTypes>`;
}

/**
 * Pull, push and streaming subscriptions. Streaming and pull subscriptions live on one mailbox
 * server: the client sends X-PreferServerAffinity and replays the X-BackEndOverrideCookie it gets back.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation
 */
export const Subscribe: Operation<SubscribeArgs, SubscribeResult> = {
  name: 'Subscribe',
  affinity: true,
  build: (a) => {
    switch (a.kind) {
      case 'pull':
        return `<m:Subscribe><m:PullSubscriptionRequest>${common(a)}${a.watermark === undefined ? '' : textElement('t:Watermark', a.watermark)}<t:Timeout>${a.timeoutMinutes}</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`;
      case 'push':
        return `<m:Subscribe><m:PushSubscriptionRequest>${common(a)}${a.watermark === undefined ? '' : textElement('t:Watermark', a.watermark)}<t:StatusFrequency>${a.statusFrequency}</t:StatusFrequency>${textElement(
          't:URL',
          a.url,
        )}</m:PushSubscriptionRequest></m:Subscribe>`;
      case 'streaming':
        return `<m:Subscribe><m:StreamingSubscriptionRequest>${common(a)}</m:StreamingSubscriptionRequest></m:Subscribe>`;
    }
  },
  parse: (env) => {
    const m = single(env, 'Subscribe');
    const wm = childText(m.node, 'Watermark')?.trim();
    return { subscriptionId: (childText(m.node, 'SubscriptionId') ?? '').trim(), ...(wm === undefined ? {} : { watermark: wm }) };
  },
};
