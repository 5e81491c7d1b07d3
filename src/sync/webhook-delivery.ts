/**
 * Delivers webhook events: POST of the JSON event, signed with the webhook's secret
 * (HMAC-SHA256 over "<timestamp>.<body>", header `Dovetail-Signature: t=<timestamp>,v1=<hex>`),
 * retried with back-off (30 s doubling, at most an hour apart) until delivered or 10 attempts
 * have failed. Deliveries are claimed with SKIP LOCKED, so several workers never send one twice
 * at the same time.
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { request } from 'undici';
import { toError } from '../errors.ts';
import type { EngineDeps } from './engine-deps.ts';
import { backoffDelay } from './policy.ts';
import { syncDb } from './sync-tables.ts';

export const maxWebhookAttempts = 10;
const timeoutMs = 10_000;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

type Claimed = { id: string; webhook_id: string; event: string; payload: Record<string, unknown>; attempts: number; url: string; secret_sealed: string };

export async function deliverDueWebhooks(deps: Pick<EngineDeps, 'store' | 'clock' | 'workerId' | 'log'>, limit = 20): Promise<number> {
  const db = syncDb(deps.store.kysely);
  const now = new Date(deps.clock.now());
  const claimed = await sql<Claimed>`
    update webhook_deliveries d set lease_owner = ${deps.workerId}, lease_expires_at = ${new Date(now.getTime() + 2 * timeoutMs)}
      from webhooks w
     where w.id = d.webhook_id and d.id in (
       select id from webhook_deliveries
        where status = 'pending' and next_attempt_at <= ${now} and (lease_expires_at is null or lease_expires_at < ${now})
        order by next_attempt_at limit ${limit} for update skip locked)
    returning d.id, d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret_sealed`.execute(db);
  for (const d of claimed.rows) {
    const body = JSON.stringify(d.payload);
    const timestamp = Math.floor(deps.clock.now() / 1000);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = deps.store.sealer.open(d.secret_sealed);
      const res = await request(d.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'dovetail-event': d.event,
          'dovetail-delivery': d.id,
          'dovetail-signature': signWebhook(secret, timestamp, body),
        },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      statusCode = res.statusCode;
      await res.body.dump();
    } catch (e) {
      error = toError(e).message;
    }
    const at = new Date(deps.clock.now());
    const attempts = d.attempts + 1;
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', attempts, delivered_at: at, last_status_code: statusCode, last_error: null, lease_owner: null, lease_expires_at: null })
        .where('id', '=', d.id)
        .execute();
      continue;
    }
    const giveUp = attempts >= maxWebhookAttempts;
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: giveUp ? 'failed' : 'pending',
        attempts,
        next_attempt_at: new Date(at.getTime() + backoffDelay(attempts - 1, 30_000, 3_600_000)),
        last_status_code: statusCode,
        last_error: error ?? `HTTP ${statusCode}`,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', d.id)
      .execute();
    if (giveUp) deps.log.warn({ webhookId: d.webhook_id, deliveryId: d.id, event: d.event }, 'webhook delivery gave up after the last attempt');
  }
  return claimed.rows.length;
}
