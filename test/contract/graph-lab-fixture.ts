import { createHmac } from 'node:crypto';
import { systemClock, systemRandom } from '../../src/clock.ts';
import type { AccessToken, TokenSource } from '../../src/auth/token-source.ts';
import type { SyncCursor } from '../../src/exchange/driver.ts';
import { createLabCa, type LabCa } from '../../src/lab/tls/lab-ca.ts';
import { startGraphLab, type GraphLab, type GraphLabOptions, type VerifiedToken } from '../../src/lab/graph/start-graph-lab.ts';
import type { ContractExchangeControl } from './mailbox-driver-contract.ts';

/**
 * A Graph lab and a TokenSource that mints tokens the lab accepts, for Graph driver tests. The tokens
 * are JWT-shaped (the driver reads the roles claim) and HMAC-signed with a key only this fixture and
 * the lab's verifier share, so the lab really refuses anything else. The lab's Entra ID replaces this
 * in end-to-end tests.
 */
export const allRoles = ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'Tasks.ReadWrite.All', 'User.Read.All'];

export type TestTokens = TokenSource & { issued: number; forced: number; roles: string[] };

export function testTokens(key: Buffer, appId: string, roles: string[] = allRoles): TestTokens {
  const source: TestTokens = {
    issued: 0,
    forced: 0,
    roles,
    getToken: async (options) => {
      source.issued++;
      if (options?.forceRefresh === true) source.forced++;
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ appid: appId, roles: source.roles, n: source.issued })).toString('base64url');
      const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
      const token: AccessToken = { token: `${header}.${payload}.${signature}`, expiresAt: systemClock.now() + 3_600_000 };
      return token;
    },
  };
  return source;
}

export function testVerifier(key: Buffer): (token: string) => VerifiedToken | null {
  return (token) => {
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return null;
    if (createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url') !== signature) return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { appid: string; roles: string[] };
    return { appId: claims.appid, roles: claims.roles };
  };
}

let sharedCa: Promise<LabCa> | undefined;
/** One CA per test process: RSA key generation is the slow part of starting a lab. */
export function labCa(): Promise<LabCa> {
  sharedCa ??= createLabCa();
  return sharedCa;
}

export async function startTestGraphLab(options: Partial<GraphLabOptions> = {}): Promise<{ lab: GraphLab; key: Buffer }> {
  const key = systemRandom.bytes(32);
  const lab = await startGraphLab({ ca: await labCa(), verifyToken: testVerifier(key), ...options });
  return { lab, key };
}

/** Tampers the signed token in a delta link, as a forged or corrupted cursor would be. */
export function forgeDeltaLink(cursor: SyncCursor): SyncCursor {
  return cursor.replace(/(\$(?:delta|skip)token=[^.&]+\.)([^&])/, (_m, head: string, first: string) => `${head}${first === 'A' ? 'B' : 'A'}`) as SyncCursor;
}

export function graphLabControl(lab: GraphLab): ContractExchangeControl {
  return {
    deliverEmail: async (mailbox, email) => {
      lab.deliver(mailbox, {
        from: email.from,
        to: [mailbox],
        subject: email.subject,
        body: email.body,
        internetMessageId: email.internetMessageId,
        ...(email.inReplyTo === undefined ? {} : { inReplyTo: email.inReplyTo }),
        ...(email.references === undefined ? {} : { references: email.references }),
      });
    },
    editItem: async (mailbox, kind, id, text) => {
      const field = kind === 'contact' ? 'jobTitle' : kind === 'task' ? 'title' : 'subject';
      lab.editItem(mailbox, id, { [field]: text });
    },
    deleteItem: async (mailbox, _kind, id) => lab.deleteItem(mailbox, id),
    forgeCursor: forgeDeltaLink,
    unknownMailbox: { address: 'nobody@lab.dovetail.test', kind: 'not-found' },
    failNext: (mailbox, fault, count, retryAfterMs) => {
      if (fault === 'throttled') lab.throttleNext(mailbox, count, (retryAfterMs ?? 1000) / 1000);
      else if (fault === 'unavailable') lab.failNext(mailbox, count, 503, 1);
      else lab.failNext(mailbox, count, 500);
    },
    clearFaults: (mailbox) => lab.throttleNext(mailbox, 0, 0),
    markRead: async (mailbox, id, isRead) => lab.editItem(mailbox, id, { isRead }),
    // A delta entry says the message changed, not what changed; the driver keeps no per-item state to
    // compare with (drivers never touch the store), so a read flag alone is an upsert, as an edit is.
    readFlagChange: 'upsert',
  };
}
