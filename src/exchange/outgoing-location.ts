/**
 * A profile whose outgoing server location differs from its incoming one (seed 003: with
 * Autodiscover inactive, "enter the incoming and outgoing email server information"): email is
 * sent through the outgoing location, everything else goes to the incoming one. Both act as the
 * same mailbox of the same organization, so folder and item ids are valid at either.
 */
import type { ConnectionCheck, MailboxDriver } from './driver.ts';

export function withOutgoingLocation(incoming: MailboxDriver, outgoing: MailboxDriver, outgoingUrl: string): MailboxDriver {
  const relabel = (c: ConnectionCheck): ConnectionCheck => ({ ...c, step: `outgoing-${c.step}`, detail: `Outgoing server location ${outgoingUrl}: ${c.detail}` });
  return new Proxy(incoming, {
    get(target, prop, receiver) {
      if (prop === 'sendMessage') return outgoing.sendMessage.bind(outgoing);
      if (prop === 'testConnection') {
        return async (mailbox: string): Promise<ConnectionCheck[]> => [...(await target.testConnection(mailbox)), ...(await outgoing.testConnection(mailbox)).map(relabel)];
      }
      if (prop === 'close') {
        return async (): Promise<void> => {
          await target.close();
          await outgoing.close();
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
