import { AppError } from '../../../errors.ts';
import type { GraphClient } from '../client.ts';
import { seg, str, type Json } from './graph-json.ts';

/**
 * Change notifications (https://learn.microsoft.com/graph/webhooks), the push half of the schedule:
 * polling with delta stays the floor, a notification only makes a mailbox due sooner.
 * Outlook subscriptions live at most 4230 minutes (resources/subscription, "Maximum length of
 * subscription per resource type"), so they are renewed before they lapse.
 */
export const maxOutlookSubscriptionMinutes = 4230;

export type Subscription = { id: string; resource: string; expirationDateTime: string; clientState?: string };

export type NewSubscription = {
  mailbox: string;
  /** e.g. `users/{id}/mailFolders('inbox')/messages`, `users/{id}/events`. */
  resource: string;
  changeType: string;
  notificationUrl: string;
  /** Secret echoed in every notification, to tell Graph's calls from forgeries. */
  clientState: string;
  expiresAt: Date;
};

export async function createSubscription(client: GraphClient, request: NewSubscription): Promise<Subscription> {
  const response = await client.request({
    method: 'POST',
    mailbox: request.mailbox,
    path: '/subscriptions',
    body: {
      changeType: request.changeType,
      notificationUrl: request.notificationUrl,
      resource: request.resource,
      expirationDateTime: request.expiresAt.toISOString(),
      clientState: request.clientState,
      latestSupportedTlsVersion: 'v1_2',
    },
  });
  return subscriptionOf(response.body as Json);
}

export async function renewSubscription(client: GraphClient, mailbox: string, id: string, expiresAt: Date): Promise<Subscription> {
  const response = await client.request({ method: 'PATCH', mailbox, path: `/subscriptions/${seg(id)}`, body: { expirationDateTime: expiresAt.toISOString() } });
  return subscriptionOf(response.body as Json);
}

/** Deleting a subscription that is already gone is success. */
export async function deleteSubscription(client: GraphClient, mailbox: string, id: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', mailbox, path: `/subscriptions/${seg(id)}` });
  } catch (error) {
    if ((error as AppError).kind !== 'not-found') throw error;
  }
}

/**
 * The answer to Graph's validation request on the notification endpoint: 200, text/plain, the
 * URL-decoded validationToken as the body (URLSearchParams has already decoded it). Undefined when the
 * request is not a validation request.
 */
export function validationAnswer(query: URLSearchParams): { status: 200; contentType: 'text/plain'; body: string } | undefined {
  const token = query.get('validationToken');
  return token === null ? undefined : { status: 200, contentType: 'text/plain', body: token };
}

export type ChangeNotification = { subscriptionId: string; changeType: string; resource: string; clientState?: string; itemId?: string };

/**
 * Reads a notification POST body, keeping only those whose clientState matches ours for that
 * subscription (others are forgeries or belong to a subscription we no longer own).
 */
export function readNotifications(body: unknown, clientStateOf: (subscriptionId: string) => string | undefined): ChangeNotification[] {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) throw new AppError('graph_notification_malformed', 'A change notification without a value array.', { kind: 'invalid-input' });
  return (value as Json[]).flatMap((n) => {
    const subscriptionId = str(n['subscriptionId']);
    const changeType = str(n['changeType']) ?? str(n['lifecycleEvent']);
    if (subscriptionId === undefined || changeType === undefined) return [];
    const expected = clientStateOf(subscriptionId);
    const clientState = str(n['clientState']);
    if (expected === undefined || clientState !== expected) return [];
    const itemId = str((n['resourceData'] as Json | undefined)?.['id']);
    return [{ subscriptionId, changeType, resource: str(n['resource']) ?? '', clientState, ...(itemId === undefined ? {} : { itemId }) }];
  });
}

function subscriptionOf(body: Json): Subscription {
  const id = str(body['id']);
  if (id === undefined) throw new AppError('graph_subscription_failed', 'Microsoft Graph returned a subscription without an id.', { kind: 'transient' });
  const clientState = str(body['clientState']);
  return {
    id,
    resource: str(body['resource']) ?? '',
    expirationDateTime: str(body['expirationDateTime']) ?? '',
    ...(clientState === undefined ? {} : { clientState }),
  };
}
