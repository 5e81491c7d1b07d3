import type { IncomingMessage, ServerResponse } from 'node:http';
import { child, childText } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { matches, pendingEvents, renderEvent } from '../notifications.ts';
import { envelope, errorMessage, operationResponse, success } from '../soap.ts';
import type { MailboxEvent } from '../../mailbox-store/types.ts';

export function isStreaming(operation: string): boolean {
  return operation === 'GetStreamingEvents';
}

/** Tests shorten the connection lifetime and heartbeat; Exchange keeps 1..30 minutes. */
export const streamingTiming = { minuteMs: 60_000, heartbeatMs: 30_000, batchMs: 20 };

/**
 * GetStreamingEvents: one HTTP response that stays open, each notification batch written as a
 * complete SOAP envelope (as in ews-samples/GetStreamingEvents-response.xml), heartbeats with
 * ConnectionStatus OK, and a last envelope with ConnectionStatus Closed when ConnectionTimeout ends.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation
 */
export async function getStreamingEvents(call: EwsCall, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ids = (child(call.body, 'SubscriptionIds')?.children ?? []).map((c) => c.text.trim());
  const minutes = Number(childText(call.body, 'ConnectionTimeout') ?? '30');
  const subs = ids.map((id) => call.lab.subscriptions.get(id));
  const write = (inner: string): void => {
    res.write(envelope(call.lab.build, operationResponse('GetStreamingEvents', [inner])));
  };
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  const bad = subs.findIndex((s) => !s || s.kind !== 'streaming' || s.owner !== call.principal.name.toLowerCase());
  if (bad >= 0 || !Number.isInteger(minutes) || minutes < 1 || minutes > 30) {
    const code = bad >= 0 && subs[bad] ? 'ErrorSubscriptionAccessDenied' : bad >= 0 ? 'ErrorSubscriptionNotFound' : 'ErrorInvalidRequest';
    write(errorMessage('GetStreamingEvents', { code }));
    res.end();
    return;
  }
  const live = subs.filter((s) => s !== undefined);
  const flush = (): void => {
    const notifications: string[] = [];
    for (const sub of live) {
      const events = pendingEvents(call.lab, sub);
      if (events.length === 0) continue;
      const mb = call.lab.mailboxByNo(sub.mailboxNo)!;
      sub.seq = events[events.length - 1]!.seq;
      // The published sample shows m:Notification here; messages.xsd declares t:Notification, which we follow.
      notifications.push(el('t:Notification', undefined, tel('t:SubscriptionId', sub.id), ...events.map((e) => renderEvent(mb, e, false))));
    }
    if (notifications.length > 0) write(success('GetStreamingEvents', el('m:Notifications', undefined, ...notifications)));
  };
  const heartbeat = (): void => write(success('GetStreamingEvents', tel('m:ConnectionStatus', 'OK')));
  if (live.some((s) => pendingEvents(call.lab, s).length > 0)) flush();
  else heartbeat();

  await new Promise<void>((resolve) => {
    let pending: NodeJS.Timeout | undefined;
    const listeners: Array<() => void> = [];
    for (const sub of live) {
      const mb = call.lab.mailboxByNo(sub.mailboxNo)!;
      const onEvent = (e: MailboxEvent): void => {
        if (!matches(sub, e) || pending) return;
        pending = setTimeout(() => {
          pending = undefined;
          flush();
        }, streamingTiming.batchMs);
      };
      mb.emitter.on('event', onEvent);
      listeners.push(() => mb.emitter.off('event', onEvent));
    }
    const beat = setInterval(heartbeat, streamingTiming.heartbeatMs);
    const finish = (closed: boolean): void => {
      clearInterval(beat);
      clearTimeout(end);
      if (pending) clearTimeout(pending);
      for (const off of listeners) off();
      if (closed && !res.writableEnded) {
        flush();
        write(success('GetStreamingEvents', tel('m:ConnectionStatus', 'Closed')));
        res.end();
      }
      resolve();
    };
    const end = setTimeout(() => finish(true), minutes * streamingTiming.minuteMs);
    req.socket.once('close', () => finish(false));
  });
}
