import { child, childText, children, type XmlNode } from '../../xml/parse-xml.ts';
import { tel } from '../../xml/xml-writer.ts';
import { resolveFolder, type EwsCall } from '../call.ts';
import { decodeWatermark, encodeWatermark, EVENT_TYPES } from '../notifications.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { Subscription } from '../../lab-state.ts';

/**
 * Subscribe: pull and streaming subscriptions (push is not offered by the lab, see docs/lab.md).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation
 */
export function Subscribe(call: EwsCall): string {
  const request = call.body.children.find((c) => c.name.endsWith('SubscriptionRequest'));
  const fail = (code: string): string => operationResponse('Subscribe', [errorMessage('Subscribe', { code })]);
  if (!request || request.name === 'PushSubscriptionRequest') return fail('ErrorInvalidRequest');
  const streaming = request.name === 'StreamingSubscriptionRequest';
  const mb = call.mailbox;
  let folderKeys: Subscription['folderKeys'] = 'all';
  if (request.attrs['SubscribeToAllFolders'] !== 'true') {
    folderKeys = new Set();
    for (const f of (child(request, 'FolderIds')?.children ?? []) as XmlNode[]) {
      const r = resolveFolder(call, f);
      if (!r.ok) return fail(r.code);
      folderKeys.add(r.value.key);
    }
  }
  const now = call.lab.clock.now();
  for (const [id, x] of call.lab.subscriptions) {
    // A pull subscription not polled within its Timeout is gone, as on Exchange.
    if (x.kind === 'pull' && now - x.lastUsed > x.timeoutMinutes * 60_000) call.lab.subscriptions.delete(id);
  }
  const active = [...call.lab.subscriptions.values()].filter((x) => x.mailboxNo === mb.no).length;
  if (active >= call.lab.maxSubscriptions) return fail('ErrorExceededSubscriptionCount');
  const types = children(child(request, 'EventTypes'), 'EventType').map((e) => e.text.trim());
  if (types.some((t) => !EVENT_TYPES.includes(t))) return fail('ErrorInvalidRequest');
  let seq = mb.lastSeq;
  const watermark = childText(request, 'Watermark');
  if (watermark !== undefined && !streaming) {
    const w = decodeWatermark(watermark);
    if (!w || w.mailboxNo !== mb.no || w.seq > mb.lastSeq) return fail('ErrorInvalidWatermark');
    seq = w.seq;
  }
  const id = call.lab.random.uuid();
  call.lab.subscriptions.set(id, {
    id,
    kind: streaming ? 'streaming' : 'pull',
    mailboxNo: mb.no,
    owner: call.principal.name.toLowerCase(),
    folderKeys,
    eventTypes: new Set(types),
    seq,
    timeoutMinutes: Number(childText(request, 'Timeout') ?? '30'),
    lastUsed: call.lab.clock.now(),
  });
  const inner = tel('m:SubscriptionId', id) + (streaming ? '' : tel('m:Watermark', encodeWatermark(mb.no, seq)));
  return operationResponse('Subscribe', [success('Subscribe', inner)]);
}
