import { createAuthenticateMessage, createNegotiateMessage, tlsChannelBindings } from '../../auth/ntlm/index.ts';
import type { Clock, Random } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { authFailed, isDroppedConnection } from './transport-errors.ts';
import type { Connection } from './transport-pool.ts';
import type { HttpRequest } from './transport.ts';
import { type Dispatch, drain, type RawResponse } from './transport-response.ts';

/** What the transport remembers across connections about its NTLM credentials. */
export type NtlmState = {
  /** A handshake with these credentials succeeded at least once. */
  credentialsProven: boolean;
  rejectionsInARow: number;
};

/**
 * After this many 401s in a row right after fresh handshakes, the credentials are reported as
 * refused (auth_failed) rather than throttled: a password changed under a running profile must
 * eventually surface as an authentication problem.
 */
const MAX_THROTTLE_401S = 3;

type NtlmAuth = { username: string; password: string; domain: string; workstation?: string };

/**
 * Sends one request with NTLM: on a connection that already completed a handshake, as is; else
 * NEGOTIATE (empty body) -> CHALLENGE in the 401 -> AUTHENTICATE carrying the real request, all on
 * the same keep-alive connection (HTTP NTLM is connection-bound: MS-NTHT). If the server dropped
 * the connection or answers 401 on an authenticated one, the handshake is redone once.
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-ntht/
 */
export async function ntlmExchange(input: {
  connection: Connection;
  url: URL;
  dispatch: Dispatch;
  request: HttpRequest;
  signal: AbortSignal;
  auth: NtlmAuth;
  state: NtlmState;
  clock: Clock;
  random: Random;
}): Promise<RawResponse> {
  const { connection, dispatch, request, signal } = input;
  if (connection.authenticated) {
    let response: RawResponse | undefined;
    try {
      response = await dispatch({}, request.body);
    } catch (error) {
      if (!isDroppedConnection(error) || signal.aborted) throw error;
    }
    if (response && response.status !== 401) return response;
    if (response) await drain(response);
    connection.authenticated = false;
  }
  return handshake(input);
}

async function handshake(input: Parameters<typeof ntlmExchange>[0]): Promise<RawResponse> {
  const { connection, url, dispatch, request, signal, auth, state } = input;
  const negotiate = createNegotiateMessage();
  let first: RawResponse;
  try {
    first = await dispatch({ authorization: `NTLM ${negotiate.toString('base64')}` }, '');
  } catch (error) {
    // A stale kept-alive socket fails on first use; undici opens a fresh one for the retry.
    if (!isDroppedConnection(error) || signal.aborted) throw error;
    first = await dispatch({ authorization: `NTLM ${negotiate.toString('base64')}` }, '');
  }
  const disconnectsAtChallenge = connection.disconnects;
  const wwwAuthenticate = first.rawHeaders['www-authenticate'];
  if (first.status !== 401) {
    // The server let an unauthenticated request through: send the real one as is.
    await drain(first);
    return dispatch({}, request.body);
  }
  const challenge = ntlmChallenge(wwwAuthenticate);
  const closing = String(first.rawHeaders['connection'] ?? '').toLowerCase() === 'close';
  await drain(first);
  if (!challenge) throw authFailed(url, 'NTLM', wwwAuthenticate, 'the server did not answer the NTLM negotiation');
  if (closing || connection.disconnects !== disconnectsAtChallenge) {
    throw new AppError('ntlm_connection_not_kept', `${url.host} closed the connection in the middle of the NTLM handshake (keep-alive is required)`, {
      kind: 'transient',
      details: { host: url.host },
    });
  }

  const authenticate = createAuthenticateMessage({
    negotiateMessage: negotiate,
    challengeMessage: challenge,
    credentials: { username: auth.username, password: auth.password, domain: auth.domain, ...(auth.workstation ? { workstation: auth.workstation } : {}) },
    clock: input.clock,
    random: input.random,
    // Extended Protection: bind the handshake to this TLS connection and name the service.
    ...(connection.peerCertificate ? { channelBindings: tlsChannelBindings(connection.peerCertificate) } : {}),
    targetSpn: `HTTP/${url.hostname}`,
  });
  const response = await dispatch({ authorization: `NTLM ${authenticate.message.toString('base64')}` }, request.body);
  if (response.status === 401) {
    await drain(response);
    state.rejectionsInARow += 1;
    if (state.credentialsProven && state.rejectionsInARow <= MAX_THROTTLE_401S) {
      // Exchange answers 401 to a correct NTLM handshake when the account is being throttled
      // (credentials that worked a moment ago are refused, then accepted again later).
      // @see https://github.com/OfficeDev/ews-java-api/issues/560
      throw new AppError('ews_401_after_handshake', `${url.host} answered 401 right after a fresh NTLM handshake with credentials it accepted before: Exchange throttling`, {
        kind: 'throttled',
        details: { host: url.host },
      });
    }
    throw authFailed(url, 'NTLM', response.rawHeaders['www-authenticate'], `the server refused the NTLM credentials of ${auth.domain}\\${auth.username}`);
  }
  connection.authenticated = true;
  state.credentialsProven = true;
  state.rejectionsInARow = 0;
  return response;
}

/** The base64 CHALLENGE in "WWW-Authenticate: NTLM <token>", when the server sent one. */
function ntlmChallenge(header: string | string[] | undefined): Buffer | undefined {
  const values = header === undefined ? [] : Array.isArray(header) ? header : header.split(',');
  for (const value of values) {
    const match = /^\s*NTLM\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
    if (match?.[1]) return Buffer.from(match[1], 'base64');
  }
  return undefined;
}
