import { childText } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { decodeWatermark, encodeWatermark, pendingEvents, renderEvent } from '../notifications.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

const MAX_EVENTS = 50;

/**
 * GetEvents for pull subscriptions: events after the subscription's watermark, at most 50 per
 * call (MoreEvents), or a StatusEvent when nothing happened.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents-operation
 */
export function GetEvents(call: EwsCall): string {
  const id = childText(call.body, 'SubscriptionId') ?? '';
  const fail = (code: string): string => operationResponse('GetEvents', [errorMessage('GetEvents', { code })]);
  const sub = call.lab.subscriptions.get(id);
  if (!sub || sub.kind !== 'pull') return fail('ErrorSubscriptionNotFound');
  if (sub.owner !== call.principal.name.toLowerCase()) return fail('ErrorSubscriptionAccessDenied');
  const now = call.lab.clock.now();
  if (now - sub.lastUsed > sub.timeoutMinutes * 60_000) {
    call.lab.subscriptions.delete(id);
    return fail('ErrorSubscriptionNotFound');
  }
  const mark = decodeWatermark(childText(call.body, 'Watermark') ?? '');
  if (!mark || mark.mailboxNo !== sub.mailboxNo) return fail('ErrorInvalidWatermark');
  // The client acknowledges everything up to the watermark it sends back.
  if (mark.seq > sub.seq) sub.seq = mark.seq;
  sub.lastUsed = now;
  const mb = call.lab.mailboxByNo(sub.mailboxNo)!;
  const previous = encodeWatermark(mb.no, sub.seq);
  const pending = pendingEvents(call.lab, sub);
  const batch = pending.slice(0, MAX_EVENTS);
  let events: string[];
  if (batch.length === 0) {
    events = [el('t:StatusEvent', undefined, tel('t:Watermark', encodeWatermark(mb.no, mb.lastSeq)))];
  } else {
    events = batch.map((e) => renderEvent(mb, e, true));
  }
  const inner = el(
    'm:Notification',
    undefined,
    tel('t:SubscriptionId', id),
    tel('t:PreviousWatermark', previous),
    tel('t:MoreEvents', pending.length > batch.length),
    ...events,
  );
  return operationResponse('GetEvents', [success('GetEvents', inner)]);
}

