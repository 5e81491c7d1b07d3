import type { SoapEnvelope } from './soap-response.ts';
import type { XmlNode } from './xml/xml-reader.ts';

/**
 * One EWS operation (operations/*.ts): how to build its body element and read its response.
 * The client adds the envelope, headers, retries and limits.
 */
export type Operation<A, R> = {
  /** Exactly Microsoft's name: the SOAPAction suffix and the body element. */
  readonly name: string;
  /**
   * Subscriptions and their event calls must reach the mailbox server that holds the subscription:
   * send X-PreferServerAffinity and replay X-BackEndOverrideCookie.
   * @see https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-maintain-affinity-between-group-of-subscriptions-and-mailbox-server
   */
  readonly affinity?: boolean;
  build(args: A): string;
  parse(envelope: SoapEnvelope, args: A): R;
};

/**
 * GetStreamingEvents: one HTTP response carries envelope after envelope until the connection times out.
 * `onNotification` is called as each notification closes, before the response ends.
 */
export type StreamingOperation<A, N> = {
  readonly name: string;
  readonly affinity: true;
  build(args: A): string;
  readNotification(node: XmlNode): N;
};
