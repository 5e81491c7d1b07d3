/**
 * Webhook events a CRM app subscribes to: email.tracked, email.sent, email.failed. An event is
 * written as one delivery row per subscribed webhook, in the same transaction as the change it
 * reports, so a committed change always gets its notification and a rolled-back one never does.
 * webhook-delivery.ts sends them, signed, with retries.
 */
import type { Clock, Random } from '../clock.ts';
import type { SyncExecutor } from './sync-tables.ts';

export const webhookEvents = ['email.tracked', 'email.sent', 'email.failed'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export async function enqueueEvent(
  db: SyncExecutor,
  deps: { clock: Clock; random: Random },
  event: WebhookEvent,
  data: Record<string, unknown>,
): Promise<number> {
  const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('active', '=', true).execute();
  const now = new Date(deps.clock.now());
  let n = 0;
  for (const h of hooks) {
    if (!h.events.includes(event)) continue;
    const id = deps.random.uuid();
    await db
      .insertInto('webhook_deliveries')
      .values({
        id,
        webhook_id: h.id,
        event,
        payload: JSON.stringify({ id, event, occurredAt: now.toISOString(), data }),
        status: 'pending',
        next_attempt_at: now,
        created_at: now,
      })
      .execute();
    n++;
  }
  return n;
}
