/**
 * remoteDriver: the MailboxDriver a worker child process uses to reach the test's FakeDriver
 * (see serve-fake-driver.ts). Every method is one POST.
 */
import { request } from 'undici';
import type { AppError } from '../../src/errors.ts';
import type { MailboxDriver } from '../../src/exchange/driver.ts';
import { wireJson } from './wire-json.ts';

export function remoteDriver(url: string): MailboxDriver {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const res = await request(url, { method: 'POST', body: wireJson.stringify({ method, args }), headers: { 'content-type': 'application/json' } });
    const reply = wireJson.parse(await res.body.text()) as { ok: true; value: unknown } | { ok: false; error: AppError };
    if (!reply.ok) throw reply.error;
    return reply.value;
  };
  return new Proxy({ provider: 'ews', close: async () => {} } as unknown as MailboxDriver, {
    get(target, prop) {
      if (prop === 'provider' || prop === 'close' || typeof prop !== 'string') return (target as unknown as Record<string | symbol, unknown>)[prop];
      if (prop === 'then') return undefined;
      return (...args: unknown[]) => call(prop, args);
    },
  });
}
