/**
 * serveFakeDriver: puts a FakeDriver behind a loopback HTTP endpoint so worker child processes
 * (crash and scale-out tests) share one Exchange that outlives them and sees everything they do.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, toError } from '../../src/errors.ts';
import type { FakeDriver } from './fake-driver.ts';
import { wireJson } from './wire-json.ts';

const methods = new Set([
  'testConnection', 'getMailboxInfo', 'getFolder', 'ensureFolder', 'syncMessages', 'getMessages', 'getAttachments',
  'findByInternetMessageId', 'addCategories', 'setStamp', 'moveMessages', 'sendMessage', 'getOrgStamp', 'setOrgStamp',
  'syncItems', 'getItems', 'createItem', 'updateItem', 'deleteItem',
]);

export async function serveFakeDriver(fake: FakeDriver): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let body: string;
        try {
          const { method, args } = wireJson.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; args: unknown[] };
          if (!methods.has(method)) throw new AppError('unknown_method', method);
          const fn = (fake as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
          body = wireJson.stringify({ ok: true, value: await fn.apply(fake, args) });
        } catch (e) {
          const err = e instanceof AppError ? e : new AppError('fake_error', toError(e).message, { kind: 'transient' });
          body = wireJson.stringify({ ok: false, error: err });
        }
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
