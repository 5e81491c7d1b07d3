import { TLSSocket } from 'node:tls';
import { Client, type buildConnector } from 'undici';
import { AppError } from '../../errors.ts';

/**
 * One keep-alive connection: an undici Client (which holds exactly one socket) with pipelining 1,
 * so an NTLM handshake done on it stays valid for every later request it carries.
 */
export type Connection = {
  readonly client: Client;
  readonly origin: string;
  busy: boolean;
  /** An NTLM handshake succeeded on the current socket. Cleared when undici reports a disconnect. */
  authenticated: boolean;
  /** Sockets this Client has lost so far; a change during a handshake means the handshake is void. */
  disconnects: number;
  /** DER of the certificate the server presented on the current socket (TLS only), for NTLM channel binding. */
  readonly peerCertificate: Buffer | undefined;
};

export type ConnectionPool = {
  acquire(origin: string, signal: AbortSignal): Promise<Connection>;
  release(connection: Connection): void;
  close(): Promise<void>;
  /** Open connections (busy or idle), for diagnostics and tests. */
  size(): number;
};

/**
 * At most `maxConnections` connections for the whole profile, shared by every origin it talks to
 * (EWS and Autodiscover hosts). An idle connection to another origin is closed to make room;
 * otherwise callers wait in order.
 */
export function createConnectionPool(options: { maxConnections: number; connector: buildConnector.connector }): ConnectionPool {
  const max = Math.max(1, Math.floor(options.maxConnections));
  const connections: Connection[] = [];
  const waiters: Array<() => void> = [];
  let closed = false;

  const open = (origin: string): Connection => {
    // The connector sees each new socket of this Client first: it records the server's certificate.
    const peer: { certificate?: Buffer } = {};
    const connect: buildConnector.connector = (opts, callback) =>
      options.connector(opts, (error, socket) => {
        if (!socket) return callback(error ?? new Error('connect failed'), null);
        const certificate = socket instanceof TLSSocket ? socket.getPeerCertificate()?.raw : undefined;
        if (certificate) peer.certificate = certificate;
        else delete peer.certificate;
        callback(null, socket);
      });
    const client = new Client(origin, { pipelining: 1, connect, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 });
    const connection: Connection = {
      client,
      origin,
      busy: true,
      authenticated: false,
      disconnects: 0,
      get peerCertificate() {
        return peer.certificate;
      },
    };
    client.on('disconnect', () => {
      connection.authenticated = false;
      connection.disconnects += 1;
    });
    connections.push(connection);
    return connection;
  };

  const take = (origin: string): Connection | undefined => {
    // Prefer a connection that already carries an NTLM handshake.
    const idle = connections.filter((c) => c.origin === origin && !c.busy).sort((a, b) => Number(b.authenticated) - Number(a.authenticated))[0];
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (connections.length < max) return open(origin);
    const victim = connections.find((c) => c.origin !== origin && !c.busy);
    if (victim) {
      connections.splice(connections.indexOf(victim), 1);
      void victim.client.close().catch(() => undefined);
      return open(origin);
    }
    return undefined;
  };

  return {
    async acquire(origin, signal) {
      for (;;) {
        if (closed) throw new AppError('transport_closed', 'The EWS transport is closed', { kind: 'permanent' });
        signal.throwIfAborted();
        const connection = take(origin);
        if (connection) return connection;
        await new Promise<void>((resolve, reject) => {
          const wake = (): void => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = (): void => {
            const at = waiters.indexOf(wake);
            if (at >= 0) waiters.splice(at, 1);
            reject(signal.reason);
          };
          waiters.push(wake);
          signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    },
    release(connection) {
      connection.busy = false;
      waiters.shift()?.();
    },
    async close() {
      closed = true;
      for (const wake of waiters.splice(0)) wake();
      await Promise.all(connections.splice(0).map((c) => c.client.destroy().catch(() => undefined)));
    },
    size: () => connections.length,
  };
}
