import { Agent, request } from 'undici';
import type { GraphLabState, LabUser } from './graph-lab-state.ts';
import { LabHttpError, type LabRoute } from './lab-route.ts';
import { asObject } from './mail-routes.ts';

/**
 * Change-notification subscriptions (https://learn.microsoft.com/graph/webhooks): the notification URL
 * is validated first (POST ?validationToken=…, answered within 10 seconds with 200, text/plain and the
 * decoded token), then every change to the subscribed resource is POSTed to it with the clientState.
 * Outlook resources live at most 4230 minutes (resources/subscription, "Maximum length of subscription").
 */
export const maxSubscriptionMinutes = 4230;

type LabSubscription = {
  id: string;
  appId: string;
  userId: string;
  /** A collection ('mail:<folder>', 'calendar', …) or a prefix ending in ':' for every mail folder. */
  collection: string;
  resource: string;
  changeTypes: string[];
  notificationUrl: string;
  clientState?: string;
  expirationDateTime: string;
};

export type NotificationRecord = { subscriptionId: string; changeType: string; itemId: string; status: number | 'failed' };

export class Subscriptions {
  readonly #state: GraphLabState;
  readonly #options: { baseUrl: () => string; tenantId: string; caPem?: string };
  readonly #agent: Agent;
  readonly #subscriptions = new Map<string, LabSubscription>();
  readonly notifications: NotificationRecord[] = [];

  constructor(state: GraphLabState, options: { baseUrl: () => string; tenantId: string; caPem?: string }) {
    this.#state = state;
    this.#options = options;
    this.#agent = new Agent({ connect: options.caPem === undefined ? {} : { ca: options.caPem } });
    state.onChange = (user, collection, id, changeType) => this.#notify(user, collection, id, changeType);
  }

  routes(): LabRoute[] {
    return [
      { method: 'POST', pattern: /^\/subscriptions$/, roles: [], mailbox: false, handle: (_ctx, req) => this.#create(req.appId, asObject(req.body)) },
      {
        method: 'PATCH',
        pattern: /^\/subscriptions\/([^/]+)$/,
        roles: [],
        mailbox: false,
        handle: (_ctx, req, _user, [id]) => {
          const subscription = this.#find(id!, req.appId);
          subscription.expirationDateTime = this.#expiration(asObject(req.body)['expirationDateTime']);
          return { status: 200, body: this.#json(subscription) };
        },
      },
      {
        method: 'DELETE',
        pattern: /^\/subscriptions\/([^/]+)$/,
        roles: [],
        mailbox: false,
        handle: (_ctx, req, _user, [id]) => {
          this.#subscriptions.delete(this.#find(id!, req.appId).id);
          return { status: 204 };
        },
      },
    ];
  }

  stop(): void {
    this.#subscriptions.clear();
    void this.#agent.close();
  }

  async #create(appId: string, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const { changeType, notificationUrl, resource } = body;
    if (typeof changeType !== 'string' || typeof notificationUrl !== 'string' || typeof resource !== 'string') {
      throw new LabHttpError(400, 'InvalidRequest', 'changeType, notificationUrl, resource and expirationDateTime are required.');
    }
    if (!notificationUrl.startsWith('https://')) throw new LabHttpError(400, 'InvalidRequest', 'The notification URL must use https.');
    const target = this.#resolve(resource);
    const expirationDateTime = this.#expiration(body['expirationDateTime']);
    await this.#validate(notificationUrl);
    const subscription: LabSubscription = {
      id: this.#state.random.uuid(),
      appId,
      userId: target.user.id,
      collection: target.collection,
      resource,
      changeTypes: changeType.split(',').map((c) => c.trim()),
      notificationUrl,
      ...(typeof body['clientState'] === 'string' ? { clientState: body['clientState'] } : {}),
      expirationDateTime,
    };
    this.#subscriptions.set(subscription.id, subscription);
    return { status: 201, body: this.#json(subscription) };
  }

  async #validate(notificationUrl: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${this.#state.random.uuid()}`;
    const url = new URL(notificationUrl);
    url.searchParams.set('validationToken', token);
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.body.text();
      const type = String(response.headers['content-type'] ?? '');
      if (response.statusCode === 200 && type.startsWith('text/plain') && text === token) return;
    } catch {
      // Reported below as Graph reports an endpoint that did not answer.
    }
    throw new LabHttpError(
      400,
      'ValidationError',
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  }

  #resolve(resource: string): { user: LabUser; collection: string } {
    const match = /^\/?users\/([^/]+)\/(.+)$/i.exec(resource);
    const user = match === null ? undefined : this.#state.user(decodeURIComponent(match[1]!));
    if (match === null || user === undefined) throw new LabHttpError(400, 'InvalidRequest', `Resource '${resource}' is not supported.`);
    const rest = match[2]!;
    const folder = /^mailFolders(?:\('([^']+)'\)|\/([^/]+))\/messages$/i.exec(rest);
    if (folder !== null) {
      const found = this.#state.folder(user, folder[1] ?? folder[2]!);
      if (found === undefined) throw new LabHttpError(404, 'ErrorFolderNotFound', 'The specified folder could not be found in the store.');
      return { user, collection: `mail:${found.id}` };
    }
    if (/^messages$/i.test(rest)) return { user, collection: 'mail:' };
    if (/^events$/i.test(rest)) return { user, collection: 'calendar' };
    if (/^contacts$/i.test(rest)) return { user, collection: 'contacts:' };
    throw new LabHttpError(400, 'InvalidRequest', `Resource '${resource}' is not supported.`);
  }

  #expiration(value: unknown): string {
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    const now = this.#state.clock.now();
    if (Number.isNaN(at) || at <= now) throw new LabHttpError(400, 'InvalidRequest', 'expirationDateTime must be in the future.');
    if (at > now + maxSubscriptionMinutes * 60_000) {
      throw new LabHttpError(400, 'InvalidRequest', `Subscription expiration can only be ${maxSubscriptionMinutes} minutes in the future.`);
    }
    return new Date(at).toISOString();
  }

  #find(id: string, appId: string): LabSubscription {
    const subscription = this.#subscriptions.get(id);
    if (subscription === undefined || subscription.appId !== appId) throw new LabHttpError(404, 'ResourceNotFound', 'The object was not found.');
    return subscription;
  }

  #json(s: LabSubscription): Record<string, unknown> {
    return {
      '@odata.context': `${this.#options.baseUrl()}/v1.0/$metadata#subscriptions/$entity`,
      id: s.id,
      resource: s.resource,
      applicationId: s.appId,
      changeType: s.changeTypes.join(','),
      ...(s.clientState === undefined ? {} : { clientState: s.clientState }),
      notificationUrl: s.notificationUrl,
      expirationDateTime: s.expirationDateTime,
      latestSupportedTlsVersion: 'v1_2',
      notificationContentType: 'application/json',
    };
  }

  #notify(user: LabUser, collection: string, itemId: string, changeType: string): void {
    const now = this.#state.clock.now();
    for (const s of this.#subscriptions.values()) {
      const matches = s.userId === user.id && (s.collection.endsWith(':') ? collection.startsWith(s.collection) : s.collection === collection);
      if (!matches || !s.changeTypes.includes(changeType) || Date.parse(s.expirationDateTime) <= now) continue;
      const kind = collection.startsWith('mail:') ? 'Messages' : collection === 'calendar' ? 'Events' : 'Contacts';
      const notification = {
        value: [
          {
            id: this.#state.random.bytes(8).toString('hex'),
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            ...(s.clientState === undefined ? {} : { clientState: s.clientState }),
            changeType,
            resource: `Users/${user.id}/${kind}/${itemId}`,
            tenantId: this.#options.tenantId,
            resourceData: { '@odata.type': `#Microsoft.Graph.${kind.slice(0, -1)}`, '@odata.id': `Users/${user.id}/${kind}/${itemId}`, id: itemId },
          },
        ],
      };
      const record: NotificationRecord = { subscriptionId: s.id, changeType, itemId, status: 'failed' };
      this.notifications.push(record);
      void request(s.notificationUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notification),
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(10_000),
      })
        .then(async (response) => {
          record.status = response.statusCode;
          await response.body.dump();
        })
        .catch(() => undefined);
    }
  }
}
