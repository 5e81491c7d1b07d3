import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { encodeChallenge, findAvPair, NtlmFlags, tlsChannelBindings, verifyAuthenticate, AvId } from '../../auth/ntlm/index.ts';
import { fileTime } from '../../auth/ntlm/index.ts';
import type { BearerVerifier, LabState, Principal } from '../lab-state.ts';

export type AuthScheme = 'NTLM' | 'Negotiate' | 'Basic' | 'Bearer';

type NtlmConnection = { negotiate?: Buffer; challenge?: Buffer; principal?: Principal };

/** NTLM authenticates a connection, not a request ([MS-NTHT] 2.2): state lives on the socket. */
const connections = new WeakMap<Socket, NtlmConnection>();

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false };

/**
 * Extended Protection for NTLM over TLS: 'allow' checks channel bindings when the client sends them,
 * 'require' also refuses clients that send none (Exchange 2019 CU14 turns EP on by default), 'off'
 * ignores them.
 * @see https://learn.microsoft.com/en-us/exchange/plan-and-update/extended-protection
 */
export type ExtendedProtection = 'off' | 'allow' | 'require';

function channelBindingsOk(socket: Socket, pairs: ReadonlyArray<{ id: number; value: Buffer }>, mode: ExtendedProtection): boolean {
  if (mode === 'off') return true;
  const raw = (socket as TLSSocket).getCertificate?.();
  const der = raw && 'raw' in raw ? raw.raw : undefined;
  if (!der) return true;
  const sent = findAvPair([...pairs], AvId.MsvAvChannelBindings);
  if (!sent || sent.every((b) => b === 0)) return mode !== 'require';
  return sent.equals(tlsChannelBindings(der));
}

function utf16(value: string): Buffer {
  return Buffer.from(value, 'utf16le');
}

/**
 * Authenticates an EWS/Autodiscover request with the schemes the lab enables, answering 401 with
 * one WWW-Authenticate header per enabled scheme (as IIS does) when it cannot.
 */
export async function authenticate(
  lab: LabState,
  schemes: readonly AuthScheme[],
  verifyBearer: BearerVerifier | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  extendedProtection: ExtendedProtection = 'allow',
): Promise<AuthOutcome> {
  const socket = req.socket;
  const header = req.headers.authorization ?? '';
  const space = header.indexOf(' ');
  const scheme = space > 0 ? header.slice(0, space) : header;
  const value = space > 0 ? header.slice(space + 1).trim() : '';
  const state = connections.get(socket);

  if (header === '' && state?.principal) return { ok: true, principal: state.principal };

  const lower = scheme.toLowerCase();
  if ((lower === 'ntlm' && schemes.includes('NTLM')) || (lower === 'negotiate' && schemes.includes('Negotiate'))) {
    const token = Buffer.from(value, 'base64');
    const type = token.length >= 12 && token.subarray(0, 8).toString('latin1') === 'NTLMSSP\0' ? token.readUInt32LE(8) : 0;
    if (type === 1) {
      const challenge = encodeChallenge({
        flags:
          (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.REQUEST_TARGET | NtlmFlags.NEGOTIATE_NTLM | NtlmFlags.NEGOTIATE_ALWAYS_SIGN |
            NtlmFlags.TARGET_TYPE_DOMAIN | NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY | NtlmFlags.NEGOTIATE_TARGET_INFO |
            NtlmFlags.NEGOTIATE_VERSION | NtlmFlags.NEGOTIATE_128 | NtlmFlags.NEGOTIATE_KEY_EXCH) >>> 0,
        serverChallenge: lab.random.bytes(8),
        targetName: lab.netbiosDomain,
        targetInfo: [
          { id: AvId.MsvAvNbDomainName, value: utf16(lab.netbiosDomain) },
          { id: AvId.MsvAvNbComputerName, value: utf16('EXLAB01') },
          { id: AvId.MsvAvDnsDomainName, value: utf16(lab.domain) },
          { id: AvId.MsvAvDnsComputerName, value: utf16(`exlab01.${lab.domain}`) },
          { id: AvId.MsvAvTimestamp, value: fileTime(lab.clock.now()) },
        ],
        version: { major: 10, minor: 0, build: 17763, revision: 15 },
      });
      connections.set(socket, { negotiate: token, challenge });
      res.writeHead(401, { 'WWW-Authenticate': `${scheme} ${challenge.toString('base64')}`, 'Content-Length': '0' });
      res.end();
      return { ok: false };
    }
    if (type === 3 && state?.challenge) {
      const result = verifyAuthenticate({
        ...(state.negotiate ? { negotiateMessage: state.negotiate } : {}),
        challengeMessage: state.challenge,
        authenticateMessage: token,
        password: (user) => lab.passwordOf(user)?.password,
      });
      if (result.ok && channelBindingsOk(socket, result.clientAvPairs, extendedProtection)) {
        const found = lab.passwordOf(result.user)!;
        const principal: Principal = { ...found.principal, scheme: 'NTLM' };
        connections.set(socket, { principal });
        return { ok: true, principal };
      }
      connections.delete(socket);
    }
    return challengeAll(res, schemes);
  }
  if (lower === 'basic' && schemes.includes('Basic')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    const found = lab.passwordOf(user);
    if (found && found.password === password) return { ok: true, principal: { ...found.principal, scheme: 'Basic' } };
    return challengeAll(res, schemes);
  }
  if (lower === 'bearer' && schemes.includes('Bearer') && verifyBearer) {
    const verdict = await verifyBearer(value);
    if (verdict.ok) {
      const appOnly = (verdict.roles ?? []).includes('full_access_as_app');
      const smtp = verdict.upn && lab.mailbox(verdict.upn) ? lab.mailbox(verdict.upn)!.account.smtp : undefined;
      const principal: Principal = {
        name: verdict.upn ?? verdict.appId ?? 'app',
        scheme: 'Bearer',
        impersonation: appOnly ? 'all' : [],
        ...(smtp ? { smtp } : {}),
      };
      return { ok: true, principal };
    }
    return challengeAll(res, schemes, 'invalid_token');
  }
  return challengeAll(res, schemes);
}

function challengeAll(res: ServerResponse, schemes: readonly AuthScheme[], bearerError?: string): AuthOutcome {
  const values = schemes.map((s) => {
    if (s === 'Basic') return 'Basic realm="exlab"';
    if (s === 'Bearer') {
      return `Bearer client_id="00000002-0000-0ff1-ce00-000000000000"${bearerError ? `, error="${bearerError}"` : ''}`;
    }
    return s;
  });
  res.writeHead(401, { 'WWW-Authenticate': values, 'Content-Length': '0' });
  res.end();
  return { ok: false };
}
