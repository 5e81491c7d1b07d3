import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuedCert } from './lab-ca.ts';

export type LabHttpsServer = {
  server: Server;
  port: number;
  /** https://127.0.0.1:<port> (no trailing slash). */
  url: string;
  close(): Promise<void>;
};

/**
 * Starts an HTTPS server on 127.0.0.1 with an ephemeral port and a lab certificate (issue it for
 * '127.0.0.1' so clients can validate the name). TLS 1.2 is the floor, as for every Dovetail peer.
 */
export async function startLabHttpsServer(
  cert: IssuedCert,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LabHttpsServer> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.2' }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of finished requests would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
